import type { FmClient } from '@manga-assist/fm-client';
import type { Logger } from '@manga-assist/service-runtime';
import type { SessionStore } from './session-store';
import { summaryRequest } from './prompt';
import type { GatewayMetrics } from './metrics';

export interface Summarizer {
  /** Queues a summarisation for the session when it has more than `afterTurns` exchanges unsummarised. */
  maybeSchedule(session: { sessionId: string; userId: string; messages: unknown[] }): void;
  /** Resolves when the queue is empty (tests, shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
  readonly pending: number;
}

/**
 * Off the request's critical path: a bounded in-process queue (one job per session at a time),
 * worked by a small number of workers. Older exchanges are folded by Haiku into the session's
 * summary; a failure is logged and counted and the next message schedules it again.
 */
export function createSummarizer(options: {
  fm: FmClient;
  store: SessionStore;
  logger: Logger;
  metrics: GatewayMetrics;
  afterTurns: number;
  keepRecentTurns: number;
  queueMax: number;
  concurrency?: number;
  deadlineMs: number;
  model?: string;
}): Summarizer {
  const queue: { sessionId: string; userId: string }[] = [];
  const queued = new Set<string>();
  let running = 0;
  let stopped = false;
  let idleWaiters: (() => void)[] = [];
  const concurrency = options.concurrency ?? 2;

  const settleIdle = () => {
    if (running === 0 && queue.length === 0) {
      for (const w of idleWaiters.splice(0)) w();
    }
  };

  async function work(job: { sessionId: string; userId: string }) {
    const log = options.logger.child({ sessionId: job.sessionId, task: 'summarize' });
    try {
      const session = await options.store.get(job.sessionId, job.userId);
      if (!session || session.messages.length / 2 <= options.afterTurns) {
        options.metrics.summary('skipped');
        return;
      }
      const cut = session.messages.length - options.keepRecentTurns * 2;
      const older = session.messages.slice(0, cut);
      const through = older[older.length - 1];
      const request = summaryRequest(session.summary, older);
      const response = await options.fm.invoke(
        { model: options.model ?? 'haiku', ...request, maxTokens: 400, temperature: 0 },
        { deadlineMs: options.deadlineMs, sessionId: job.sessionId, cache: false, variant: 'summary' },
      );
      const summary = response.text.trim();
      if (!summary) throw new Error('empty summary');
      const applied = await options.store.applySummary(job.sessionId, job.userId, summary, through);
      options.metrics.summary(applied ? 'applied' : 'superseded');
      log.info(
        { throughSeq: through.seq, folded: older.length, summaryChars: summary.length },
        'older turns summarised',
      );
    } catch (error) {
      options.metrics.summary('failed');
      log.warn(
        { err: (error as Error).message },
        'summarisation failed (the conversation goes on; retried on the next message)',
      );
    }
  }

  function pump() {
    while (!stopped && running < concurrency && queue.length > 0) {
      const job = queue.shift()!;
      running++;
      void work(job).finally(() => {
        running--;
        queued.delete(job.sessionId);
        pump();
        settleIdle();
      });
    }
  }

  return {
    maybeSchedule(session) {
      if (stopped || session.messages.length / 2 <= options.afterTurns || queued.has(session.sessionId))
        return;
      if (queue.length >= options.queueMax) {
        options.metrics.summary('queue_full');
        options.logger.warn(
          { sessionId: session.sessionId, queued: queue.length },
          'summary queue full; will retry on the next message',
        );
        return;
      }
      queued.add(session.sessionId);
      queue.push({ sessionId: session.sessionId, userId: session.userId });
      pump();
    },
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      }),
    async stop() {
      stopped = true;
      queue.length = 0;
      queued.clear();
      if (running > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
      idleWaiters = [];
    },
    get pending() {
      return queue.length + running;
    },
  };
}
