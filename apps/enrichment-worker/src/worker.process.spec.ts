import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startLocalStack, type LocalStack } from '@manga-assist/local-stack';
import { adminToken, manga, scaled, sleep, TEST_AUTH, waitFor } from './test-support/harness';

const ROOT = join(__dirname, '../../..');

/** Runs the worker as its own process (tsx on main.ts), as it runs in a container. */
function startWorkerProcess(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  // tsx as a loader in the same process (its CLI forks a child): SIGKILL must hit the worker itself.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'apps/enrichment-worker/src/main.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${buffer.slice(-2000)}`)), 60_000);
    child.stderr?.on('data', (d) => (buffer += String(d)));
    child.stdout?.on('data', (d: Buffer) => {
      buffer += String(d);
      const match = /"url":"(http:\/\/[^"]+)"[^\n]*enrichment-worker listening/.exec(buffer);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1], exited });
      }
      if (buffer.length > 100_000) buffer = buffer.slice(-10_000);
    });
    void exited.then((code) => reject(new Error(`worker exited early (${code}): ${buffer.slice(-2000)}`)));
  });
}

describe('enrichment-worker as a process', () => {
  let stack: LocalStack;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    stack = await startLocalStack({
      redis: false,
      eventbridge: false,
      bedrock: { profile: 'zero', faults: { extraLatencyMs: 200 } },
    });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await stack.stop();
  });

  const countByStatus = async () => {
    const counts: Record<string, number> = {};
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const out = await stack.clients.documentClient.send(
        new ScanCommand({
          TableName: stack.names.tables.enrichmentJobs,
          ExclusiveStartKey,
          ProjectionExpression: '#s',
          ExpressionAttributeNames: { '#s': 'status' },
        }),
      );
      for (const item of out.Items ?? [])
        counts[item.status as string] = (counts[item.status as string] ?? 0) + 1;
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return counts;
  };

  it('SIGKILL halfway through the jobs, start again: every job ends completed, none in the DLQ', async () => {
    const n = scaled(1000, 100);
    const env = {
      ...stack.env,
      ...TEST_AUTH,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      WORKER_CONCURRENCY_MAX: '20',
      VISIBILITY_TIMEOUT_SECONDS: '4',
      WORKER_WAIT_TIME_SECONDS: '1',
    };
    const first = await startWorkerProcess(env);
    children.push(first.child);
    for (let i = 0; i < n; i += 500) {
      const jobs = Array.from({ length: Math.min(500, n - i) }, (_, k) => ({
        mangaId: `kill-${i + k}`,
        type: 'synopsis',
        manga: manga(i + k),
      }));
      const res = await fetch(`${first.url}/admin/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await adminToken()}` },
        body: JSON.stringify({ jobs }),
      });
      expect(res.status).toBe(202);
    }
    await waitFor(async () => ((await countByStatus()).completed ?? 0) >= n / 2, 120_000, 200);
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await countByStatus();
    expect(atKill.completed).toBeLessThan(n);

    const second = await startWorkerProcess(env);
    children.push(second.child);
    await waitFor(async () => (await countByStatus()).completed === n, 180_000, 500);
    const final = await countByStatus();
    process.stdout.write(
      `SIGKILL test: ${n} jobs; at kill ${JSON.stringify(atKill)}; after restart ${JSON.stringify(final)}\n`,
    );
    expect(final).toEqual({ completed: n });
    const dlq = await stack.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.env.ENRICHMENT_DLQ, WaitTimeSeconds: 0 }),
    );
    expect(dlq.Messages ?? []).toHaveLength(0);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    await sleep(10);
  }, 400_000);
});
