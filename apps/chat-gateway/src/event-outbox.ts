import { activeContext } from '@manga-assist/service-runtime';
import {
  EventTooLargeError,
  EventValidationError,
  MAX_ENTRIES_PER_PUT,
  PublishError,
  type EventPublisher,
  type PublishEvent,
} from '@manga-assist/event-schemas';

/** Where an event came from, for the failure log line. */
export interface OutboxContext {
  sessionId?: string;
  requestId?: string;
}

export interface EventOutbox {
  /**
   * Queues an event for the bus and returns at once (never on a request's critical path). False
   * when the backlog is full: the event is reported failed ('backlog_full').
   */
  enqueue(event: PublishEvent, context?: OutboxContext): boolean;
  /** Sends everything queued now and resolves when nothing is in flight (tests, shutdown). */
  flush(): Promise<void>;
  /** Events queued or being sent. */
  readonly pending: number;
}

export interface EventOutboxOptions {
  publisher: EventPublisher;
  /**
   * How long the first queued event waits for company: events of requests close together share
   * one signed PutEvents call (up to 10), and the call leaves after the answers, not between them.
   * Default 100 ms: at a few requests per second a batch then fills instead of leaving on a timer
   * with a few events (each PutEvents costs about what a model call's SDK work does).
   */
  lingerMs?: number;
  /** Bound on events queued + in flight. */
  maxPending?: number;
  /** Every event that is not published ends here exactly once (log + metric). */
  onFailed(event: PublishEvent, context: OutboxContext, reason: string, message: string): void;
}

interface Item {
  event: PublishEvent;
  context: OutboxContext;
}

/**
 * Batches events for EventBridge: one PutEvents per up to 10 events instead of one per event,
 * sent after a short linger. Bounded; nothing is dropped silently.
 */
export function createEventOutbox(options: EventOutboxOptions): EventOutbox {
  const lingerMs = options.lingerMs ?? 100;
  const maxPending = options.maxPending ?? 1000;
  let queue: Item[] = [];
  let sending = 0;
  let timer: NodeJS.Timeout | undefined;
  const inFlight = new Set<Promise<void>>();

  const fail = (item: Item, reason: string, message: string) =>
    options.onFailed(item.event, item.context, reason, message);

  async function send(batch: Item[]): Promise<void> {
    let rest = batch;
    while (rest.length > 0) {
      try {
        await options.publisher.publish(rest.map((i) => i.event));
        return;
      } catch (error) {
        // One invalid or oversized event must not sink the others: report it and send the rest.
        if (
          (error instanceof EventValidationError || error instanceof EventTooLargeError) &&
          error.index !== undefined &&
          rest[error.index]
        ) {
          const bad = error.index;
          fail(rest[bad], error.code, error.message);
          rest = rest.filter((_, j) => j !== bad);
          continue;
        }
        if (error instanceof PublishError) {
          for (const f of error.failed) if (rest[f.index]) fail(rest[f.index], f.errorCode, f.errorMessage);
          return;
        }
        const e = error as Error & { code?: string };
        for (const item of rest) fail(item, e.code ?? e.name ?? 'error', e.message);
        return;
      }
    }
  }

  function dispatch() {
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_ENTRIES_PER_PUT);
      queue = queue.slice(batch.length);
      sending += batch.length;
      const p: Promise<void> = send(batch).finally(() => {
        sending -= batch.length;
        inFlight.delete(p);
      });
      inFlight.add(p);
    }
  }

  return {
    enqueue(event, context = {}) {
      if (queue.length + sending >= maxPending) {
        fail({ event, context }, 'backlog_full', `more than ${maxPending} events queued or in flight`);
        return false;
      }
      // The event stays in the trace of the request that caused it, though it is sent later.
      queue.push({ event: { ...event, traceContext: event.traceContext ?? activeContext() }, context });
      if (queue.length >= MAX_ENTRIES_PER_PUT) dispatch();
      else if (!timer) {
        timer = setTimeout(dispatch, lingerMs);
        timer.unref();
      }
      return true;
    },
    async flush() {
      dispatch();
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    get pending() {
      return queue.length + sending;
    },
  };
}
