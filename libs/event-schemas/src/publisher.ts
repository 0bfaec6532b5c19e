import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import {
  activeContext,
  contextWithSpan,
  recordError,
  retryBatch,
  retryPolicy,
  SpanKind,
  startSpan,
  xrayTraceHeader,
  type Context,
  type Span,
} from '@manga-assist/service-runtime';
import { EventTooLargeError, EventValidationError, PublishError, type FailedEntry } from './errors';
import { MAX_ENTRIES_PER_PUT, MAX_ENTRY_BYTES, putEventsEntrySize } from './entry-size';
import { parseDetail, type DetailInputOf } from './parse';
import { findUndeliverable } from './deliverable';
import { SOURCE_BY_DETAIL_TYPE, type DetailType, type EventSource } from './sources';

export type PublishEvent = {
  [T in DetailType]: {
    detailType: T;
    detail: DetailInputOf<T>;
    /** Defaults to the detail type's source (SOURCE_BY_DETAIL_TYPE); another source is refused. */
    source?: EventSource;
    resources?: string[];
    /**
     * The trace this event belongs to (default: the context active when publish is called). A
     * caller that queues events and publishes them later captures it at enqueue time.
     */
    traceContext?: Context;
  };
}[DetailType];

interface PublisherLogger {
  warn(obj: object, msg?: string): void;
}

interface EventPublisherOptions {
  client: EventBridgeClient;
  eventBusName: string;
  /** Overrides the default source of every event (it must still be the detail type's source). */
  source?: EventSource;
  /** Attempts per entry, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  logger?: PublisherLogger;
}

export interface EventPublisher {
  /** Validates every event, then publishes all of them; resolves with ids in input order or throws PublishError. */
  publish(events: PublishEvent[]): Promise<{ eventIds: string[] }>;
  /** PutEvents requests sent and entry-sends attempted (for tests and metrics). */
  readonly stats: { putEventsCalls: number; entryAttempts: number; retriedEntries: number };
}

/** Entry error codes worth retrying; anything else (MalformedDetail, InvalidArgument...) is final. */
const RETRYABLE_CODES = new Set([
  'InternalFailure',
  'InternalException',
  'ThrottlingException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'TimeoutError',
  'NetworkingError',
]);

const isRetryable = (code: string) =>
  RETRYABLE_CODES.has(code) || /throttl|timeout|internal|ECONN|socket/i.test(code);

interface Pending {
  index: number;
  entry: PutEventsRequestEntry;
  size: number;
  attempts: number;
  lastError?: { code: string; message: string };
  /** PRODUCER span of this event: the entry's TraceHeader names it, so consumers are its children. */
  span: Span;
}

export function createEventPublisher(options: EventPublisherOptions): EventPublisher {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const baseDelayMs = options.baseDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 2000;
  // Only the failed entries of a PutEvents go again, and only while their error is retryable.
  const policy = retryPolicy({ maxAttempts, initialDelayMs: baseDelayMs, maxDelayMs });
  const stats = { putEventsCalls: 0, entryAttempts: 0, retriedEntries: 0 };

  function toEntry(event: PublishEvent, index: number): Pending {
    const expectedSource = SOURCE_BY_DETAIL_TYPE[event.detailType];
    const source = event.source ?? options.source ?? expectedSource;
    if (source !== expectedSource) {
      throw new EventValidationError(
        'SOURCE_MISMATCH',
        `${event.detailType} must be published as ${expectedSource}, not ${source} (loop guard) / ` +
          `${event.detailType} の発行元は ${expectedSource} でなければなりません`,
        [],
        event.detailType,
        index,
      );
    }
    let detail: unknown;
    try {
      detail = parseDetail(event.detailType, event.detail);
    } catch (error) {
      if (error instanceof EventValidationError) {
        throw new EventValidationError(
          error.code,
          `Event #${index}: ${error.message}`,
          error.issues,
          error.detailType,
          index,
        );
      }
      throw error;
    }
    // Refused here, once, rather than by SQS on every retry after EventBridge accepted it.
    const undeliverable = findUndeliverable(detail);
    if (undeliverable) {
      throw new EventValidationError(
        'UNDELIVERABLE_CONTENT',
        `Event #${index}: ${undeliverable.path} contains ${undeliverable.codePoint}, which SQS and EventBridge cannot deliver / ` +
          `${undeliverable.path} に配信できない文字 ${undeliverable.codePoint} が含まれています`,
        [{ path: undeliverable.path, message: `contains ${undeliverable.codePoint}` }],
        event.detailType,
        index,
      );
    }
    const entry: PutEventsRequestEntry = {
      Source: source,
      DetailType: event.detailType,
      Detail: JSON.stringify(detail),
      EventBusName: options.eventBusName,
      ...(event.resources?.length ? { Resources: event.resources } : {}),
    };
    const size = putEventsEntrySize(entry);
    if (size > MAX_ENTRY_BYTES) throw new EventTooLargeError(index, size, MAX_ENTRY_BYTES, event.detailType);
    return { index, entry, size, attempts: 0, span: undefined as unknown as Span };
  }

  // One PRODUCER span per event in the trace it belongs to; PutEvents carries it as the entry's
  // TraceHeader (X-Ray format), which EventBridge hands to SQS targets as AWSTraceHeader.
  function traceEntry(p: Pending, event: PublishEvent): void {
    const chainDepth = (event.detail as { _chain_depth?: unknown })._chain_depth;
    p.span = startSpan(`publish ${event.detailType}`, {
      kind: SpanKind.PRODUCER,
      parent: event.traceContext ?? activeContext(),
      attributes: {
        'messaging.system': 'aws.eventbridge',
        'messaging.destination.name': options.eventBusName,
        'event.detail_type': event.detailType,
        'event.source': p.entry.Source ?? '',
        ...(typeof chainDepth === 'number' ? { 'event.chain_depth': chainDepth } : {}),
      },
    });
    const header = xrayTraceHeader(contextWithSpan(p.span));
    if (header) p.entry.TraceHeader = header;
  }

  /** Chunks of at most 10 entries and at most 256 KB in total (conservative request bound). */
  function chunk(pending: Pending[]): Pending[][] {
    const chunks: Pending[][] = [];
    let current: Pending[] = [];
    let bytes = 0;
    for (const p of pending) {
      if (
        current.length === MAX_ENTRIES_PER_PUT ||
        (current.length > 0 && bytes + p.size > MAX_ENTRY_BYTES)
      ) {
        chunks.push(current);
        current = [];
        bytes = 0;
      }
      current.push(p);
      bytes += p.size;
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
  }

  async function send(batch: Pending[], eventIds: (string | undefined)[]): Promise<Pending[]> {
    stats.putEventsCalls++;
    stats.entryAttempts += batch.length;
    for (const p of batch) p.attempts++;
    try {
      const response = await options.client.send(
        new PutEventsCommand({ Entries: batch.map((p) => p.entry) }),
      );
      const results = response.Entries ?? [];
      const failed: Pending[] = [];
      batch.forEach((p, i) => {
        const result = results[i];
        if (result?.EventId && !result.ErrorCode) {
          eventIds[p.index] = result.EventId;
          p.span.setAttribute('event.id', result.EventId);
        } else {
          p.lastError = {
            code: result?.ErrorCode ?? 'MissingResult',
            message: result?.ErrorMessage ?? 'PutEvents returned no result for this entry',
          };
          failed.push(p);
        }
      });
      return failed;
    } catch (error) {
      // The SDK already retried the request; every entry of it failed.
      const e = error as { name?: string; message?: string };
      for (const p of batch) p.lastError = { code: e.name ?? 'Error', message: e.message ?? String(error) };
      return batch;
    }
  }

  async function publish(events: PublishEvent[]): Promise<{ eventIds: string[] }> {
    const all = events.map(toEntry); // validates everything before anything is sent
    all.forEach((p, i) => traceEntry(p, events[i]));
    const eventIds: (string | undefined)[] = new Array(events.length).fill(undefined);
    const final: FailedEntry[] = [];
    const { failed } = await retryBatch(policy, all, async (pending, round) => {
      const failed: Pending[] = [];
      for (const batch of chunk(pending)) failed.push(...(await send(batch, eventIds)));
      const retry: Pending[] = [];
      for (const p of failed) {
        if (p.attempts < maxAttempts && isRetryable(p.lastError!.code)) retry.push(p);
        else final.push(failedEntry(p));
      }
      if (retry.length > 0 && round < maxAttempts) {
        stats.retriedEntries += retry.length;
        options.logger?.warn(
          { retrying: retry.length, round, codes: [...new Set(retry.map((p) => p.lastError!.code))] },
          'PutEvents entries failed; retrying only those',
        );
      }
      return { retry };
    });
    final.push(...failed.map(failedEntry));
    for (const p of all) {
      p.span.setAttribute('event.attempts', p.attempts);
      if (eventIds[p.index] === undefined)
        recordError(p.span, { name: p.lastError?.code, message: p.lastError?.message });
      p.span.end();
    }
    if (final.length > 0)
      throw new PublishError(
        final.sort((a, b) => a.index - b.index),
        eventIds,
      );
    return { eventIds: eventIds as string[] };
  }

  function failedEntry(p: Pending): FailedEntry {
    return {
      index: p.index,
      detailType: p.entry.DetailType ?? '',
      errorCode: p.lastError?.code ?? 'Unknown',
      errorMessage: p.lastError?.message ?? '',
      attempts: p.attempts,
    };
  }

  return { publish, stats };
}
