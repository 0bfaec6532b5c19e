import { z } from 'zod';
import { CATALOG_UPDATE_TYPES } from '@manga-assist/event-schemas';

export const catalogItem = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  title: z.string().min(1),
});

export const catalogPayload = z.looseObject({
  batch_id: z.union([z.string().min(1), z.number()]).transform(String),
  type: z.enum(CATALOG_UPDATE_TYPES),
  items: z.array(z.unknown()).min(1),
});
