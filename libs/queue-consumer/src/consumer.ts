import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Registry } from 'prom-client';
import { retryBatch, retryPolicy } from '@manga-assist/service-runtime';
import { createBatcher } from './batcher';
import { sendToDlq } from './dlq-move';
import { createGroupDelays } from './group-delays';
import { runBatch } from './core';
import { consumerMetrics, type ConsumerMetrics } from './metrics';
import { retryDelaySeconds as defaultRetryDelay } from './plan';
import type { ConsumerLogger, MessageHandler, MessageOutcome, QueueMessage, SettledMessage } from './types';

interface QueueConsumerOptions {
  sqs: SQSClient;
  /** The queue URL exactly as SQS returned it. */
  queueUrl: string;
  handler: MessageHandler;
  /** Max messages held at once across batches (received, not yet settled). A function is read before every receive, so a caller can adapt it (the worker's concurrency limit). */
  concurrency: number | (() => number);
  /** Receive loops running in parallel (default 2). */
  pollers?: number;
  /** MaxNumberOfMessages per receive (1-10, default 10). */
  batchSize?: number;
  /** Long-poll wait (0-20 s, default 20). */
  waitTimeSeconds?: number;
  /** Visibility timeout requested on receive and renewed by the heartbeat. */
  visibilityTimeoutSeconds: number;
  /** Renew visibility while a message is held (default true). */
  extendVisibility?: boolean;
  /** Seconds between renewals (default a third of the visibility timeout). */
  heartbeatSeconds?: number;
  /** The handler's signal aborts after this long (default: never). */
  handlerTimeoutMs?: number;
  /** Default: the URL ends with `.fifo`. */
  fifo?: boolean;
  /** Errors that can never succeed (bad JSON, schema). Such messages do not come back. */
  isPoison?: (error: unknown) => boolean;
  /**
   * Where poison messages go, sent explicitly with the reason as message attributes, then deleted
   * from the source queue (no retries burnt). Without it a poison message is treated as failed and
   * reaches the DLQ through the queue's redrive policy.
   */
  deadLetterQueueUrl?: string;
  /** Invisibility before a failed message's next attempt (default 2^(n-1) s, max 60, jittered). */
  retryDelaySeconds?: (receiveCount: number, error: unknown) => number;
  logger: ConsumerLogger;
  /** Prometheus registry for queue_consumer_* metrics. */
  metrics?: Registry;
  /** Label for logs and metrics (default: the queue name from the URL). */
  name?: string;
}

export interface QueueConsumerStats {
  queue: string;
  running: boolean;
  /** Current limit on messages held. */
  limit: number;
  /** Messages received and not yet settled (running or waiting behind their FIFO group). */
  inFlight: number;
  /** Handlers executing right now. */
  active: number;
  /** Capacity reserved by receives under way (their messages count once they arrive). */
  receiving: number;
  received: number;
  processed: number;
  failed: number;
  poison: number;
  skipped: number;
  receiveErrors: number;
  deleteFailures: number;
  visibilityFailures: number;
  visibilityExtensions: number;
  /** now - SentTimestamp of the oldest message in the latest non-empty receive; 0 after an empty one. */
  oldestReceivedAgeMs: number;
}

export interface QueueConsumer {
  start(): void;
  /** Stops receiving, lets held messages finish (aborting them after drainTimeoutMs), flushes deletes. */
  stop(options?: { drainTimeoutMs?: number }): Promise<{ drained: boolean; abandoned: number }>;
  stats(): QueueConsumerStats;
}

interface Held {
  message: QueueMessage;
  receiptHandle: string;
  controller: AbortController;
  nextExtendAt: number;
}

const ZERO_COUNTS = {
  received: 0,
  processed: 0,
  failed: 0,
  poison: 0,
  skipped: 0,
  receiveErrors: 0,
  deleteFailures: 0,
  visibilityFailures: 0,
  visibilityExtensions: 0,
};

/** The stats of a consumer not created yet (a service still waiting for its queue URL). */
export function notStartedStats(queue: string, limit: number): QueueConsumerStats {
  return {
    queue,
    running: false,
    limit,
    inFlight: 0,
    active: 0,
    receiving: 0,
    ...ZERO_COUNTS,
    oldestReceivedAgeMs: 0,
  };
}

/**
 * A long-running SQS consumer written on the SDK directly. sqs-consumer 15 was considered: it
 * keeps one batch in flight per consumer (the next receive waits for the slowest message of the
 * batch), runs a batch's messages with Promise.all (breaking FIFO group order) and has no way to
 * hold N messages across batches under an adaptive limit. This loop reserves capacity before each
 * receive, so up to `concurrency` messages are held at once across batches and pollers.
 */
export function createQueueConsumer(options: QueueConsumerOptions): QueueConsumer {
  const {
    sqs,
    queueUrl,
    handler,
    logger,
    visibilityTimeoutSeconds,
    pollers = 2,
    batchSize = 10,
    waitTimeSeconds = 20,
    extendVisibility = true,
    isPoison,
    deadLetterQueueUrl,
  } = options;
  const fifo = options.fifo ?? queueUrl.endsWith('.fifo');
  const name = options.name ?? queueUrl.split('/').pop() ?? queueUrl;
  const limitOf =
    typeof options.concurrency === 'function' ? options.concurrency : () => options.concurrency as number;
  const retryDelay = options.retryDelaySeconds ?? ((n: number) => defaultRetryDelay(n));
  const heartbeatMs = Math.max(1000, (options.heartbeatSeconds ?? visibilityTimeoutSeconds / 3) * 1000);
  const metrics: ConsumerMetrics | undefined = options.metrics
    ? consumerMetrics(options.metrics, name)
    : undefined;

  const held = new Map<string, Held>();
  let reserved = 0;
  let active = 0;
  let running = false;
  let stopping = false;
  let receiveAbort = new AbortController();
  let loops: Promise<void>[] = [];
  let heartbeat: NodeJS.Timeout | undefined;
  const capacityWaiters = new Set<() => void>();
  const idleWaiters = new Set<() => void>();
  const groupDelay = createGroupDelays();
  const counts = { ...ZERO_COUNTS };
  let oldestReceivedAgeMs = 0;

  const limit = () => {
    const value = Math.floor(limitOf());
    return Number.isFinite(value) && value > 0 ? value : 1;
  };

  const wakeCapacity = () => {
    for (const wake of [...capacityWaiters]) wake();
  };

  const release = (key: string) => {
    if (!held.delete(key)) return;
    metrics?.inFlight.set(held.size);
    wakeCapacity();
    if (held.size === 0) for (const wake of [...idleWaiters]) wake();
  };

  const deleteRetry = retryPolicy({ maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1_000 });
  const deleter = createBatcher<{ Id: string; ReceiptHandle: string }>(async (entries) => {
    const { failed: pending } = await retryBatch(deleteRetry, entries, async (pending, attempt) => {
      try {
        const out = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }));
        const failed = out.Failed ?? [];
        for (const f of failed) {
          logger.warn(
            { queue: name, messageId: f.Id, code: f.Code, senderFault: f.SenderFault },
            'delete failed for a processed message',
          );
        }
        const senderFaults = failed.filter((f) => f.SenderFault).length;
        counts.deleteFailures += senderFaults;
        metrics?.sqsErrors.inc({ operation: 'delete' }, senderFaults);
        // Sender faults (e.g. an expired receipt handle) do not get better with a retry.
        return { retry: pending.filter((e) => failed.some((f) => f.Id === e.Id && !f.SenderFault)) };
      } catch (error) {
        logger.warn({ queue: name, err: error, attempt }, 'DeleteMessageBatch failed');
        metrics?.sqsErrors.inc({ operation: 'delete' });
        return { retry: pending };
      }
    });
    if (pending.length) {
      counts.deleteFailures += pending.length;
      logger.error(
        { queue: name, messageIds: pending.map((p) => p.Id) },
        'processed messages could not be deleted; they will be delivered again',
      );
    }
  });

  const visibility = createBatcher<{ Id: string; ReceiptHandle: string; VisibilityTimeout: number }>(
    async (entries) => {
      try {
        const out = await sqs.send(
          new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
        );
        for (const f of out.Failed ?? []) {
          counts.visibilityFailures++;
          logger.warn(
            { queue: name, messageId: f.Id, code: f.Code },
            'could not reset visibility of a failed message',
          );
        }
      } catch (error) {
        counts.visibilityFailures += entries.length;
        metrics?.sqsErrors.inc({ operation: 'visibility' });
        logger.warn(
          { queue: name, err: error },
          'ChangeMessageVisibilityBatch failed; messages return after their visibility timeout',
        );
      }
    },
  );

  async function moveToDlq(message: QueueMessage, receiptHandle: string, error: unknown): Promise<boolean> {
    if (!deadLetterQueueUrl) return false;
    try {
      await sendToDlq(sqs, deadLetterQueueUrl, message, error, name);
      await deleter.add({ Id: message.id, ReceiptHandle: receiptHandle });
      return true;
    } catch (sendError) {
      metrics?.sqsErrors.inc({ operation: 'dlq' });
      logger.error(
        { queue: name, messageId: message.id, err: sendError },
        'could not move a poison message to the DLQ; retrying it later',
      );
      return false;
    }
  }

  async function settle(key: string, settled: SettledMessage): Promise<MessageOutcome> {
    const entry = held.get(key);
    const { message } = settled;
    const receiptHandle = entry?.receiptHandle ?? '';
    let outcome = settled.outcome;
    try {
      if (outcome === 'poison') {
        const moved = await moveToDlq(message, receiptHandle, settled.error);
        if (!moved) {
          if (deadLetterQueueUrl) outcome = 'failed';
          else {
            // No DLQ configured: redrive decides; make it visible again at once.
            logger.warn(
              { queue: name, messageId: message.id, err: settled.error },
              'poison message left to the redrive policy',
            );
            counts.poison++;
            metrics?.messages.inc({ outcome: 'poison' });
            void visibility.add({ Id: message.id, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 });
            return 'failed';
          }
        }
      }
      counts[outcome === 'succeeded' ? 'processed' : outcome]++;
      metrics?.messages.inc({ outcome });
      if (outcome === 'succeeded') {
        void deleter.add({ Id: message.id, ReceiptHandle: receiptHandle });
      } else if (outcome === 'failed' || outcome === 'skipped') {
        let delay: number;
        if (outcome === 'failed') {
          delay = Math.max(0, Math.min(43_200, Math.round(retryDelay(message.receiveCount, settled.error))));
          if (message.groupId !== undefined) groupDelay.set(message.groupId, delay);
          logger.warn(
            {
              queue: name,
              messageId: message.id,
              receiveCount: message.receiveCount,
              retryInSeconds: delay,
              err: settled.error,
            },
            'message failed; it will be retried',
          );
        } else {
          // Never earlier than the failed message ahead of it in its group.
          delay = groupDelay.get(message.groupId ?? '') ?? retryDelay(message.receiveCount, settled.error);
        }
        void visibility.add({ Id: message.id, ReceiptHandle: receiptHandle, VisibilityTimeout: delay });
      }
      return outcome;
    } finally {
      release(key);
    }
  }

  function dispatch(raw: Message[]) {
    const now = Date.now();
    const batch: { key: string; message: QueueMessage }[] = [];
    let oldestSent = Infinity;
    for (const m of raw) {
      if (!m.MessageId || !m.ReceiptHandle) continue;
      const controller = new AbortController();
      const sentAt = m.Attributes?.SentTimestamp ? Number(m.Attributes.SentTimestamp) : undefined;
      if (sentAt !== undefined) oldestSent = Math.min(oldestSent, sentAt);
      const message: QueueMessage = {
        id: m.MessageId,
        body: m.Body ?? '',
        attributes: Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).flatMap(([k, v]) =>
            v.StringValue !== undefined ? [[k, v.StringValue]] : [],
          ),
        ),
        groupId: m.Attributes?.MessageGroupId,
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
        sentAt,
        traceHeader: m.Attributes?.AWSTraceHeader,
        signal: controller.signal,
      };
      const key = `${m.MessageId}:${m.ReceiptHandle}`;
      held.set(key, { message, receiptHandle: m.ReceiptHandle, controller, nextExtendAt: now + heartbeatMs });
      batch.push({ key, message });
    }
    oldestReceivedAgeMs = Number.isFinite(oldestSent) ? Math.max(0, now - oldestSent) : oldestReceivedAgeMs;
    counts.received += batch.length;
    metrics?.inFlight.set(held.size);
    const keyOf = new Map(batch.map((b) => [b.message, b.key]));

    const wrapped: MessageHandler = async (message) => {
      active++;
      const stopTimer = metrics?.duration.startTimer();
      const timeout = options.handlerTimeoutMs
        ? setTimeout(
            () =>
              held
                .get(keyOf.get(message) ?? '')
                ?.controller.abort(new Error(`handler timed out after ${options.handlerTimeoutMs} ms`)),
            options.handlerTimeoutMs,
          )
        : undefined;
      try {
        await handler(message);
      } finally {
        if (timeout) clearTimeout(timeout);
        stopTimer?.();
        active--;
      }
    };

    void runBatch(
      batch.map((b) => b.message),
      wrapped,
      { fifo, isPoison, settle: (s) => settle(keyOf.get(s.message) ?? '', s) },
    ).catch((error) => logger.error({ queue: name, err: error }, 'batch processing crashed'));
  }

  /** Waits for room, then reserves it in the same tick (pollers must not both take the same slots). */
  async function reserveCapacity(): Promise<number> {
    for (;;) {
      if (stopping) return 0;
      const lim = limit();
      const free = lim - held.size - reserved;
      // Receive in reasonably full batches at high limits; one by one at small ones.
      const minFill = Math.min(batchSize, Math.max(1, Math.floor(lim / 20)));
      if (free >= minFill) {
        const want = Math.min(batchSize, free);
        reserved += want;
        return want;
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          capacityWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, 100);
        capacityWaiters.add(done);
      });
    }
  }

  async function pollLoop(): Promise<void> {
    let errorDelay = 0;
    while (!stopping) {
      const want = await reserveCapacity();
      if (want <= 0) break;
      let messages: Message[] = [];
      try {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: want,
            WaitTimeSeconds: waitTimeSeconds,
            VisibilityTimeout: visibilityTimeoutSeconds,
            AttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: receiveAbort.signal },
        );
        messages = out.Messages ?? [];
        errorDelay = 0;
      } catch (error) {
        if (stopping) break;
        counts.receiveErrors++;
        metrics?.sqsErrors.inc({ operation: 'receive' });
        errorDelay = Math.min(20_000, Math.max(500, errorDelay * 2));
        logger.error({ queue: name, err: error, retryInMs: errorDelay }, 'ReceiveMessage failed');
        // Stop wakes it early (node's timer removes its abort listener, unlike a hand-made sleep).
        await sleep(errorDelay * (0.5 + Math.random() / 2), undefined, { signal: receiveAbort.signal }).catch(
          () => undefined,
        );
        continue;
      } finally {
        reserved -= want;
      }
      if (messages.length) dispatch(messages);
      else oldestReceivedAgeMs = 0;
    }
  }

  async function extendDue(): Promise<void> {
    const now = Date.now();
    const due = [...held.entries()].filter(([, h]) => h.nextExtendAt <= now && !h.controller.signal.aborted);
    for (let i = 0; i < due.length; i += 10) {
      const chunk = due.slice(i, i + 10);
      const entries = chunk.map(([, h], j) => ({
        Id: String(j),
        ReceiptHandle: h.receiptHandle,
        VisibilityTimeout: visibilityTimeoutSeconds,
      }));
      try {
        const out = await sqs.send(
          new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
        );
        const failedIds = new Map((out.Failed ?? []).map((f) => [f.Id, f]));
        chunk.forEach(([, h], j) => {
          const failure = failedIds.get(String(j));
          if (!failure) {
            counts.visibilityExtensions++;
            h.nextExtendAt = Date.now() + heartbeatMs;
            return;
          }
          counts.visibilityFailures++;
          if (failure.SenderFault) {
            // The receipt handle is no longer ours: another consumer may get the message.
            logger.warn(
              { queue: name, messageId: h.message.id, code: failure.Code },
              'lost visibility of a running message',
            );
            h.controller.abort(new Error(`visibility lost: ${failure.Code ?? 'unknown'}`));
          } else h.nextExtendAt = Date.now() + 1000;
        });
      } catch (error) {
        metrics?.sqsErrors.inc({ operation: 'extend' });
        logger.warn({ queue: name, err: error }, 'visibility extension failed; retrying');
        for (const [, h] of chunk) h.nextExtendAt = Date.now() + 1000;
      }
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      stopping = false;
      receiveAbort = new AbortController();
      loops = Array.from({ length: Math.max(1, pollers) }, () => pollLoop());
      if (extendVisibility) {
        let ticking = false;
        heartbeat = setInterval(
          () => {
            if (ticking) return;
            ticking = true;
            void extendDue().finally(() => (ticking = false));
          },
          Math.min(1000, heartbeatMs / 2),
        );
        heartbeat.unref();
      }
      logger.info({ queue: name, fifo, pollers, limit: limit() }, 'queue consumer started');
    },

    async stop({ drainTimeoutMs = 30_000 } = {}) {
      if (!running) return { drained: true, abandoned: 0 };
      stopping = true;
      receiveAbort.abort(new Error('consumer stopping'));
      wakeCapacity();
      await Promise.allSettled(loops);
      let drained = held.size === 0;
      if (!drained) {
        logger.info({ queue: name, inFlight: held.size, drainTimeoutMs }, 'draining in-flight messages');
        drained = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => {
            idleWaiters.delete(done);
            resolve(false);
          }, drainTimeoutMs);
          const done = () => {
            clearTimeout(timer);
            idleWaiters.delete(done);
            resolve(true);
          };
          idleWaiters.add(done);
          if (held.size === 0) done();
        });
      }
      let abandoned = 0;
      if (!drained) {
        abandoned = held.size;
        logger.error(
          { queue: name, abandoned },
          'drain timed out; aborting handlers (their messages return after the visibility timeout)',
        );
        for (const h of held.values()) h.controller.abort(new Error('consumer stopped'));
        await sleep(200);
      }
      if (heartbeat) clearInterval(heartbeat);
      await Promise.all([deleter.flush(), visibility.flush()]);
      running = false;
      logger.info({ queue: name, ...counts, drained }, 'queue consumer stopped');
      return { drained, abandoned };
    },

    stats() {
      return {
        queue: name,
        running: running && !stopping,
        limit: limit(),
        inFlight: held.size,
        active,
        receiving: reserved,
        ...counts,
        oldestReceivedAgeMs,
      };
    },
  };
}
