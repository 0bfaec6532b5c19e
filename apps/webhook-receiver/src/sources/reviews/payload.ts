import { z } from 'zod';

export const reviewPayload = z.looseObject({
  review_id: z.union([z.string().min(1), z.number()]).transform(String),
  product_id: z.union([z.string().min(1), z.number()]).transform(String),
  text: z.string().refine((s) => s.trim().length > 0, 'blank'),
  rating: z.number().int().min(1).max(5),
  customer_id: z.string().optional(),
});
