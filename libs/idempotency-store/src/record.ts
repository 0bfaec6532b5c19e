import { IdempotencyError } from './errors';

/** How a claim record is stored (attribute names are part of the table's contract). */
export interface StoredRecord {
  idempotency_key: string;
  status: 'IN_PROGRESS' | 'COMPLETED';
  token: string;
  /** Epoch seconds: DynamoDB TTL attribute; past it the record counts as absent. */
  ttl: number;
  /** Epoch ms: an IN_PROGRESS claim older than this was abandoned (crash) and may be reclaimed. */
  in_progress_expiry?: number;
  payload_hash?: string;
  /** JSON of the stored result (COMPLETED only). */
  result?: string;
  created_at: number;
  completed_at?: number;
}

export interface IdempotencyRecord<R = unknown> {
  key: string;
  status: 'in_progress' | 'completed';
  /** Epoch ms after which the record counts as absent. */
  expiresAt: number;
  /** Epoch ms after which an in-progress claim may be reclaimed. */
  inProgressExpiresAt?: number;
  payloadHash?: string;
  result?: R;
}

/** What the stored record means at `nowMs`: absent, a live claim/result, or reclaimable. */
type RecordState = 'absent' | 'expired' | 'stale_in_progress' | 'in_progress' | 'completed';

export function recordState(item: StoredRecord | undefined, nowMs: number): RecordState {
  if (!item) return 'absent';
  if (item.ttl * 1000 <= nowMs) return 'expired';
  if (item.status === 'COMPLETED') return 'completed';
  if (item.status === 'IN_PROGRESS') {
    return (item.in_progress_expiry ?? 0) <= nowMs ? 'stale_in_progress' : 'in_progress';
  }
  throw new IdempotencyError(
    'CORRUPT_RECORD',
    `record ${item.idempotency_key} has status ${String(item.status)}`,
  );
}

const STRING_FIELDS = ['idempotency_key', 'status', 'token', 'payload_hash', 'result'] as const;
const NUMBER_FIELDS = ['ttl', 'in_progress_expiry', 'created_at', 'completed_at'] as const;

/**
 * A stored record from DynamoDB's wire form (`{ S: ... }` / `{ N: ... }`), as a conditional
 * check failure returns it. Anything unexpected gives undefined, and the caller reads the record
 * instead, so a foreign shape is never guessed at.
 */
export function recordFromAttributeValues(item: unknown): StoredRecord | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  const av = item as Record<string, { S?: unknown; N?: unknown } | undefined>;
  const record: Record<string, string | number> = {};
  for (const field of STRING_FIELDS) {
    const value = av[field];
    if (value === undefined) continue;
    if (typeof value.S !== 'string') return undefined;
    record[field] = value.S;
  }
  for (const field of NUMBER_FIELDS) {
    const value = av[field];
    if (value === undefined) continue;
    const n = typeof value.N === 'string' ? Number(value.N) : NaN;
    if (!Number.isFinite(n)) return undefined;
    record[field] = n;
  }
  if (
    typeof record.idempotency_key !== 'string' ||
    typeof record.ttl !== 'number' ||
    typeof record.status !== 'string'
  )
    return undefined;
  return record as unknown as StoredRecord;
}

export function toPublicRecord<R>(item: StoredRecord): IdempotencyRecord<R> {
  return {
    key: item.idempotency_key,
    status: item.status === 'COMPLETED' ? 'completed' : 'in_progress',
    expiresAt: item.ttl * 1000,
    ...(item.in_progress_expiry !== undefined ? { inProgressExpiresAt: item.in_progress_expiry } : {}),
    ...(item.payload_hash !== undefined ? { payloadHash: item.payload_hash } : {}),
    ...(item.result !== undefined ? { result: parseResult<R>(item) } : {}),
  };
}

export function parseResult<R>(item: StoredRecord): R {
  try {
    return JSON.parse(item.result ?? 'null') as R;
  } catch (cause) {
    throw new IdempotencyError(
      'CORRUPT_RECORD',
      `record ${item.idempotency_key} holds an unreadable result`,
      { cause },
    );
  }
}

/** Serialises a result, enforcing the size cap (bytes of UTF-8 JSON). */
export function serialiseResult(result: unknown, maxBytes: number): string {
  const json = JSON.stringify(result ?? null);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxBytes) {
    throw new IdempotencyError('RESULT_TOO_LARGE', `result is ${bytes} bytes, over the ${maxBytes}-byte cap`);
  }
  return json;
}

const MAX_KEY_BYTES = 2048;

export function assertKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new IdempotencyError(
      'INVALID_KEY',
      'idempotency key must be a non-empty string of at most 2048 bytes',
    );
  }
}
