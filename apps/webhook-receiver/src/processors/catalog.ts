import { z } from 'zod';
import { DeliveryError } from '../errors';
import type { EventPublisherLike, OutboundEvent, Processor } from './types';

export const CATALOG_TYPES = ['new_release', 'price_change', 'discontinued', 'metadata_update'] as const;

const catalogItem = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  title: z.string().min(1),
});

export const catalogPayload = z.looseObject({
  batch_id: z.union([z.string().min(1), z.number()]).transform(String),
  type: z.enum(CATALOG_TYPES),
  items: z.array(z.unknown()).min(1),
});

export interface CatalogValidated {
  batchId: string;
  type: (typeof CATALOG_TYPES)[number];
  items: (z.infer<typeof catalogItem> & Record<string, unknown>)[];
}

/** Pure: checks the whole delivery (item cap -> 413, every item valid -> else 422) before anything is published. */
export function validateCatalog(payload: unknown, maxItems: number): CatalogValidated {
  const parsed = catalogPayload.safeParse(payload);
  if (!parsed.success) {
    throw new DeliveryError(
      'invalid_payload',
      parsed.error.issues.map((i) => i.path.join('.') || 'body').join(', '),
    );
  }
  const { items, type, batch_id } = parsed.data;
  if (items.length > maxItems)
    throw new DeliveryError('too_many_items', `${items.length} items, at most ${maxItems}`);
  const valid = items.map((item, index) => {
    const r = catalogItem.safeParse(item);
    if (!r.success) throw new DeliveryError('invalid_payload', `items[${index}] needs id and title`);
    return r.data;
  });
  return { batchId: batch_id, type, items: valid };
}

/** One CatalogUpdate.<type> per item: every item, never the seed's `items[:10]`. */
export function catalogEvents(v: CatalogValidated): OutboundEvent[] {
  return v.items.map((item) => ({
    detailType: `CatalogUpdate.${v.type}`,
    detail: {
      product_id: item.id,
      title: item.title,
      update_type: v.type,
      batch_id: v.batchId,
      data: item,
      actions: ['regenerate_embedding', 'update_search_index'],
      processing_stage: 'raw',
      _chain_depth: 0,
    },
  }));
}

/** The publisher sends them in PutEvents chunks of 10 and retries failed entries. */
export function catalogProcessor(
  publisher: EventPublisherLike,
  maxItems: number,
): Processor<CatalogValidated> {
  return {
    validate: (payload) => validateCatalog(payload, maxItems),
    async process(v) {
      const events = catalogEvents(v);
      await publisher.publish(events);
      return { processed: true, batch_id: v.batchId, update_type: v.type, published: events.length };
    },
  };
}
