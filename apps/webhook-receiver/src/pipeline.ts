import { activeSpan, withSpan } from '@manga-assist/service-runtime';
import { createHash } from 'node:crypto';
import { IdempotencyError, type IdempotencyStore } from '@manga-assist/idempotency-store';
import { EventTooLargeError, EventValidationError, findUndeliverable } from '@manga-assist/event-schemas';
import { DeliveryError, type DeliveryErrorCode } from './errors';
import type { DeliveryOutcome, SourceLabel, WebhookMetrics } from './metrics';
import { createRetryHint } from './retry-hint';
import type { SourceDefinition } from './sources';
import type { ProcessResult } from './sources/types';
import type { SecretProvider } from './secrets';
import { header, type Headers, type VerifyFailure } from '@manga-assist/webhook-signatures';

export interface PipelineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface PipelineDeps {
  sources: ReadonlyMap<string, SourceDefinition>;
  secrets: SecretProvider;
  store: IdempotencyStore;
  metrics: WebhookMetrics;
  toleranceSeconds: number;
  maxBodyBytes: number;
  /** How long an in-progress claim lasts (IDEMPOTENCY_IN_PROGRESS_SECONDS), to tell how far along a duplicate's first attempt is. */
  inProgressSeconds: number;
  /** Epoch ms. */
  now?: () => number;
}

/** An accepted delivery's answer, or the refusal (written in the one error shape by the route). */
export type DeliveryResponse =
  | { status: number; body: Record<string, unknown>; headers?: Record<string, string> }
  | { status: number; error: DeliveryError; headers?: Record<string, string> };

const OUTCOME_BY_ERROR: Record<DeliveryErrorCode, DeliveryOutcome> = {
  unknown_source: 'unknown_source',
  missing_signature: 'missing_signature',
  invalid_signature: 'invalid_signature',
  stale_timestamp: 'stale_timestamp',
  invalid_json: 'invalid_json',
  missing_delivery_id: 'missing_delivery_id',
  body_too_large: 'body_too_large',
  too_many_items: 'too_many_items',
  invalid_payload: 'invalid_payload',
  payload_mismatch: 'payload_mismatch',
  undeliverable_content: 'undeliverable_content',
  rejected: 'rejected',
  in_progress: 'in_progress',
  processing_failed: 'processing_failed',
  unavailable: 'unavailable',
};

const SIGNATURE_ERROR: Record<VerifyFailure, DeliveryErrorCode> = {
  missing_header: 'missing_signature',
  malformed: 'invalid_signature',
  bad_signature: 'invalid_signature',
  stale: 'stale_timestamp',
};

/** The delivery id at a payload path or header; strings and integers only, never a fallback. */
export function deliveryIdOf(
  idField: string,
  payload: Record<string, unknown>,
  headers: Headers,
): string | undefined {
  if (idField.startsWith('header:')) return header(headers, idField.slice('header:'.length).toLowerCase());
  let value: unknown = payload;
  for (const part of idField.split('.')) {
    value =
      value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (typeof value === 'string' && value.length > 0 && value.length <= 512) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/**
 * One webhook delivery, checked in the order of docs/architecture.md#webhook-checks: source (404), signature headers
 * present (401), signature (403), freshness (403), JSON (400), size (413), delivery id (400),
 * payload (413 items / 422), then exactly-once processing through the idempotency store.
 */
export function createDeliveryPipeline(deps: PipelineDeps) {
  const retryHint = createRetryHint();
  const now = deps.now ?? Date.now;

  const refuse = (
    source: SourceLabel,
    code: DeliveryErrorCode,
    detail?: string,
    headers?: Record<string, string>,
  ): DeliveryResponse => {
    deps.metrics.delivery(source, OUTCOME_BY_ERROR[code]);
    const error = new DeliveryError(code, detail);
    return { status: error.status, error, ...(headers ? { headers } : {}) };
  };

  return async function handleDelivery(
    sourceName: string,
    headers: Headers,
    rawBody: Buffer,
    log: PipelineLogger,
  ): Promise<DeliveryResponse> {
    const source = deps.sources.get(sourceName);
    if (!source) return refuse('unknown', 'unknown_source');
    const name = source.name;

    if (source.scheme.requiredHeaders.some((h) => header(headers, h) === undefined)) {
      deps.metrics.signatureFailure(name, 'missing_header');
      return refuse(name, 'missing_signature');
    }

    let secrets: readonly string[];
    try {
      secrets = await deps.secrets.secretsFor(name);
    } catch (error) {
      log.error({ source: name, err: (error as Error).message }, 'webhook secrets unavailable');
      return refuse(name, 'unavailable', 'signing secrets unavailable', { 'retry-after': '30' });
    }
    if (secrets.length === 0) {
      log.error({ source: name }, 'no signing secret configured for this source: refusing every delivery');
      return refuse(name, 'unavailable', 'source not configured', { 'retry-after': '60' });
    }

    activeSpan().setAttribute('webhook.source', name);
    const verified = withSpan('verify signature', { attributes: { 'webhook.source': name } }, () =>
      source.scheme.verify({
        headers,
        rawBody,
        secrets,
        nowSeconds: Math.floor(now() / 1000),
        toleranceSeconds: deps.toleranceSeconds,
      }),
    );
    if (!verified.ok) {
      deps.metrics.signatureFailure(name, verified.reason);
      log.warn({ source: name, reason: verified.reason }, 'webhook refused by signature check');
      return refuse(name, SIGNATURE_ERROR[verified.reason]);
    }

    let payload: unknown;
    try {
      payload = JSON.parse(rawBody.toString('utf8'));
    } catch {
      return refuse(name, 'invalid_json');
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      return refuse(name, 'invalid_json', 'the body must be a JSON object');
    }
    if (rawBody.length > deps.maxBodyBytes) {
      return refuse(name, 'body_too_large', `${rawBody.length} bytes, at most ${deps.maxBodyBytes}`);
    }

    const deliveryId = deliveryIdOf(source.idField, payload as Record<string, unknown>, headers);
    if (deliveryId) activeSpan().setAttribute('webhook.delivery_id', deliveryId);
    if (deliveryId === undefined) return refuse(name, 'missing_delivery_id', `no ${source.idField}`);
    const key = `${name}:${deliveryId}`;

    let validated: unknown;
    try {
      validated = source.processor.validate(payload);
    } catch (error) {
      if (error instanceof DeliveryError) return refuse(name, error.code, error.detail);
      throw error;
    }

    // Content SQS cannot carry would fail at the queue hop on every retry: refuse it now, with where it is.
    const undeliverable = findUndeliverable(payload);
    if (undeliverable) {
      log.warn(
        { source: name, key, ...undeliverable },
        'webhook refused: content that can never be delivered',
      );
      return refuse(
        name,
        'undeliverable_content',
        `${undeliverable.path} contains ${undeliverable.codePoint}`,
      );
    }

    const payloadHash = createHash('sha256').update(rawBody).digest('base64url');
    let claim;
    try {
      claim = await deps.store.claim<ProcessResult>(key, { payloadHash });
    } catch (error) {
      log.error(
        { source: name, key, err: (error as Error).message, code: (error as IdempotencyError).code },
        'idempotency claim failed',
      );
      return refuse(name, 'unavailable', 'idempotency store unavailable', { 'retry-after': '5' });
    }

    switch (claim.status) {
      case 'completed':
        deps.metrics.duplicate(name, 'completed');
        deps.metrics.delivery(name, 'duplicate');
        log.info({ source: name, key }, 'duplicate delivery of a processed webhook');
        return { status: 200, body: { status: 'already_processed', key, result: claim.result } };
      case 'in_progress': {
        deps.metrics.duplicate(name, 'in_progress');
        // Based on how long processing really takes, not on the claim's lifetime (60 s).
        const claimRemainingMs = claim.expiresAt - now();
        const elapsedMs = deps.inProgressSeconds * 1000 - claimRemainingMs;
        const retryAfter = retryHint.seconds(name, { elapsedMs, claimRemainingMs });
        return refuse(name, 'in_progress', undefined, { 'retry-after': String(retryAfter) });
      }
      case 'payload_mismatch':
        log.warn({ source: name, key }, 'delivery id reused with a different payload');
        return refuse(name, 'payload_mismatch');
    }

    const started = performance.now();
    let result: ProcessResult;
    try {
      result = await source.processor.process(validated);
    } catch (error) {
      // Permanent (the content itself is refused): 4xx with the reason, so the sender stops; the same
      // delivery again is refused the same way. Transient (a dependency failed): 5xx, the retry may work.
      const permanent = isPermanentProcessingError(error);
      deps.metrics.processing(name, permanent ? 'rejected' : 'failed', (performance.now() - started) / 1000);
      const code = (error as { code?: string }).code;
      if (permanent)
        log.warn(
          { source: name, key, err: (error as Error).message, code },
          'webhook refused while processing; releasing the claim',
        );
      else
        log.error(
          { source: name, key, err: (error as Error).message, code },
          'webhook processing failed; releasing the claim',
        );
      await deps.store
        .release(key, claim.token)
        .catch((releaseError: unknown) =>
          log.error(
            { source: name, key, err: (releaseError as Error).message },
            'could not release the claim; it becomes reclaimable when its in-progress bound passes',
          ),
        );
      if (error instanceof DeliveryError) return refuse(name, error.code, error.detail);
      if (permanent) return refuse(name, 'rejected', (error as Error).message);
      return refuse(name, 'processing_failed');
    }

    retryHint.observe(name, performance.now() - started);
    const outcome = result.processed ? 'processed' : 'ignored';
    deps.metrics.processing(name, outcome, (performance.now() - started) / 1000);
    try {
      await deps.store.complete(key, claim.token, result);
    } catch (error) {
      // The work is done and published: answer 200 so the sender stops. If the claim was lost, a
      // later retry may process again (at-least-once at this edge); say so loudly.
      log.error(
        { source: name, key, err: (error as Error).message, code: (error as IdempotencyError).code },
        'could not record completion',
      );
    }
    deps.metrics.delivery(name, outcome);
    log.info({ source: name, key, outcome }, 'webhook processed');
    return { status: 200, body: { status: outcome, key, result } };
  };
}

export type DeliveryHandler = ReturnType<typeof createDeliveryPipeline>;

/** Failures a retry of the same delivery cannot change: the content is what is refused. */
export function isPermanentProcessingError(error: unknown): boolean {
  return (
    error instanceof EventValidationError ||
    error instanceof EventTooLargeError ||
    (error instanceof DeliveryError && error.status < 500)
  );
}
