import type { Request, Response } from 'express';
import { z } from 'zod';
import { httpError, sendHttpError } from '@manga-assist/service-runtime';

/** The body of `POST /admin/dlq/redrive`: everything, or only messages whose reason contains `reason`. */
export const redriveSchema = z.object({ reason: z.string().min(1).max(500).optional() }).strict();
type RedriveRequest = z.infer<typeof redriveSchema>;

const INVALID_REDRIVE = {
  ja: '再投入の指定が不正です (reason のみ指定できます)。',
  en: 'The redrive request is invalid (only `reason` may be given).',
};

/** The redrive request of `req`, or undefined after answering 400 INVALID_REDRIVE in the one error shape. */
export function readRedriveRequest(req: Request, res: Response): RedriveRequest | undefined {
  const parsed = redriveSchema.safeParse(req.body ?? {});
  if (parsed.success) return parsed.data;
  sendHttpError(
    req,
    res,
    httpError('INVALID_REDRIVE', 400, INVALID_REDRIVE, {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    }),
  );
  return undefined;
}

/** How many parked messages there are per reason (the `byReason` of `GET /admin/dlq`). */
export function countByReason(messages: readonly { reason: string }[]): Record<string, number> {
  const byReason: Record<string, number> = {};
  for (const m of messages) byReason[m.reason] = (byReason[m.reason] ?? 0) + 1;
  return byReason;
}
