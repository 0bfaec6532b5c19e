import { PutCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalStack, type LocalStack } from './stack';
import { startTtlSweep } from './ttl-sweep';

/** DynamoDB TTL emulated on dynalite: expired = deleted by the sweep, as DynamoDB would. */
describe('local stack TTL sweep (dynalite)', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({
      redis: false,
      bedrock: false,
      eventbridge: false,
      ttlSweep: { intervalMs: 100 },
    });
  });
  afterAll(() => stack.stop());

  const nowS = () => Math.floor(Date.now() / 1000);
  const put = (table: string, item: Record<string, unknown>) =>
    stack.clients.documentClient.send(new PutCommand({ TableName: table, Item: item }));
  const exists = async (table: string, key: Record<string, string>) =>
    (await stack.clients.documentClient.send(new GetCommand({ TableName: table, Key: key }))).Item !==
    undefined;

  it('deletes items whose ttl has passed, on its interval, and keeps the others', async () => {
    const sessions = stack.names.tables.sessions;
    const jobs = stack.names.tables.enrichmentJobs;
    await put(sessions, { sessionId: 'expired', ttl: nowS() - 5 });
    await put(jobs, { jobId: 'expired-job', ttl: nowS() - 1 });
    await put(sessions, { sessionId: 'fresh', ttl: nowS() + 3600 });
    await put(sessions, { sessionId: 'no-ttl' });
    await put(sessions, { sessionId: 'ttl-not-a-number', ttl: String(nowS() - 5) });
    // DynamoDB ignores expiries more than five years in the past (likely milliseconds or a mistake).
    await put(sessions, { sessionId: 'ancient', ttl: nowS() - 6 * 365 * 24 * 3600 });
    const until = Date.now() + 5000;
    while (
      (await exists(sessions, { sessionId: 'expired' })) ||
      (await exists(jobs, { jobId: 'expired-job' }))
    ) {
      if (Date.now() > until) throw new Error('the sweep did not delete the expired items within 5 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const kept of ['fresh', 'no-ttl', 'ttl-not-a-number', 'ancient']) {
      expect(await exists(sessions, { sessionId: kept })).toBe(true);
    }
  });

  it('is bounded per sweep, and a refreshed item is no longer expired', async () => {
    const table = stack.names.tables.idempotency;
    await stack.ttlSweep!.stop(); // the stack's own sweep out of the way: counts below are this one's
    for (let i = 0; i < 25; i++) await put(table, { idempotency_key: `k-${i}`, ttl: nowS() - 60 });
    const sweep = startTtlSweep({
      dynamodb: stack.clients.dynamodb,
      tables: { [table]: 'ttl' },
      intervalMs: 3_600_000,
      maxDeletesPerTable: 10,
    });
    try {
      await put(table, { idempotency_key: 'k-24', ttl: nowS() + 600 }); // refreshed: no longer expired
      expect(await sweep.sweep()).toBe(10);
      expect(await sweep.sweep()).toBe(10);
      expect(await sweep.sweep()).toBe(4);
      expect(await sweep.sweep()).toBe(0);
      expect(await exists(table, { idempotency_key: 'k-24' })).toBe(true);
    } finally {
      await sweep.stop();
    }
  });
});
