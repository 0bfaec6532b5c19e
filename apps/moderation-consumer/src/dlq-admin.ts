import { Router, type Request, type Response } from 'express';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { jsonBody, sendJson, type Logger } from '@manga-assist/service-runtime';
import {
  countByReason,
  createDlqTurns,
  listDlq,
  readRedriveRequest,
  redriveDlq,
  type DlqMessage,
  type RedriveResult,
} from '@manga-assist/queue-consumer';
import type { OutboundPort, OutboundTarget } from './ports';

export interface DlqAdminDeps {
  sqs: SQSClient;
  /** The moderation queue: where parked events go back to. */
  queueUrl: string;
  /** Where the consumer parks events it gave up on. */
  dlqUrl: string;
  /** Where undeliverable outbound webhooks are parked (the same queue by default). */
  outboundDlqUrl: string;
  outbound: OutboundPort;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

const isOutbound = (m: DlqMessage) => m.attributes.kind === 'outbound_webhook';

function describe(m: DlqMessage) {
  if (isOutbound(m))
    return { kind: 'outbound_webhook', target: m.attributes.target, webhookId: m.attributes.webhook_id };
  let detailType: string | undefined;
  try {
    detailType = (JSON.parse(m.body) as { 'detail-type'?: string })['detail-type'];
  } catch {
    /* not JSON: listed as is */
  }
  return { kind: 'event', detailType };
}

/**
 * Recovery after an outage: `GET /admin/dlq` lists the parked events and outbound webhooks with
 * their reasons; `POST /admin/dlq/redrive` (all, or those whose reason contains `reason`) sends
 * events back to the moderation queue and delivers parked outbound webhooks again (one that fails
 * again is parked again with its new reason).
 */
export function createDlqAdminRouter(deps: DlqAdminDeps): Router {
  const { sqs, logger } = deps;
  const dlqs = [...new Set([deps.dlqUrl, deps.outboundDlqUrl])];
  const router = Router();
  const exclusive = createDlqTurns();

  router.get('/admin/dlq', async (req: Request, res: Response) => {
    const reason = typeof req.query.reason === 'string' ? req.query.reason.toLowerCase() : undefined;
    const all = await exclusive(async () =>
      (await Promise.all(dlqs.map((dlqUrl) => listDlq({ sqs, dlqUrl })))).flat(),
    );
    const messages = all.filter((m) => !reason || m.reason.toLowerCase().includes(reason));
    sendJson(res, 200, {
      count: messages.length,
      byReason: countByReason(messages),
      messages: messages.map((m) => ({
        messageId: m.messageId,
        reason: m.reason,
        sentAt: m.sentAt,
        ...describe(m),
      })),
    });
  });

  const redriveBody = jsonBody({ limitBytes: 16 * 1024 });
  router.post('/admin/dlq/redrive', redriveBody, async (req: Request, res: Response) => {
    const request = readRedriveRequest(req, res);
    if (!request) return;
    const startedAt = Date.now();
    const results: RedriveResult[] = await exclusive(async () => {
      const out: RedriveResult[] = [];
      for (const dlqUrl of dlqs) {
        out.push(
          await redriveDlq({
            sqs,
            dlqUrl,
            sourceUrl: deps.queueUrl,
            reason: request.reason,
            parkedBefore: startedAt,
            takeOver: async (m) => {
              if (!isOutbound(m)) return false;
              const record = JSON.parse(m.body) as {
                target: OutboundTarget;
                webhook_id: string;
                payload: Record<string, unknown>;
              };
              // Delivered, or parked again as a new message with its new reason: either way this one is done.
              await deps.outbound.deliver(record.target, record.webhook_id, record.payload);
              return true;
            },
          }),
        );
      }
      return out;
    });
    const total = {
      moved: results.reduce((n, r) => n + r.moved, 0),
      redelivered: results.reduce((n, r) => n + r.handled, 0),
      kept: results.reduce((n, r) => n + r.kept, 0),
      failures: results.flatMap((r) => r.failures),
    };
    logger.info({ ...total, reason: request.reason }, 'DLQ redrive');
    sendJson(res, 200, total);
  });

  return router;
}
