import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** One parked message as the admin APIs list it. */
export interface DlqMessage {
  messageId: string;
  /** Why it is here: the DlqReason attribute the consumer wrote, else "receives exhausted". */
  reason: string;
  /** Receives in the source queue before it was parked (attribute written by the consumer), when known. */
  sourceReceiveCount?: number;
  sentAt?: string;
  groupId?: string;
  body: string;
  attributes: Record<string, string>;
}

interface DlqOptions {
  sqs: SQSClient;
  dlqUrl: string;
  /** At most this many messages per call (default 1000). */
  max?: number;
}

/**
 * One DLQ reader at a time within a process: a reader hides the messages it has received until it
 * is done, so a second reader at the same moment (the job reaper, an admin listing) would see fewer.
 */
export type DlqTurns = <T>(work: () => Promise<T>) => Promise<T>;

export function createDlqTurns(): DlqTurns {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>) => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** The reason given to messages SQS moved by the redrive policy (they carry no DlqReason). */
const RECEIVES_EXHAUSTED = 'receives exhausted: the redrive policy moved it after its last allowed receive';

const stringAttributes = (m: Message) =>
  Object.fromEntries(
    Object.entries(m.MessageAttributes ?? {}).flatMap(([k, v]) =>
      v.StringValue !== undefined ? [[k, v.StringValue]] : [],
    ),
  );

function view(m: Message): DlqMessage {
  const attributes = stringAttributes(m);
  const sent = m.Attributes?.SentTimestamp;
  return {
    messageId: m.MessageId ?? '',
    reason: attributes.DlqReason ?? RECEIVES_EXHAUSTED,
    ...(attributes.DlqReceiveCount ? { sourceReceiveCount: Number(attributes.DlqReceiveCount) } : {}),
    ...(sent ? { sentAt: new Date(Number(sent)).toISOString() } : {}),
    ...(m.Attributes?.MessageGroupId ? { groupId: m.Attributes.MessageGroupId } : {}),
    body: m.Body ?? '',
    attributes,
  };
}

/**
 * Receives the DLQ's messages (each batch held invisible for `holdSeconds` so the next receive
 * gets new ones) and hands each batch to `visit`, which says which to keep invisible for removal
 * (`take`) and which to give back at once. Stops at `max` or when a receive comes back empty.
 */
async function sweep(
  { sqs, dlqUrl, max = 1000 }: DlqOptions,
  visit: (batch: { message: DlqMessage; raw: Message }[]) => Promise<Set<string>>,
): Promise<void> {
  const seen = new Set<string>();
  const giveBack: { Id: string; ReceiptHandle: string; VisibilityTimeout: number }[] = [];
  try {
    while (seen.size < max) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: Math.min(10, max - seen.size),
          WaitTimeSeconds: 0,
          VisibilityTimeout: 30,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const fresh = (out.Messages ?? []).filter(
        (m) => m.MessageId && m.ReceiptHandle && !seen.has(m.MessageId),
      );
      if (fresh.length === 0) {
        for (const m of out.Messages ?? [])
          if (m.ReceiptHandle)
            giveBack.push({
              Id: String(giveBack.length),
              ReceiptHandle: m.ReceiptHandle,
              VisibilityTimeout: 0,
            });
        break;
      }
      for (const m of fresh) seen.add(m.MessageId!);
      const taken = await visit(fresh.map((raw) => ({ message: view(raw), raw })));
      for (const m of fresh)
        if (!taken.has(m.MessageId!))
          giveBack.push({
            Id: String(giveBack.length),
            ReceiptHandle: m.ReceiptHandle!,
            VisibilityTimeout: 0,
          });
    }
  } finally {
    // What was only looked at becomes visible again at once: listing never hides messages from a redrive.
    for (let i = 0; i < giveBack.length; i += 10) {
      const entries = giveBack.slice(i, i + 10).map((e, j) => ({ ...e, Id: String(j) }));
      await sqs
        .send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: dlqUrl, Entries: entries }))
        .catch(() => undefined);
    }
  }
}

/** Lists what is parked in a DLQ with the reason of each (messages stay where they are). */
export async function listDlq(options: DlqOptions): Promise<DlqMessage[]> {
  const all: DlqMessage[] = [];
  await sweep(options, async (batch) => {
    all.push(...batch.map((b) => b.message));
    return new Set();
  });
  return all;
}

interface RedriveOptions extends DlqOptions {
  /** Where the messages go back to (the queue they were consumed from). */
  sourceUrl: string;
  /** Only messages whose reason contains this text (case-insensitive); all when absent. */
  reason?: string;
  /** Only messages parked before this time (epoch ms): what fails again during the redrive stays parked. */
  parkedBefore?: number;
  /** Called before a message is sent back (e.g. its job goes back to `queued`); a throw keeps it parked. */
  beforeMove?: (message: DlqMessage) => Promise<void>;
  /**
   * Messages that do not go back to the source queue but are dealt with by the caller (e.g. an
   * outbound webhook delivered again): return true once done and the message leaves the DLQ;
   * false sends it back as usual; a throw keeps it parked.
   */
  takeOver?: (message: DlqMessage) => Promise<boolean>;
  /**
   * 'auto' (default): SQS's own StartMessageMoveTask when every message goes back and the service
   * supports it (AWS), else receive -> send -> delete (emulators without it, or a reason filter).
   */
  mode?: 'auto' | 'copy';
}

export interface RedriveResult {
  mode: 'message-move-task' | 'copy';
  /** Messages sent back (copy), or listed and handed to the move task. */
  moved: number;
  /** Messages the caller dealt with itself (takeOver). */
  handled: number;
  /** Messages that stay parked (filtered out, or their move failed). */
  kept: number;
  failures: { messageId: string; error: string }[];
  taskHandle?: string;
}

const UNSUPPORTED =
  /unsupported|not supported|invalidaction|unknownoperation|not implemented|unknown action/i;

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = out.Attributes?.QueueArn;
  if (!arn) throw new Error(`no QueueArn for ${url}`);
  return arn;
}

/**
 * Sends parked messages back to their source queue, all or those whose reason matches. The body
 * and attributes travel unchanged except the Dlq* attributes; a FIFO message keeps its group and
 * gets a fresh deduplication id (the original one may still be in the 5-minute window).
 */
export async function redriveDlq(options: RedriveOptions): Promise<RedriveResult> {
  const { sqs, dlqUrl, sourceUrl } = options;
  const filter = options.reason?.toLowerCase();
  const matches = (m: DlqMessage) =>
    (!filter || m.reason.toLowerCase().includes(filter)) &&
    (options.parkedBefore === undefined ||
      m.sentAt === undefined ||
      Date.parse(m.sentAt) < options.parkedBefore);

  if (
    !filter &&
    !options.takeOver &&
    options.parkedBefore === undefined &&
    (options.mode ?? 'auto') === 'auto'
  ) {
    const [source, dlq] = await Promise.all([queueArn(sqs, sourceUrl), queueArn(sqs, dlqUrl)]);
    try {
      // Listed first so the caller can reset what it tracks (job status), then moved by SQS itself.
      const listed = await listDlq(options);
      const failures: RedriveResult['failures'] = [];
      const started = await sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: dlq, DestinationArn: source }),
      );
      for (const m of listed) {
        await options
          .beforeMove?.(m)
          .catch((e: unknown) =>
            failures.push({ messageId: m.messageId, error: String((e as Error)?.message ?? e) }),
          );
      }
      return {
        mode: 'message-move-task',
        moved: listed.length,
        handled: 0,
        kept: 0,
        failures,
        taskHandle: started.TaskHandle,
      };
    } catch (error) {
      const text = `${(error as Error)?.name ?? ''} ${(error as Error)?.message ?? ''}`;
      if (!UNSUPPORTED.test(text)) throw error;
      // The emulator has no message move task: same result by receive -> send -> delete below.
    }
  }

  const fifo = sourceUrl.endsWith('.fifo');
  const result: RedriveResult = { mode: 'copy', moved: 0, handled: 0, kept: 0, failures: [] };
  await sweep(options, async (batch) => {
    const taken = new Set<string>();
    const chosen: { message: DlqMessage; raw: Message }[] = [];
    const handled: { Id: string; ReceiptHandle: string }[] = [];
    for (const b of batch) {
      if (!matches(b.message)) {
        result.kept++;
        continue;
      }
      try {
        if (await options.takeOver?.(b.message)) {
          result.handled++;
          taken.add(b.message.messageId);
          handled.push({ Id: String(handled.length), ReceiptHandle: b.raw.ReceiptHandle! });
          continue;
        }
        await options.beforeMove?.(b.message);
        chosen.push(b);
      } catch (error) {
        result.kept++;
        result.failures.push({
          messageId: b.message.messageId,
          error: String((error as Error)?.message ?? error),
        });
      }
    }
    if (handled.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: dlqUrl, Entries: handled }));
    if (chosen.length === 0) return taken;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: sourceUrl,
        Entries: chosen.map(({ raw, message }, i) => ({
          Id: String(i),
          MessageBody: raw.Body ?? '',
          MessageAttributes: Object.fromEntries(
            Object.entries(raw.MessageAttributes ?? {}).filter(([k]) => !k.startsWith('Dlq')),
          ),
          ...(fifo
            ? {
                MessageGroupId: message.groupId ?? message.messageId,
                MessageDeduplicationId: `redrive-${message.messageId}-${Date.now()}`,
              }
            : {}),
        })),
      }),
    );
    const failed = new Map((sent.Failed ?? []).map((f) => [Number(f.Id), f]));
    const remove: { Id: string; ReceiptHandle: string }[] = [];
    chosen.forEach(({ raw, message }, i) => {
      const f = failed.get(i);
      if (f) {
        result.kept++;
        result.failures.push({ messageId: message.messageId, error: `${f.Code}: ${f.Message ?? ''}` });
        return;
      }
      result.moved++;
      taken.add(message.messageId);
      remove.push({ Id: String(remove.length), ReceiptHandle: raw.ReceiptHandle! });
    });
    if (remove.length) await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: dlqUrl, Entries: remove }));
    return taken;
  });
  return result;
}
