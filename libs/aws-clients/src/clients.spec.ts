import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { startFauxqs } from 'fauxqs';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { createAwsClients } from './clients';
import { KeyCachingSha256 } from './sha256';
import { collectStream } from './stream-collector';
import { DEFAULT_RESOURCE_NAMES } from './config';
import { resolveQueueUrl } from './queue-url';
import { dynamoTableCheck, sqsQueueCheck } from './readiness';
import { queueDefinitions, tableDefinitions } from './resources';

describe('createAwsClients against local emulators', () => {
  const dynamo = dynalite({ createTableMs: 0 });
  let sqsServer: Awaited<ReturnType<typeof startFauxqs>>;
  let clients: ReturnType<typeof createAwsClients>;

  beforeAll(async () => {
    await new Promise<void>((r) => dynamo.listen(0, '127.0.0.1', () => r()));
    sqsServer = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
    clients = createAwsClients({
      region: 'us-east-1',
      endpoints: {
        dynamodb: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
        sqs: `http://127.0.0.1:${sqsServer.port}`,
      },
      maxSockets: 8,
    });
  });
  afterAll(async () => {
    clients.destroy();
    await sqsServer.stop();
    await new Promise<void>((r) => dynamo.close(() => r()));
  });

  it('reuses one client per service', () => {
    expect(clients.dynamodb).toBe(clients.dynamodb);
    expect(clients.documentClient).toBe(clients.documentClient);
  });

  it('reads every response body by iteration (collectStream), answers included', async () => {
    for (const client of [
      clients.dynamodb,
      clients.sqs,
      clients.eventBridge,
      clients.bedrock,
      clients.secretsManager,
    ])
      expect((client.config as unknown as { streamCollector: unknown }).streamCollector).toBe(collectStream);
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'collector-check' }));
    expect(QueueUrl).toMatch(/collector-check$/);
  });

  it('talks to the overridden endpoints with placeholder credentials', async () => {
    const [table] = tableDefinitions(DEFAULT_RESOURCE_NAMES);
    await clients.dynamodb.send(new CreateTableCommand(table));
    const { TableNames } = await clients.dynamodb.send(new ListTablesCommand({}));
    expect(TableNames).toContain(table.TableName);
    await expect(
      dynamoTableCheck(clients.dynamodb, table.TableName as string).check(AbortSignal.timeout(2000)),
    ).resolves.toBeUndefined();
    await expect(
      dynamoTableCheck(clients.dynamodb, 'missing').check(AbortSignal.timeout(2000)),
    ).rejects.toThrow();
  });

  it("gives the SDK a logger without info: no redacted copy of each call's input and output is built", async () => {
    const { logger } = clients.dynamodb.config as unknown as { logger: Record<string, unknown> };
    expect(logger.info).toBeUndefined();
    expect(typeof logger.warn).toBe('function'); // the SDK warns unguarded
    // Calls still answer (the table of the previous test), through the document client too.
    const { TableNames } = await clients.documentClient.send(new ListTablesCommand({}));
    expect(TableNames?.length).toBeGreaterThan(0);
  });

  it('keeps one SigV4 signer per client, signing as a client that builds one per call does', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.headers['x-amz-date']} ${req.headers.authorization}`);
      req.resume().on('end', () => res.setHeader('content-type', 'application/x-amz-json-1.0').end('{}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ours = createAwsClients({ region: 'us-east-1', endpoints: { dynamodb: endpoint }, maxSockets: 1 });
    const reference = new DynamoDBClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      sha256: KeyCachingSha256,
    });
    // The invocation id is signed and random per call: the same one for both.
    for (const client of [ours.dynamodb, reference]) {
      type Middleware = Parameters<typeof client.middlewareStack.addRelativeTo>[0];
      client.middlewareStack.addRelativeTo(
        ((next: (args: unknown) => Promise<unknown>) =>
          (args: { request: { headers: Record<string, string> } }) => {
            args.request.headers['amz-sdk-invocation-id'] = '00000000-0000-4000-8000-000000000000';
            args.request.headers['amz-sdk-request'] = 'attempt=1; max=3';
            return next(args);
          }) as unknown as Middleware,
        { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'fixedInvocationId' },
      );
    }
    try {
      const config = ours.dynamodb.config as unknown as { signer(scheme?: object): Promise<unknown> };
      const scheme = { name: 'sigv4', signingName: 'dynamodb', signingRegion: 'us-east-1' };
      expect(await config.signer(scheme)).toBe(await config.signer({ ...scheme }));
      for (let attempt = 0; ; attempt++) {
        seen.length = 0;
        for (const client of [ours.dynamodb, reference, ours.dynamodb, reference])
          await client.send(new ListTablesCommand({}));
        const [a, b, c, d] = seen;
        if (a.split(' ')[0] !== d.split(' ')[0] && attempt < 5) continue; // a second boundary
        expect(a).toMatch(/AWS4-HMAC-SHA256 Credential=local\//);
        expect([c, a]).toEqual([d, b]);
        break;
      }
    } finally {
      ours.destroy();
      reference.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('resolves queue URLs exactly as SQS reports them', async () => {
    const { QueueUrl } = await clients.sqs.send(new CreateQueueCommand({ QueueName: 'q1' }));
    expect(await resolveQueueUrl(clients.sqs, 'q1')).toBe(QueueUrl);
    expect(await resolveQueueUrl(clients.sqs, QueueUrl as string)).toBe(QueueUrl);
    await expect(
      sqsQueueCheck(clients.sqs, QueueUrl as string).check(AbortSignal.timeout(2000)),
    ).resolves.toBeUndefined();
  });

  it('resolves the EventBridge middleware once per command class, and every PutEvents still carries its own entries', async () => {
    // An endpoint that answers PutEvents as EventBridge does and keeps what each call sent.
    const bodies: { Entries: { Source: string; Detail: string }[] }[] = [];
    const bus = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const parsed = JSON.parse(body) as (typeof bodies)[number];
        bodies.push(parsed);
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        res.end(
          JSON.stringify({
            FailedEntryCount: 0,
            Entries: parsed.Entries.map((_, i) => ({ EventId: `e${i}` })),
          }),
        );
      });
    });
    await new Promise<void>((r) => bus.listen(0, '127.0.0.1', r));
    const local = createAwsClients({
      region: 'us-east-1',
      endpoints: { eventbridge: `http://127.0.0.1:${(bus.address() as AddressInfo).port}` },
      maxSockets: 4,
    });
    expect(local.eventBridge.config.cacheMiddleware).toBe(true);
    const put = (n: number) =>
      local.eventBridge.send(
        new PutEventsCommand({
          Entries: Array.from({ length: n }, (_, i) => ({
            Source: `test.source${n}`,
            DetailType: 'Test',
            Detail: JSON.stringify({ n, i }),
          })),
        }),
      );
    await put(1);
    const answers = await Promise.all([put(2), put(3), put(4)]);
    expect(answers.map((a) => a.Entries?.length)).toEqual([2, 3, 4]);
    expect(bodies.map((b) => b.Entries.length).sort()).toEqual([1, 2, 3, 4]);
    for (const body of bodies) {
      const n = body.Entries.length;
      expect(body.Entries.every((e) => e.Source === `test.source${n}` && JSON.parse(e.Detail).n === n)).toBe(
        true,
      );
    }
    local.destroy();
    await new Promise((r) => bus.close(r));
  });

  it('points Bedrock at a plain-HTTP endpoint over HTTP/1.1 when overridden', async () => {
    const local = createAwsClients({
      region: 'eu-west-1',
      endpoints: { bedrock: 'http://127.0.0.1:1' },
      maxSockets: 1,
    });
    const endpoint = await local.bedrock.config.endpoint?.();
    expect(endpoint?.hostname).toBe('127.0.0.1');
    expect(await local.bedrock.config.region()).toBe('eu-west-1');
    local.destroy();
  });
});

describe('resource definitions', () => {
  it('define the five tables of the design, keyed as the services expect', () => {
    const keys = Object.fromEntries(
      tableDefinitions(DEFAULT_RESOURCE_NAMES).map((t) => [t.TableName, t.KeySchema?.[0].AttributeName]),
    );
    expect(keys).toEqual({
      'MangaAssist-Sessions': 'sessionId',
      'MangaAssist-Catalog': 'mangaId',
      'MangaAssist-WebhookIdempotency': 'idempotency_key',
      'MangaAssist-EnrichmentJobs': 'jobId',
      'MangaAssist-Reviews': 'reviewId',
    });
  });

  it('give every queue a DLQ, FIFO for enrichment', () => {
    const queues = queueDefinitions(DEFAULT_RESOURCE_NAMES);
    expect(queues.map((q) => [q.name, q.fifo, q.dlq])).toEqual([
      ['manga-enrichment-queue.fifo', true, 'manga-enrichment-dlq.fifo'],
      ['manga-moderation-queue', false, 'manga-moderation-dlq'],
    ]);
  });
});
