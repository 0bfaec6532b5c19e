import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@manga-assist/service-runtime';
import { listDlq, type DlqTurns } from '@manga-assist/queue-consumer';
import type { JobStore } from './job-store';
import { salvageJobId } from './messages';

export interface JobReaperDeps {
  sqs: SQSClient;
  dlqUrl: string;
  jobs: JobStore;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** The queue's redrive count, for the reason text. */
  maxReceives: number;
  leaseSeconds: number;
  intervalMs: number;
  /** Messages looked at per DLQ pass and leases per scan (bounded work per sweep). */
  batchLimit?: number;
  onFailed?: (code: string) => void;
  /** Runs DLQ reads one at a time in this process (a reader hides what it reads while it reads). */
  exclusive?: DlqTurns;
}

export interface JobReaper {
  /** One pass: jobs whose message is in the DLQ, then in-progress jobs past their lease. */
  sweep(): Promise<{ fromDlq: number; expiredLeases: number }>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Gives every job an end. A job whose message exhausted its receives (the worker died on its last
 * one, so nothing recorded the failure) sits in the DLQ while its status says queued or
 * in_progress: it is marked failed with the DLQ's reason. An in-progress job past its lease has
 * no worker left (a running job renews its lease at every receive): it is marked failed too; if its
 * message does come back, the worker takes it up again. Only unfinished jobs are touched.
 */
export function createJobReaper(deps: JobReaperDeps): JobReaper {
  const { jobs, logger } = deps;
  const limit = deps.batchLimit ?? 500;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  async function sweep() {
    let fromDlq = 0;
    let expiredLeases = 0;
    const exclusive = deps.exclusive ?? ((work) => work());
    for (const m of await exclusive(() => listDlq({ sqs: deps.sqs, dlqUrl: deps.dlqUrl, max: limit }))) {
      const jobId = salvageJobId(m.body, m.messageId);
      const reason = m.attributes.DlqReason
        ? `moved to the DLQ: ${m.reason}`
        : `its message failed ${deps.maxReceives} receives (the last one without a recorded outcome, e.g. the worker died) and was moved to the DLQ`;
      if (await jobs.failUnfinished(jobId, { code: 'RETRIES_EXHAUSTED', reason })) {
        fromDlq++;
        deps.onFailed?.('RETRIES_EXHAUSTED');
        logger.warn({ jobId, messageId: m.messageId, reason }, 'job in the DLQ marked failed');
      }
    }
    for (const job of await jobs.expiredLeases(limit)) {
      const reason = `no worker finished it within its ${deps.leaseSeconds} s lease (started ${job.startedAt ?? '?'}, attempt ${job.attempts})`;
      if (await jobs.failUnfinished(job.jobId, { code: 'LEASE_EXPIRED', reason })) {
        expiredLeases++;
        deps.onFailed?.('LEASE_EXPIRED');
        logger.warn({ jobId: job.jobId, reason }, 'job past its lease marked failed');
      }
    }
    return { fromDlq, expiredLeases };
  }

  return {
    sweep,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        if (running) return;
        running = sweep()
          .catch((error: unknown) =>
            logger.error({ err: error }, 'job reaper sweep failed; next sweep retries'),
          )
          .finally(() => (running = undefined));
      }, deps.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
