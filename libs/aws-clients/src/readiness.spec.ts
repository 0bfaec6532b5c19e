import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { runReadinessChecks } from '@manga-assist/service-runtime';
import { DEFAULT_RESOURCE_NAMES, type ResourceNames } from './config';
import { dynamoWriteCheck } from './readiness';
import { tableDefinitions } from './resources';

const listen = (server: {
  listen: (port: number, host: string, cb: () => void) => unknown;
  address: () => unknown;
}) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );

const client = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

/** In front of dynalite: answers PutItem as DynamoDB does for a role without dynamodb:PutItem. */
function denyingProxy(target: string): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (String(req.headers['x-amz-target']).endsWith('.PutItem')) {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'com.amazon.coral.service#AccessDeniedException',
            message:
              'User: arn:aws:sts::123456789012:assumed-role/worker-task/abc is not authorized to perform: dynamodb:PutItem',
          }),
        );
        return;
      }
      const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.end(Buffer.concat(chunks));
    });
  });
}

describe('dynamoWriteCheck (start-up permission check) against dynalite', () => {
  const dynamo = dynalite({ createTableMs: 0 });
  let endpoint: string;
  let names: ResourceNames;
  let n = 0;

  beforeAll(async () => {
    endpoint = await listen(dynamo);
  });
  beforeEach(() => {
    n++;
    names = {
      ...DEFAULT_RESOURCE_NAMES,
      tables: { ...DEFAULT_RESOURCE_NAMES.tables, catalog: `Catalog-${n}` },
    };
  });
  afterAll(() => new Promise<void>((r) => dynamo.close(() => r())));

  const createCatalog = async (dynamodb: DynamoDBClient) => {
    const def = tableDefinitions(names).find((t) => t.TableName === names.tables.catalog);
    await dynamodb.send(new CreateTableCommand(def!));
  };

  it('passes when the table takes a conditional put and delete, and leaves no canary behind', async () => {
    const dynamodb = client(endpoint);
    await createCatalog(dynamodb);
    const failures: string[] = [];
    const check = dynamoWriteCheck(dynamodb, names, 'catalog', {
      service: 'enrichment-worker',
      onFailure: (r) => failures.push(r),
    });
    const report = await runReadinessChecks([check]);
    expect(report.status).toBe('ok');
    expect(failures).toEqual([]);
    const { Items } = await dynamodb.send(new ScanCommand({ TableName: names.tables.catalog }));
    expect(Items).toEqual([]);
  });

  it('makes the service not ready against a missing table, saying why once', async () => {
    const dynamodb = client(endpoint);
    const failures: string[] = [];
    let clock = 0;
    const check = dynamoWriteCheck(dynamodb, names, 'catalog', {
      service: 'enrichment-worker',
      onFailure: (r) => failures.push(r),
      retryAfterMs: 1000,
      now: () => clock,
    });
    const first = await runReadinessChecks([check]);
    expect(first.status).toBe('unavailable');
    expect(first.checks[0]).toMatchObject({ name: `dynamodb-write:${names.tables.catalog}`, ok: false });
    expect(first.checks[0].error).toMatch(
      new RegExp(`cannot write to table ${names.tables.catalog} \\(ResourceNotFoundException`),
    );
    clock = 1500;
    expect((await runReadinessChecks([check])).status).toBe('unavailable');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(
      /^permission check failed: cannot write to table Catalog-\d+ \(ResourceNotFoundException: .*\); not ready$/,
    );

    // Once the table exists (the deployment is fixed), the next probe after the retry window passes.
    await createCatalog(dynamodb);
    expect((await runReadinessChecks([check])).status).toBe('unavailable'); // still inside the window
    clock = 3000;
    expect((await runReadinessChecks([check])).status).toBe('ok');
  });

  it('probes an unreachable DynamoDB again at the next readiness check, so it is ready as soon as DynamoDB is up', async () => {
    const { createServer: createTcpServer } = await import('node:net');
    const reserve = createTcpServer();
    await new Promise<void>((r) => reserve.listen(0, '127.0.0.1', r));
    const port = (reserve.address() as AddressInfo).port;
    await new Promise((r) => reserve.close(r));
    const dynamodb = client(`http://127.0.0.1:${port}`);
    const failures: string[] = [];
    const check = dynamoWriteCheck(dynamodb, names, 'catalog', {
      service: 'enrichment-worker',
      onFailure: (r) => failures.push(r),
      retryAfterMs: 60_000,
    });
    expect((await runReadinessChecks([check])).checks[0].error).toMatch(/ECONNREFUSED/);
    // DynamoDB comes up on that port: the next check passes, without waiting out the 60 s window.
    const late = dynalite({ createTableMs: 0 });
    await new Promise<void>((r) => late.listen(port, '127.0.0.1', () => r()));
    try {
      await createCatalog(dynamodb);
      expect((await runReadinessChecks([check])).status).toBe('ok');
      expect(failures).toHaveLength(1);
    } finally {
      await new Promise<void>((r) => late.close(() => r()));
    }
  });

  it('makes the service not ready when the role may not write, naming AccessDenied', async () => {
    await createCatalog(client(endpoint));
    const proxy = denyingProxy(endpoint);
    const proxied = await listen(proxy);
    try {
      const failures: string[] = [];
      const check = dynamoWriteCheck(client(proxied), names, 'catalog', {
        service: 'enrichment-worker',
        onFailure: (r) => failures.push(r),
      });
      const report = await runReadinessChecks([check]);
      expect(report.status).toBe('unavailable');
      expect(failures).toEqual([
        expect.stringMatching(
          /cannot write to table Catalog-\d+ \(AccessDeniedException: .*not authorized to perform: dynamodb:PutItem\)/,
        ),
      ]);
    } finally {
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });
});
