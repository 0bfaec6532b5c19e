// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- dynalite ships no types; this shared declaration must reach every project whose tests compile the stack
/// <reference path="../../../types/dynalite.d.ts" />
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import dynalite from 'dynalite';
import {
  createAwsClients,
  DEFAULT_RESOURCE_NAMES,
  ttlAttributes,
  type AwsClients,
  type ResourceNames,
} from '@manga-assist/aws-clients';
import { startEventBridgeRouter, type EventBridgeRouter } from '@manga-assist/eventbridge-router';
import {
  startBedrockEmulator,
  type BedrockEmulator,
  type BedrockEmulatorOptions,
} from '@manga-assist/bedrock-emulator';
import { addAwsTraceHeaderSupport } from './sqs-trace-header';
import { provision, type ResourceChange } from './provision';
import { startTtlSweep, type TtlSweep, type TtlSweepOptions } from './ttl-sweep';
import { DEFAULT_REDIS_URL, probeRedis } from './redis';

export interface LocalStackOptions {
  /** Fixed ports for `npm start`; tests leave them at 0 (random). */
  ports?: { dynamodb?: number; sqs?: number; bedrock?: number; eventbridge?: number };
  host?: string;
  names?: ResourceNames;
  /** Redis: 'auto' uses it when it answers; 'required' throws when it does not; false skips it. */
  redis?: 'auto' | 'required' | false;
  redisUrl?: string;
  /** Receives before a message goes to its DLQ. */
  maxReceiveCount?: number;
  /**
   * Bedrock Runtime emulator (a development stand-in, not a model). Default on with profile
   * 'zero' (no latency); `{ profile: 'demo' }` lets people watch answers stream.
   */
  bedrock?: boolean | Pick<BedrockEmulatorOptions, 'profile' | 'timeScale' | 'faults' | 'seed' | 'logger'>;
  /** Start the EventBridge local router with the platform's routing rules (default true). */
  eventbridge?: boolean;
  /** JSONL archive file for the EventBridge router (default: memory only). */
  archivePath?: string;
  /**
   * Deletes items whose `ttl` has passed, as DynamoDB TTL does (dynalite does not): every
   * `intervalMs` (default 60 s). false turns it off.
   */
  ttlSweep?: false | Pick<TtlSweepOptions, 'intervalMs' | 'onSweep' | 'onError'>;
}

export interface LocalStack {
  names: ResourceNames;
  endpoints: { dynamodb: string; sqs: string };
  /** Queue name -> URL as CreateQueue returned it. */
  queueUrls: Record<string, string>;
  /** REDIS_URL when Redis answers, else undefined (services then run degraded). */
  redisUrl: string | undefined;
  /** A key prefix unique to this stack, so tests sharing one Redis never collide. */
  redisKeyPrefix: string;
  /** Environment variables that point a service at this stack. */
  env: Record<string, string>;
  /** SDK clients aimed at this stack. */
  clients: AwsClients;
  /** The Bedrock emulator handle (faults, stats, profile), unless `bedrock: false`. */
  bedrock?: BedrockEmulator;
  /** The EventBridge local router (PutEvents -> rules -> SQS), unless `eventbridge: false`. */
  router?: EventBridgeRouter;
  /** What provisioning did, resource by resource (tables, TTL, queues, bus, rules, targets, policies). */
  provisioned: ResourceChange[];
  /** The TTL sweep (`sweep()` runs one now), unless `ttlSweep: false`. */
  ttlSweep?: TtlSweep;
  stop(): Promise<void>;
}

/** Starts DynamoDB (dynalite) and SQS (fauxqs) in-process, finds Redis, and provisions everything. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const names = options.names ?? DEFAULT_RESOURCE_NAMES;
  const stops: (() => Promise<void>)[] = [];
  try {
    const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve, reject) => {
      dynamo.once('error', reject);
      dynamo.listen(options.ports?.dynamodb ?? 0, host, () => resolve());
    });
    stops.push(() => new Promise<void>((resolve) => dynamo.close(() => resolve())));
    const dynamodbEndpoint = `http://${host}:${(dynamo.address() as AddressInfo).port}`;

    // fauxqs ships ES modules only (exports has just an `import` condition): load it with import()
    // so that CommonJS runners (tsx for npm start, Jest) both resolve it. Its app is built here
    // rather than with startFauxqs so that AWSTraceHeader can be added (see sqs-trace-header.ts)
    // and it listens on `host` only (startFauxqs binds 0.0.0.0).
    const { buildApp } = await import('fauxqs');
    const sqsApp = buildApp({ logger: false, host });
    addAwsTraceHeaderSupport(sqsApp as unknown as Parameters<typeof addAwsTraceHeaderSupport>[0]);
    const sqsAddress = new URL(await sqsApp.listen({ port: options.ports?.sqs ?? 0, host }));
    stops.push(() => sqsApp.close());
    const sqsEndpoint = `http://${host}:${sqsAddress.port}`;

    // Clients are created lazily on first use, so endpoints added below (EventBridge router)
    // still reach them as long as they are set before the stack is returned.
    const clientConfig: Parameters<typeof createAwsClients>[0] = {
      region: 'us-east-1',
      endpoints: { dynamodb: dynamodbEndpoint, sqs: sqsEndpoint },
      maxSockets: 64,
    };
    const clients = createAwsClients(clientConfig);
    stops.push(async () => clients.destroy());

    // The router starts empty; provisioning puts the bus, rules and targets on it through the
    // EventBridge API, exactly as it does on AWS (one provisioning path).
    let router: EventBridgeRouter | undefined;
    if (options.eventbridge !== false) {
      router = await startEventBridgeRouter({
        host,
        port: options.ports?.eventbridge ?? 0,
        sqs: clients.sqs,
        archivePath: options.archivePath,
      });
      const started = router;
      stops.push(() => started.stop());
      clientConfig.endpoints.eventbridge = router.url;
    }

    const { queueUrls, changes } = await provision(clients, names, {
      maxReceiveCount: options.maxReceiveCount,
      eventBridge: router !== undefined,
    });

    // dynalite never expires items: sweep them as DynamoDB's TTL would.
    let ttlSweep: TtlSweep | undefined;
    if (options.ttlSweep !== false) {
      const settings = options.ttlSweep ?? {};
      const sweep = startTtlSweep({
        dynamodb: clients.dynamodb,
        tables: ttlAttributes(names),
        ...settings,
      });
      ttlSweep = sweep;
      stops.push(() => sweep.stop());
    }

    let bedrock: BedrockEmulator | undefined;
    if (options.bedrock !== false) {
      const settings = typeof options.bedrock === 'object' ? options.bedrock : {};
      bedrock = await startBedrockEmulator({
        profile: 'zero',
        ...settings,
        host,
        port: options.ports?.bedrock ?? 0,
      });
      const started = bedrock;
      stops.push(() => started.stop());
      clientConfig.endpoints.bedrock = bedrock.url;
    }

    const redisUrl = options.redisUrl ?? DEFAULT_REDIS_URL;
    let usableRedis: string | undefined;
    if (options.redis !== false) {
      const up = await probeRedis(redisUrl);
      if (!up && options.redis === 'required') throw new Error(`Redis is not answering at ${redisUrl}`);
      usableRedis = up ? redisUrl : undefined;
    }
    const redisKeyPrefix = `test:${randomUUID().slice(0, 8)}:`;

    const env: Record<string, string> = {
      AWS_REGION: 'us-east-1',
      DYNAMODB_ENDPOINT: dynamodbEndpoint,
      SQS_ENDPOINT: sqsEndpoint,
      SESSIONS_TABLE: names.tables.sessions,
      CATALOG_TABLE: names.tables.catalog,
      IDEMPOTENCY_TABLE: names.tables.idempotency,
      ENRICHMENT_JOBS_TABLE: names.tables.enrichmentJobs,
      REVIEWS_TABLE: names.tables.reviews,
      ENRICHMENT_QUEUE: queueUrls[names.queues.enrichment],
      ENRICHMENT_DLQ: queueUrls[names.queues.enrichmentDlq],
      MODERATION_QUEUE: queueUrls[names.queues.moderation],
      MODERATION_DLQ: queueUrls[names.queues.moderationDlq],
      EVENT_BUS_NAME: names.eventBusName,
      ...(bedrock ? { BEDROCK_ENDPOINT: bedrock.url } : {}),
      ...(router ? { EVENTBRIDGE_ENDPOINT: router.url } : {}),
      ...(usableRedis ? { REDIS_URL: usableRedis, REDIS_KEY_PREFIX: redisKeyPrefix } : {}),
    };

    return {
      names,
      endpoints: { dynamodb: dynamodbEndpoint, sqs: sqsEndpoint },
      queueUrls,
      redisUrl: usableRedis,
      redisKeyPrefix,
      env,
      clients,
      bedrock,
      router,
      provisioned: changes,
      ttlSweep,
      stop: () => stopAll(stops),
    };
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
}

async function stopAll(stops: (() => Promise<void>)[]): Promise<void> {
  for (const stop of stops.splice(0).reverse()) {
    await stop().catch(() => undefined);
  }
}
