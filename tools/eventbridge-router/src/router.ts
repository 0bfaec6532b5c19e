import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { toSqsMessageBody, type EventEnvelope, type EventPattern } from '@manga-assist/event-schemas';
import { isValidXrayTraceHeader } from '@manga-assist/service-runtime';
import { createArchive } from './archive';
import { AwsApiError, createControlPlane, type RuleState, type SqsTarget } from './control-plane';
import { matchesPattern } from './pattern/match';
import { buildEnvelope, RequestError, validateRequest, type EntryResult, type WireEntry } from './put-events';

export interface RouterLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface EventBridgeRouterOptions {
  port?: number;
  host?: string;
  sqs: SQSClient;
  /**
   * Queue name -> URL exactly as CreateQueue returned it. Targets name queues by ARN; a queue not
   * listed here is looked up with GetQueueUrl on first delivery.
   */
  queueUrls?: Record<string, string>;
  region?: string;
  account?: string;
  /** JSONL file every accepted event is appended to (the bus archive). */
  archivePath?: string;
  archiveMemoryLimit?: number;
  /**
   * Attempts to deliver one event to one target (capped by the target's RetryPolicy) before it goes
   * to the target's dead-letter queue, or, without one, the entry is answered InternalFailure.
   */
  deliveryAttempts?: number;
  logger?: RouterLogger;
}

export interface ReplayFilter {
  pattern?: EventPattern;
  from?: Date;
  to?: Date;
  replayName?: string;
}

export interface InjectedFailure {
  /** How many upcoming entries fail (each matching entry consumes one). */
  count: number;
  errorCode?: string;
  errorMessage?: string;
  /** Only entries for which this holds fail (default: any). */
  match?: (entry: WireEntry) => boolean;
}

export interface EventBridgeRouter {
  url: string;
  port: number;
  /** Accepted events, oldest first (memory part of the archive). */
  archived(): EventEnvelope[];
  /** Re-delivers archived events (from the file when there is one) through the rules; returns how many. */
  replay(filter?: ReplayFilter): Promise<number>;
  /** Test hook: upcoming entries are answered as failed, as EventBridge does on an internal fault. */
  injectFailures(failure: InjectedFailure): void;
  readonly stats: {
    putEventsCalls: number;
    accepted: number;
    failedEntries: number;
    deliveries: number;
    deliveryRetries: number;
    /** Events sent to a target's dead-letter queue after its delivery attempts ran out. */
    deadLettered: number;
  };
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const JSON_11 = 'application/x-amz-json-1.1';

/**
 * The X-Ray trace header EventBridge passes to targets: the entry's TraceHeader, which overrides
 * the request's X-Amzn-Trace-Id HTTP header; one that is not a valid X-Ray header is dropped (the
 * event is still routed). Archived and replayed events carry none.
 */
export function traceHeaderOf(entry: WireEntry, httpTraceHeader: string | undefined): string | undefined {
  if (entry.TraceHeader !== undefined)
    return isValidXrayTraceHeader(entry.TraceHeader) ? entry.TraceHeader : undefined;
  return isValidXrayTraceHeader(httpTraceHeader) ? httpTraceHeader : undefined;
}

const ignore = () => undefined;
const silentLogger: RouterLogger = { info: ignore, warn: ignore, error: ignore };

export async function startEventBridgeRouter(options: EventBridgeRouterOptions): Promise<EventBridgeRouter> {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '000000000000';
  const deliveryAttempts = options.deliveryAttempts ?? 3;
  const log = options.logger ?? silentLogger;
  const { sqs } = options;
  const queueUrls = new Map(Object.entries(options.queueUrls ?? {}));
  const controlPlane = createControlPlane({ region, account });

  const archive = createArchive({ path: options.archivePath, memoryLimit: options.archiveMemoryLimit });
  const stats = {
    putEventsCalls: 0,
    accepted: 0,
    failedEntries: 0,
    deliveries: 0,
    deliveryRetries: 0,
    deadLettered: 0,
  };
  const failures: (InjectedFailure & { remaining: number })[] = [];

  /** `arn:aws:sqs:region:account:name` -> the queue URL (as CreateQueue / GetQueueUrl answer it). */
  async function queueUrlOf(arn: string): Promise<string> {
    const name = arn.slice(arn.lastIndexOf(':') + 1);
    let url = queueUrls.get(name);
    if (!url) {
      url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
      if (!url) throw new Error(`No URL for queue ${name}`);
      queueUrls.set(name, url);
    }
    return url;
  }

  /** What EventBridge sends to the target: the event, or the constant Input, or the value at InputPath. */
  function bodyFor(target: SqsTarget, envelope: EventEnvelope): string {
    if (target.Input !== undefined) return target.Input;
    if (target.InputPath !== undefined) {
      let value: unknown = envelope;
      for (const key of target.InputPath.split('.').slice(1)) {
        value =
          typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
      }
      return toSqsMessageBody(value ?? null);
    }
    // Same JSON value as AWS sends; astral characters escaped for fauxqs (see toSqsMessageBody).
    return toSqsMessageBody(envelope);
  }

  async function sendWithRetries(command: SendMessageCommand, attempts: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await sqs.send(command);
        stats.deliveries++;
        return;
      } catch (error) {
        if (attempt >= attempts) throw error;
        stats.deliveryRetries++;
        await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      }
    }
  }

  async function sendToTarget(
    rule: RuleState,
    target: SqsTarget,
    envelope: EventEnvelope,
    dedupSuffix: string,
    traceHeader?: string,
  ): Promise<void> {
    const fifo = target.Arn.endsWith('.fifo');
    // MessageGroupId is the target's constant, as on AWS (PutTargets refuses a FIFO target without one).
    const fifoParameters = fifo
      ? {
          MessageGroupId: target.SqsParameters?.MessageGroupId,
          MessageDeduplicationId: `${envelope.id}${dedupSuffix}`.slice(0, 128),
        }
      : {};
    const retries = target.RetryPolicy?.MaximumRetryAttempts;
    const attempts = Math.max(
      1,
      Math.min(deliveryAttempts, retries === undefined ? deliveryAttempts : retries + 1),
    );
    try {
      const command = new SendMessageCommand({
        QueueUrl: await queueUrlOf(target.Arn),
        MessageBody: bodyFor(target, envelope),
        ...fifoParameters,
        // EventBridge hands an SQS target the event's trace header as the AWSTraceHeader system
        // attribute, never inside the event itself.
        ...(traceHeader
          ? { MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: traceHeader } } }
          : {}),
      });
      await sendWithRetries(command, attempts);
    } catch (error) {
      const dlq = target.DeadLetterConfig?.Arn;
      if (!dlq) throw error;
      // As EventBridge does: the event itself, with the reason in message attributes.
      const reason = (error as Error).message.slice(0, 256) || 'delivery failed';
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: await queueUrlOf(dlq),
          MessageBody: toSqsMessageBody(envelope),
          MessageAttributes: {
            RULE_ARN: { DataType: 'String', StringValue: rule.arn },
            TARGET_ARN: { DataType: 'String', StringValue: target.Arn },
            ERROR_CODE: { DataType: 'String', StringValue: (error as Error).name || 'SDKClientException' },
            ERROR_MESSAGE: { DataType: 'String', StringValue: reason },
            EXHAUSTED_RETRY_CONDITION: { DataType: 'String', StringValue: 'MaximumRetryAttempts' },
            RETRY_ATTEMPTS: { DataType: 'Number', StringValue: String(attempts - 1) },
          },
        }),
      );
      stats.deadLettered++;
      log.warn(
        { rule: rule.name, target: target.Id, eventId: envelope.id, err: reason },
        'delivery failed; event sent to the target dead-letter queue',
      );
    }
  }

  async function deliver(
    envelope: EventEnvelope,
    bus: string,
    dedupSuffix = '',
    traceHeader?: string,
  ): Promise<string[]> {
    const matched = controlPlane.enabledRules(bus).filter((rule) => matchesPattern(rule.pattern, envelope));
    for (const rule of matched) {
      for (const target of rule.targets.values())
        await sendToTarget(rule, target, envelope, dedupSuffix, traceHeader);
    }
    return matched.map((r) => r.name);
  }

  function takeInjectedFailure(entry: WireEntry): EntryResult | undefined {
    const failure = failures.find((f) => f.remaining > 0 && (!f.match || f.match(entry)));
    if (!failure) return undefined;
    failure.remaining--;
    return {
      ErrorCode: failure.errorCode ?? 'InternalFailure',
      ErrorMessage: failure.errorMessage ?? 'Internal failure (injected by the local router)',
    };
  }

  async function putEvents(
    body: unknown,
    requestId: string,
    httpTraceHeader?: string,
  ): Promise<{ FailedEntryCount: number; Entries: EntryResult[] }> {
    const entries = validateRequest(body);
    stats.putEventsCalls++;
    const results: EntryResult[] = [];
    for (const entry of entries) {
      const injectedFailure = takeInjectedFailure(entry);
      if (injectedFailure) {
        results.push(injectedFailure);
        continue;
      }
      const built = buildEnvelope(entry, { account, region, now: new Date() });
      if ('error' in built) {
        results.push(built.error);
        continue;
      }
      const { envelope, bus } = built;
      if (!controlPlane.busNames().includes(bus)) {
        // AWS accepts the entry and drops the event (FailedEntryCount 0); say it here at least.
        log.warn(
          { requestId, eventId: envelope.id, bus },
          'event put on a bus that does not exist: dropped, as EventBridge does',
        );
      }
      try {
        const ruleNames = await deliver(envelope, bus, '', traceHeaderOf(entry, httpTraceHeader));
        await archive.append(envelope);
        stats.accepted++;
        log.info(
          { requestId, eventId: envelope.id, detailType: envelope['detail-type'], bus, rules: ruleNames },
          'event routed',
        );
        results.push({ EventId: envelope.id });
      } catch (error) {
        log.error(
          { requestId, eventId: envelope.id, err: (error as Error).message },
          'delivery to SQS failed',
        );
        results.push({
          ErrorCode: 'InternalFailure',
          ErrorMessage: `Delivery failed: ${(error as Error).message}`,
        });
      }
    }
    const failed = results.filter((r) => 'ErrorCode' in r).length;
    stats.failedEntries += failed;
    return { FailedEntryCount: failed, Entries: results };
  }

  const server = createServer((req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const reply = (status: number, payload: unknown) => {
      const text = JSON.stringify(payload);
      res.writeHead(status, {
        'content-type': JSON_11,
        'content-length': Buffer.byteLength(text),
        'x-amzn-requestid': requestId,
      });
      res.end(text);
    };
    const fail = (status: number, type: string, message: string) => reply(status, { __type: type, message });
    try {
      if (req.method !== 'POST')
        return fail(405, 'UnknownOperationException', `Method ${req.method} is not supported`);
      const target = String(req.headers['x-amz-target'] ?? '');
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY_BYTES)
          return fail(413, 'RequestEntityTooLargeException', 'Request body too large');
        chunks.push(chunk as Buffer);
      }
      const operation = target.startsWith('AWSEvents.') ? target.slice('AWSEvents.'.length) : '';
      if (operation !== 'PutEvents' && !controlPlane.has(operation)) {
        return fail(
          400,
          'UnknownOperationException',
          `Operation ${target || '(none)'} is not supported by the local router`,
        );
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return fail(400, 'SerializationException', 'Request body is not valid JSON');
      }
      if (operation === 'PutEvents') {
        const httpTraceHeader = req.headers['x-amzn-trace-id'];
        return reply(
          200,
          await putEvents(
            body,
            requestId,
            Array.isArray(httpTraceHeader) ? httpTraceHeader[0] : httpTraceHeader,
          ),
        );
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return fail(400, 'SerializationException', 'Request body must be a JSON object');
      }
      const answer = controlPlane.call(operation, body as Record<string, unknown>);
      log.info({ requestId, operation }, 'control plane call');
      reply(200, answer);
    } catch (error) {
      if (error instanceof RequestError || error instanceof AwsApiError)
        return fail(error.status, error.type, error.message);
      log.error({ requestId, err: (error as Error).message }, 'router request failed');
      if (!res.headersSent) fail(500, 'InternalException', 'Internal error in the local router');
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  log.info({ url }, 'EventBridge local router listening (rules arrive through PutRule / PutTargets)');

  return {
    url,
    port: address.port,
    archived: () => archive.list(),
    async replay(filter = {}) {
      const replayName = filter.replayName ?? `replay-${Date.now()}`;
      let count = 0;
      for (const event of await archive.readAll()) {
        const time = new Date(event.time);
        if (filter.from && time < filter.from) continue;
        if (filter.to && time > filter.to) continue;
        if (filter.pattern && !matchesPattern(filter.pattern, event)) continue;
        const replayed = { ...event, 'replay-name': replayName };
        // Replays go to the rules of every bus; dedup ids differ from the original.
        for (const bus of controlPlane.busNames()) await deliver(replayed, bus, `:${replayName}`);
        count++;
      }
      return count;
    },
    injectFailures(failure) {
      failures.push({ ...failure, remaining: failure.count });
    },
    stats,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await archive.close();
    },
  };
}
