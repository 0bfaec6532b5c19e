import type { z } from 'zod';
import {
  catalogUpdateDetailType,
  type CatalogUpdateInput,
  type CatalogUpdateType,
} from '@manga-assist/event-schemas';
import { env } from '@manga-assist/service-runtime';
import { DeliveryError } from '../../errors';
import type { Processor, SourceDeps } from '../types';
import { catalogItem, catalogPayload } from './payload';

/** The catalog's own setting, merged into the service's environment. */
export const catalogSettings = {
  CATALOG_MAX_ITEMS: env.int(500, { min: 1, max: 10_000 }),
};

export interface CatalogValidated {
  batchId: string;
  type: CatalogUpdateType;
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
export function catalogEvents(
  v: CatalogValidated,
): { detailType: `CatalogUpdate.${CatalogUpdateType}`; detail: CatalogUpdateInput }[] {
  return v.items.map((item) => ({
    detailType: catalogUpdateDetailType(v.type),
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
  { publisher }: SourceDeps,
  settings: { CATALOG_MAX_ITEMS: number },
): Processor<CatalogValidated> {
  return {
    validate: (payload) => validateCatalog(payload, settings.CATALOG_MAX_ITEMS),
    async process(v) {
      const events = catalogEvents(v);
      await publisher.publish(events);
      return { processed: true, batch_id: v.batchId, update_type: v.type, published: events.length };
    },
  };
}
