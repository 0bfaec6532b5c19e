import { Router, type Request, type Response } from 'express';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { jsonBody, sendJson, type Logger } from '@manga-assist/service-runtime';
import {
  countByReason,
  listDlq,
  readRedriveRequest,
  redriveDlq,
  type DlqTurns,
} from '@manga-assist/queue-consumer';
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
    sendJson(res, 200, {
      count: messages.length,
      byReason: countByReason(messages),
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

  const redriveBody = jsonBody({ limitBytes: 16 * 1024 });
  router.post('/admin/dlq/redrive', redriveBody, async (req: Request, res: Response) => {
    const request = readRedriveRequest(req, res);
    if (!request) return;
    const result = await exclusive(() =>
      redriveDlq({
        sqs,
        dlqUrl,
        sourceUrl: queueUrl,
        reason: request.reason,
        beforeMove: async (m) => {
          await jobs.requeue(salvageJobId(m.body, m.messageId));
        },
      }),
    );
    logger.info({ ...result, reason: request.reason }, 'DLQ redrive');
    sendJson(res, 200, result);
  });

  return router;
}
