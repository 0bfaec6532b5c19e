import { Writable } from 'node:stream';
import { ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createLogger, createServiceRuntime, type ServiceRuntime } from '@manga-assist/service-runtime';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '@manga-assist/local-stack';
import { createDevTokenIssuer, STAFF_ROLE } from '@manga-assist/identity';
import { loadEnrichmentWorkerConfig } from '../config';

export const TEST_AUTH = { AUTH_JWT_SECRET: 'worker-test-secret-0123456789abcdefghij' };
/** A token for the admin API: staff by default, `roles: []` for a customer's. */
export const adminToken = async (roles: string[] = [STAFF_ROLE], userId = 'staff-test') =>
  (
    await createDevTokenIssuer({
      secret: TEST_AUTH.AUTH_JWT_SECRET,
      issuer: 'manga-assist',
      audience: 'manga-assist-chat',
    }).issue(userId, 3600, roles)
  ).token;
import { startEnrichmentWorker, type EnrichmentWorker } from '../service';
import { createContractValidator, type ContractValidator } from '@manga-assist/contract-testing';
import { enrichmentWorkerOpenApi } from '../openapi';

let contract: ContractValidator | undefined;
/** Every admin answer the harness reads is checked against the worker's OpenAPI document. */
export const workerContract = (): ContractValidator =>
  (contract ??= createContractValidator(enrichmentWorkerOpenApi()));

/** Scales the big scenarios down in CI: ENRICHMENT_TEST_SCALE=1 runs them full size. */
export const SCALE = Number(process.env.ENRICHMENT_TEST_SCALE ?? '0.1');
export const scaled = (n: number, min = 10) => Math.max(min, Math.round(n * SCALE));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
  stepMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(stepMs);
  }
}

export interface WorkerHarness {
  stack: LocalStack;
  runtime: ServiceRuntime;
  worker: EnrichmentWorker;
  logs: Record<string, unknown>[];
  /** Calls the admin API with a staff token (or `token`, '' for none). */
  api(
    path: string,
    init?: { method?: string; body?: unknown; headers?: Record<string, string>; token?: string },
  ): Promise<{ status: number; headers: Headers; body: any }>;
  /** Restarts only the worker (same stack) with extra env. */
  restart(env?: Record<string, string>): Promise<void>;
  catalogItem(mangaId: string): Promise<Record<string, any> | undefined>;
  sendRaw(bodies: { body: string; groupId: string; dedupId: string }[]): Promise<void>;
  dlqMessages(): Promise<{ body: string; attributes: Record<string, string> }[]>;
  stop(): Promise<void>;
}

export async function startWorkerHarness({
  env = {},
  stack: stackOptions = {},
}: { env?: Record<string, string>; stack?: LocalStackOptions } = {}): Promise<WorkerHarness> {
  const stack = await startLocalStack({ redis: false, ...stackOptions });
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  let runtime!: ServiceRuntime;
  let worker!: EnrichmentWorker;
  const start = async (extra: Record<string, string>) => {
    runtime = createServiceRuntime({
      service: 'enrichment-worker',
      logger: createLogger({ service: 'enrichment-worker', level: 'info', destination }),
      exit: () => undefined,
      defaultMetrics: false,
      shutdownTimeoutMs: 30_000,
    });
    const config = loadEnrichmentWorkerConfig({
      ...stack.env,
      PORT: '0',
      HOST: '127.0.0.1',
      WORKER_WAIT_TIME_SECONDS: '1',
      ...TEST_AUTH,
      ...env,
      ...extra,
    });
    worker = await startEnrichmentWorker({ config, runtime });
  };
  await start({});
  const staff = await adminToken();
  const h: WorkerHarness = {
    stack,
    get runtime() {
      return runtime;
    },
    get worker() {
      return worker;
    },
    logs,
    async api(path, init = {}) {
      const res = await fetch(`${worker.url}${path}`, {
        method: init.method ?? (init.body ? 'POST' : 'GET'),
        headers: {
          ...(init.body ? { 'content-type': 'application/json' } : {}),
          ...((init.token ?? staff) ? { authorization: `Bearer ${init.token ?? staff}` } : {}),
          ...init.headers,
        },
        body: init.body ? JSON.stringify(init.body) : undefined,
      });
      const text = await res.text();
      const body = text ? JSON.parse(text) : undefined;
      workerContract().check({
        method: init.method ?? (init.body ? 'POST' : 'GET'),
        path,
        status: res.status,
        contentType: res.headers.get('content-type'),
        body,
      });
      return { status: res.status, headers: res.headers, body };
    },
    async restart(extra = {}) {
      await runtime.shutdown.trigger('restart');
      await start(extra);
    },
    async catalogItem(mangaId) {
      const out = await stack.clients.documentClient.send(
        new GetCommand({ TableName: stack.names.tables.catalog, Key: { mangaId }, ConsistentRead: true }),
      );
      return out.Item;
    },
    async sendRaw(bodies) {
      for (let i = 0; i < bodies.length; i += 10) {
        await stack.clients.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: stack.env.ENRICHMENT_QUEUE,
            Entries: bodies.slice(i, i + 10).map((b, j) => ({
              Id: String(j),
              MessageBody: b.body,
              MessageGroupId: b.groupId,
              MessageDeduplicationId: b.dedupId,
            })),
          }),
        );
      }
    },
    async dlqMessages() {
      const all: { body: string; attributes: Record<string, string> }[] = [];
      for (;;) {
        const out = await stack.clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: stack.env.ENRICHMENT_DLQ,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
            MessageAttributeNames: ['All'],
            VisibilityTimeout: 30,
          }),
        );
        if (!out.Messages?.length) return all;
        for (const m of out.Messages) {
          all.push({
            body: m.Body ?? '',
            attributes: Object.fromEntries(
              Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? '']),
            ),
          });
        }
      }
    },
    async stop() {
      await runtime.shutdown.trigger('test done');
      await stack.stop();
    },
  };
  return h;
}

export const manga = (i: number) => ({
  title: `Manga ${i}`,
  titleJp: `漫画${i}`,
  author: 'Author',
  genre: 'shonen',
  volume: 1,
});

/** Submits jobs through the admin API in bulk requests of up to `chunk`. */
export async function submitJobs(
  h: WorkerHarness,
  jobs: { mangaId: string; type: string; manga?: unknown }[],
  chunk = 500,
) {
  const ids: string[] = [];
  for (let i = 0; i < jobs.length; i += chunk) {
    const slice = jobs.slice(i, i + chunk).map((j, k) => ({ manga: manga(i + k), ...j }));
    const res = await h.api('/admin/jobs', { body: { jobs: slice } });
    if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${JSON.stringify(res.body)}`);
    ids.push(...res.body.jobs.map((j: { jobId: string }) => j.jobId));
  }
  return ids;
}
