import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  CATALOG_UPDATE_PREFIX,
  eventEnvelopeSchema,
  parseDetail,
  type CatalogUpdate,
} from '@manga-assist/event-schemas';
import { PermanentJobError } from './errors';

export const ENRICHMENT_TYPES = ['synopsis', 'tags', 'description'] as const;
export type EnrichmentType = (typeof ENRICHMENT_TYPES)[number];

export const mangaInfoSchema = z.looseObject({
  title: z.string().min(1).max(500),
  titleJp: z.string().max(500).optional(),
  author: z.string().max(200).optional(),
  genre: z.string().max(200).optional(),
  volume: z.union([z.string(), z.number()]).optional(),
  synopsis: z.string().max(4000).optional(),
});
export type MangaInfo = z.infer<typeof mangaInfoSchema>;

/** What the admin API accepts for one job. */
export const jobRequestSchema = z.object({
  mangaId: z.string().min(1).max(128),
  type: z.enum(ENRICHMENT_TYPES),
  manga: mangaInfoSchema,
});
export type JobRequest = z.infer<typeof jobRequestSchema>;

/** The SQS message body of a job submitted through the admin API. */
export const jobMessageSchema = jobRequestSchema.extend({
  kind: z.literal('enrichment-job'),
  jobId: z.string().min(1).max(128),
  submittedAt: z.string(),
});
export type JobMessage = z.infer<typeof jobMessageSchema>;

export function newJobMessage(request: JobRequest, now = new Date()): JobMessage {
  return { kind: 'enrichment-job', jobId: randomUUID(), submittedAt: now.toISOString(), ...request };
}

/** A unit of work, whatever message it came from. */
export type Work =
  | {
      action: 'enrich';
      jobId: string;
      mangaId: string;
      type: EnrichmentType;
      manga: MangaInfo;
      source: 'admin' | 'event';
    }
  | { action: 'skip'; jobId: string; mangaId: string; type: EnrichmentType; reason: string; source: 'event' };

/** Best-effort job id for a message that does not parse, so its failure is still recorded. */
export function salvageJobId(body: string, messageId: string): string {
  try {
    const value = JSON.parse(body) as Record<string, unknown>;
    if (typeof value?.jobId === 'string' && value.jobId) return value.jobId;
    if (typeof value?.id === 'string' && value.id) return `event-${value.id}`;
  } catch {
    /* not JSON */
  }
  return `message-${messageId}`;
}

/**
 * Parses a queue message into work: an admin job, or a CatalogUpdate.<type> event envelope from
 * the EventBridge rule (description + tags; discontinued items are skipped with a reason, as seed
 * 004 §5.3 does). Throws PermanentJobError (BAD_JSON / INVALID_JOB) for poison.
 */
export function parseWork(body: string, messageId: string): Work {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new PermanentJobError(
      'BAD_JSON',
      `message is not JSON: ${(error as Error).message}`,
      salvageJobId(body, messageId),
    );
  }
  const jobId = salvageJobId(body, messageId);
  if (value && typeof value === 'object' && (value as { kind?: unknown }).kind === 'enrichment-job') {
    const parsed = jobMessageSchema.safeParse(value);
    if (!parsed.success) throw invalid(jobId, parsed.error);
    const { jobId: id, mangaId, type, manga } = parsed.data;
    return { action: 'enrich', jobId: id, mangaId, type, manga, source: 'admin' };
  }
  const envelope = eventEnvelopeSchema.safeParse(value);
  if (!envelope.success) throw invalid(jobId, envelope.error);
  const detailType = envelope.data['detail-type'];
  if (!detailType.startsWith(CATALOG_UPDATE_PREFIX)) {
    throw new PermanentJobError('INVALID_JOB', `unexpected event type ${detailType}`, jobId);
  }
  let detail: CatalogUpdate;
  try {
    detail = parseDetail(detailType, envelope.data.detail) as CatalogUpdate;
  } catch (error) {
    throw new PermanentJobError('INVALID_JOB', (error as Error).message, jobId, { cause: error });
  }
  const base = {
    jobId: `event-${envelope.data.id}`,
    mangaId: detail.product_id,
    type: 'description' as const,
    source: 'event' as const,
  };
  if (detail.update_type === 'discontinued')
    return { ...base, action: 'skip', reason: 'discontinued_product' };
  const data = detail.data as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
  return {
    ...base,
    action: 'enrich',
    manga: {
      title: detail.title,
      titleJp: str(data.titleJp ?? data.title_jp),
      author: str(data.author),
      genre: str(data.genre),
      volume: str(data.volume),
      synopsis: str(data.synopsis),
    },
  };
}

function invalid(jobId: string, error: z.ZodError): PermanentJobError {
  const issues = error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return new PermanentJobError('INVALID_JOB', `message does not match the job schema: ${issues}`, jobId);
}
