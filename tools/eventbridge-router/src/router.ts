import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { resolvePath, toSqsMessageBody, type EventEnvelope, type EventPattern, type RoutingRule } from '@manga-assist/event-schemas';
import { isValidXrayTraceHeader } from '@manga-assist/service-runtime';
import { createArchive } from './archive';
import { InvalidEventPatternError } from './pattern/errors';
import { matchesPattern } from './pattern/match';
import { validatePattern } from './pattern/validate';
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
  rules: RoutingRule[];
  /** Queue name -> URL exactly as CreateQueue returned it. */
  queueUrls: Record<string, string>;
  region?: string;
  account?: string;
  /** JSONL file every accepted event is appended to (the bus archive). */
  archivePath?: string;
  archiveMemoryLimit?: number;
  /** Attempts to deliver one event to one queue before the entry is answered InternalFailure. */
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
  readonly stats: { putEventsCalls: number; accepted: number; failedEntries: number; deliveries: number; deliveryRetries: number };
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
  if (entry.TraceHeader !== undefined) return isValidXrayTraceHeader(entry.TraceHeader) ? entry.TraceHeader : undefined;
  return isValidXrayTraceHeader(httpTraceHeader) ? httpTraceHeader : undefined;
}

const ignore = () => undefined;
const silentLogger: RouterLogger = { info: ignore, warn: ignore, error: ignore };

export async function startEventBridgeRouter(options: EventBridgeRouterOptions): Promise<EventBridgeRouter> {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '000000000000';
  const deliveryAttempts = options.deliveryAttempts ?? 3;
  const log = options.logger ?? silentLogger;
  const { rules, queueUrls, sqs } = options;

  for (const rule of rules) {
    try {
      validatePattern(rule.pattern);
    } catch (error) {
      if (error instanceof InvalidEventPatternError) throw new InvalidEventPatternError(error.problems.map((p) => `${rule.name}: ${p}`));
      throw error;
    }
    if (!queueUrls[rule.target.queueName]) {
      throw new Error(`Rule ${rule.name} targets queue ${rule.target.queueName}, which has no URL`);
    }
  }

  const archive = createArchive({ path: options.archivePath, memoryLimit: options.archiveMemoryLimit });
  const stats = { putEventsCalls: 0, accepted: 0, failedEntries: 0, deliveries: 0, deliveryRetries: 0 };
  const failures: (InjectedFailure & { remaining: number })[] = [];

  async function sendToQueue(
    rule: RoutingRule,
    envelope: EventEnvelope,
    dedupSuffix = '',
    traceHeader?: string,
  ): Promise<void> {
    const queueName = rule.target.queueName;
    const fifo = queueName.endsWith('.fifo');
    let groupId: string | undefined;
    if (fifo) {
      groupId = rule.target.messageGroupIdPath ? resolvePath(rule.target.messageGroupIdPath, envelope) : undefined;
      if (!groupId) {
        groupId = rule.name;
        log.warn({ rule: rule.name, eventId: envelope.id }, 'FIFO group id path missing in event; grouping by rule name');
      }
    }
    const command = new SendMessageCommand({
      QueueUrl: queueUrls[queueName],
      // Same JSON value as AWS sends; astral characters escaped for fauxqs (see toSqsMessageBody).
      MessageBody: toSqsMessageBody(envelope),
      ...(fifo ? { MessageGroupId: groupId, MessageDeduplicationId: `${envelope.id}${dedupSuffix}`.slice(0, 128) } : {}),
      // EventBridge hands an SQS target the event's trace header as the AWSTraceHeader system
      // attribute, never inside the event itself.
      ...(traceHeader ? { MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: traceHeader } } } : {}),
    });
    for (let attempt = 1; ; attempt++) {
      try {
        await sqs.send(command);
        stats.deliveries++;
        return;
      } catch (error) {
        if (attempt >= deliveryAttempts) throw error;
        stats.deliveryRetries++;
        await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      }
    }
  }

  async function deliver(envelope: EventEnvelope, bus: string, dedupSuffix = '', traceHeader?: string): Promise<string[]> {
    const matched = rules.filter((rule) => rule.eventBusName === bus && matchesPattern(rule.pattern, envelope));
    for (const rule of matched) await sendToQueue(rule, envelope, dedupSuffix, traceHeader);
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
      try {
        const ruleNames = await deliver(envelope, bus, '', traceHeaderOf(entry, httpTraceHeader));
        await archive.append(envelope);
        stats.accepted++;
        log.info({ requestId, eventId: envelope.id, detailType: envelope['detail-type'], bus, rules: ruleNames }, 'event routed');
        results.push({ EventId: envelope.id });
      } catch (error) {
        log.error({ requestId, eventId: envelope.id, err: (error as Error).message }, 'delivery to SQS failed');
        results.push({ ErrorCode: 'InternalFailure', ErrorMessage: `Delivery failed: ${(error as Error).message}` });
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
      if (req.method !== 'POST') return fail(405, 'UnknownOperationException', `Method ${req.method} is not supported`);
      const target = String(req.headers['x-amz-target'] ?? '');
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY_BYTES) return fail(413, 'RequestEntityTooLargeException', 'Request body too large');
        chunks.push(chunk as Buffer);
      }
      if (target !== 'AWSEvents.PutEvents') {
        return fail(400, 'UnknownOperationException', `Operation ${target || '(none)'} is not supported by the local router`);
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return fail(400, 'SerializationException', 'Request body is not valid JSON');
      }
      const httpTraceHeader = req.headers['x-amzn-trace-id'];
      reply(200, await putEvents(body, requestId, Array.isArray(httpTraceHeader) ? httpTraceHeader[0] : httpTraceHeader));
    } catch (error) {
      if (error instanceof RequestError) return fail(error.status, error.type, error.message);
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
  log.info({ url, rules: rules.map((r) => r.name) }, 'EventBridge local router listening');

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
        // Replays go to every rule of the bus the rules live on; dedup ids differ from the original.
        const buses = new Set(rules.map((r) => r.eventBusName));
        for (const bus of buses) await deliver(replayed, bus, `:${replayName}`);
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
