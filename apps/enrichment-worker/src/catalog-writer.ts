import { retryPolicy } from '@manga-assist/service-runtime';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

export type WriteSeverity = 'critical' | 'retryable' | 'unknown';

const CRITICAL = new Set([
  'AccessDeniedException',
  'ResourceNotFoundException',
  'ValidationException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
]);
const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionConflictException',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'TimeoutError',
]);

/** AccessDenied / ResourceNotFound / Validation are configuration faults: loud, never retried in place. */
/** A write error code that means misconfiguration (table, permissions, schema): never retried in place. */
export const isCriticalWriteCode = (code: string | undefined): boolean =>
  code !== undefined && CRITICAL.has(code);

export function classifyWriteError(error: unknown): { code: string; severity: WriteSeverity } {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const code = e?.name && e.name !== 'Error' ? e.name : (e?.code ?? 'UnknownError');
  if (CRITICAL.has(code)) return { code, severity: 'critical' };
  if (RETRYABLE.has(code) || RETRYABLE.has(e?.code ?? '')) return { code, severity: 'retryable' };
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return { code, severity: 'retryable' };
  return { code, severity: 'unknown' };
}

export class CatalogWriteError extends Error {
  constructor(
    readonly code: string,
    readonly severity: WriteSeverity,
    readonly table: string,
    readonly attempts: number,
    options: { cause: unknown },
  ) {
    super(`catalog write to ${table} failed: ${code}`, options);
    this.name = 'CatalogWriteError';
  }
}

export interface CatalogWriterOptions {
  /** With the SDK's own retries off (`documentClientSingleAttempt`): this writer's retry is the only layer. */
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  maxAttempts: number;
  baseDelayMs?: number;
  onRetry?: (info: { code: string; attempt: number; delayMs: number }) => void;
}

export interface CatalogWriter {
  /** Sets enrichment.<field> for each field and enrichment.lastUpdated, creating the map if missing. */
  write(mangaId: string, fields: Record<string, unknown>, signal?: AbortSignal): Promise<void>;
}

/**
 * docs/architecture.md#spec-6: `SET enrichment.#t` fails (ValidationException) when `enrichment` does not exist,
 * and `if_not_exists(enrichment, :empty)` cannot be combined with a nested path in the same
 * expression (overlapping paths). So: nested SET conditioned on the map existing; when the
 * condition fails, create the map whole, conditioned on it still being absent; when that loses a
 * race with another writer, the nested SET applies. Throttling is retried with backoff here (the
 * one retry layer: the client given makes one attempt per call); everything else surfaces as CatalogWriteError with its code.
 */
export function createCatalogWriter({
  documentClient: db,
  tableName,
  maxAttempts,
  baseDelayMs = 100,
  onRetry,
}: CatalogWriterOptions): CatalogWriter {
  const policy = retryPolicy({
    maxAttempts,
    initialDelayMs: baseDelayMs,
    retryIf: (error) => classifyWriteError(error).severity === 'retryable',
    onRetry: ({ error, attempt, delayMs }) =>
      onRetry?.({ code: classifyWriteError(error).code, attempt, delayMs }),
  });
  const nested = (mangaId: string, fields: Record<string, unknown>, ts: string) => {
    const names: Record<string, string> = { '#e': 'enrichment', '#lu': 'lastUpdated' };
    const values: Record<string, unknown> = { ':ts': ts };
    const sets = ['#e.#lu = :ts'];
    Object.entries(fields).forEach(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      sets.push(`#e.#f${i} = :v${i}`);
    });
    return new UpdateCommand({
      TableName: tableName,
      Key: { mangaId },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(#e)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
  };
  const whole = (mangaId: string, fields: Record<string, unknown>, ts: string) =>
    new UpdateCommand({
      TableName: tableName,
      Key: { mangaId },
      UpdateExpression: 'SET #e = :map',
      ConditionExpression: 'attribute_not_exists(#e)',
      ExpressionAttributeNames: { '#e': 'enrichment' },
      ExpressionAttributeValues: { ':map': { ...fields, lastUpdated: ts } },
    });

  const once = async (mangaId: string, fields: Record<string, unknown>, signal?: AbortSignal) => {
    const ts = new Date().toISOString();
    for (let round = 0; round < 3; round++) {
      try {
        await db.send(nested(mangaId, fields, ts), { abortSignal: signal });
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      try {
        await db.send(whole(mangaId, fields, ts), { abortSignal: signal });
        return;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    throw new Error('enrichment map kept changing shape under concurrent writers');
  };

  return {
    async write(mangaId, fields, signal) {
      let attempts = 0;
      try {
        await policy.execute(() => {
          attempts++;
          return once(mangaId, fields, signal);
        }, signal);
      } catch (error) {
        const { code, severity } = classifyWriteError(error);
        throw new CatalogWriteError(code, severity, tableName, attempts, { cause: error });
      }
    },
  };
}
