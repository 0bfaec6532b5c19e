import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { httpError, sendHttpError, type Logger } from '@manga-assist/service-runtime';
import { listDlq, redriveDlq, type DlqTurns } from '@manga-assist/queue-consumer';
import type { JobStore } from './job-store';
import { salvageJobId } from './messages';

export interface DlqAdminDeps {
  sqs: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  jobs: JobStore;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Shared with the job reaper, so one never lists while the other holds the messages. */
  exclusive: DlqTurns;
}

const INVALID_REDRIVE = {
  ja: '再投入の指定が不正です (reason のみ指定できます)。',
  en: 'The redrive request is invalid (only `reason` may be given).',
};

export const redriveSchema = z.object({ reason: z.string().min(1).max(500).optional() }).strict();

/**
 * Recovery after an outage: `GET /admin/dlq` lists the parked jobs with their reasons (counted by
 * reason), `POST /admin/dlq/redrive` sends them back to the queue, all or those whose reason
 * contains `reason`, each job going back to `queued` first.
 */
export function createDlqAdminRouter({
  sqs,
  queueUrl,
  dlqUrl,
  jobs,
  logger,
  exclusive,
}: DlqAdminDeps): Router {
  const router = Router();

  router.get('/admin/dlq', async (req: Request, res: Response) => {
    const reason = typeof req.query.reason === 'string' ? req.query.reason.toLowerCase() : undefined;
    const messages = (await exclusive(() => listDlq({ sqs, dlqUrl }))).filter(
      (m) => !reason || m.reason.toLowerCase().includes(reason),
    );
    const byReason: Record<string, number> = {};
    for (const m of messages) byReason[m.reason] = (byReason[m.reason] ?? 0) + 1;
    res.json({
      count: messages.length,
      byReason,
      messages: messages.map((m) => ({
        messageId: m.messageId,
        jobId: salvageJobId(m.body, m.messageId),
        reason: m.reason,
        sourceReceiveCount: m.sourceReceiveCount,
        sentAt: m.sentAt,
        groupId: m.groupId,
      })),
    });
  });

  router.post('/admin/dlq/redrive', express.json({ limit: '16kb' }), async (req: Request, res: Response) => {
    const parsed = redriveSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      sendHttpError(
        req,
        res,
        httpError('INVALID_REDRIVE', 400, INVALID_REDRIVE, {
          issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        }),
      );
      return;
    }
    const result = await exclusive(() =>
      redriveDlq({
        sqs,
        dlqUrl,
        sourceUrl: queueUrl,
        reason: parsed.data.reason,
        beforeMove: async (m) => {
          await jobs.requeue(salvageJobId(m.body, m.messageId));
        },
      }),
    );
    logger.info({ ...result, reason: parsed.data.reason }, 'DLQ redrive');
    res.json(result);
  });

  return router;
}
