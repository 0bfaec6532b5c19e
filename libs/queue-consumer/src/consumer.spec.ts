import { getEventListeners } from 'node:events';
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createLogger, createMetricsRegistry } from '@manga-assist/service-runtime';
import { startLocalStack, type LocalStack } from '@manga-assist/local-stack';
import { createQueueConsumer, notStartedStats, type QueueConsumer } from './consumer';
import { createTestQueue, drainQueue, sendAll, sleep, waitFor } from './test-support/queues';
import type { QueueMessage } from './types';

const logger = createLogger({ service: 'queue-consumer-test', level: 'silent' });

class PoisonError extends Error {
  readonly code = 'POISON';
}

describe('createQueueConsumer (fauxqs)', () => {
  let stack: LocalStack;
  const running: QueueConsumer[] = [];
  beforeAll(async () => {
    stack = await startLocalStack({ redis: false });
  });
  afterEach(async () => {
    for (const c of running.splice(0)) await c.stop({ drainTimeoutMs: 2000 });
  });
  afterAll(async () => {
    await stack.stop();
  });
  const sqs = () => stack.clients.sqs;
  const consumer = (options: Omit<Parameters<typeof createQueueConsumer>[0], 'sqs' | 'logger'>) => {
    const c = createQueueConsumer({ sqs: sqs(), logger, waitTimeSeconds: 1, ...options });
    running.push(c);
    return c;
  };

  it('deletes succeeded messages and brings back exactly the failed ones', async () => {
    const { url } = await createTestQueue(sqs());
    await sendAll(
      sqs(),
      url,
      Array.from({ length: 10 }, (_, i) => ({ body: `m${i}` })),
    );
    const failOnce = new Set(['m2', 'm5', 'm7']);
    const attempts = new Map<string, number[]>();
    const c = consumer({
      queueUrl: url,
      concurrency: 10,
      visibilityTimeoutSeconds: 30,
      retryDelaySeconds: () => 1,
      handler: async (m) => {
        attempts.set(m.body, [...(attempts.get(m.body) ?? []), m.receiveCount]);
        if (failOnce.has(m.body) && m.receiveCount === 1) throw new Error('transient');
      },
    });
    c.start();
    await waitFor(() => c.stats().processed === 10);
    const again = [...attempts]
      .filter(([, counts]) => counts.length > 1)
      .map(([body]) => body)
      .sort();
    expect(again).toEqual(['m2', 'm5', 'm7']);
    for (const body of again) expect(attempts.get(body)).toEqual([1, 2]);
    expect(c.stats()).toMatchObject({ processed: 10, failed: 3 });
    await c.stop();
    expect(await drainQueue(sqs(), url)).toHaveLength(0);
    // What a service reports before its consumer exists has the same fields, all at rest.
    const idle = notStartedStats('q', 10);
    expect(Object.keys(idle).sort()).toEqual(Object.keys(c.stats()).sort());
    expect(idle).toMatchObject({ queue: 'q', running: false, limit: 10, received: 0, inFlight: 0 });
  });

  it('keeps up to the concurrency limit in flight across batches, never more', async () => {
    const { url } = await createTestQueue(sqs());
    await sendAll(
      sqs(),
      url,
      Array.from({ length: 80 }, (_, i) => ({ body: `m${i}` })),
    );
    let active = 0;
    let peak = 0;
    const c = consumer({
      queueUrl: url,
      concurrency: 25,
      pollers: 2,
      visibilityTimeoutSeconds: 30,
      handler: async () => {
        peak = Math.max(peak, ++active);
        await sleep(300);
        active--;
      },
    });
    c.start();
    await waitFor(() => c.stats().processed === 80);
    // 80 messages in batches of at most 10: 25 in flight means three receives overlapped.
    expect(peak).toBe(25);
  });

  it('reads an adjustable limit before every receive', async () => {
    const { url } = await createTestQueue(sqs());
    await sendAll(
      sqs(),
      url,
      Array.from({ length: 60 }, (_, i) => ({ body: `m${i}` })),
    );
    let limit = 12;
    let active = 0;
    let peakAfterLowering = 0;
    let lowered = false;
    const c = consumer({
      queueUrl: url,
      concurrency: () => limit,
      visibilityTimeoutSeconds: 30,
      handler: async () => {
        active++;
        if (lowered) peakAfterLowering = Math.max(peakAfterLowering, active);
        await sleep(100);
        active--;
      },
    });
    c.start();
    await waitFor(() => c.stats().processed >= 12);
    limit = 3;
    // Receives already under way were sized for the old limit; count them too.
    await waitFor(() => c.stats().inFlight + c.stats().receiving <= 3);
    lowered = true;
    await waitFor(() => c.stats().processed === 60);
    expect(peakAfterLowering).toBeLessThanOrEqual(3);
    expect(peakAfterLowering).toBeGreaterThan(0);
  });

  it('FIFO: different groups run in parallel, one group in order', async () => {
    const { url } = await createTestQueue(sqs(), { fifo: true });
    const groups = ['g1', 'g2', 'g3', 'g4', 'g5'];
    const messages = Array.from({ length: 6 }, (_, seq) =>
      groups.map((g) => ({ body: `${g}:${seq}`, groupId: g })),
    ).flat();
    await sendAll(sqs(), url, messages);
    const seen = new Map<string, number[]>();
    let active = 0;
    let peak = 0;
    const c = consumer({
      queueUrl: url,
      concurrency: 10,
      visibilityTimeoutSeconds: 30,
      handler: async (m) => {
        peak = Math.max(peak, ++active);
        const [g, seq] = m.body.split(':');
        expect(m.groupId).toBe(g);
        await sleep(50);
        seen.set(g, [...(seen.get(g) ?? []), Number(seq)]);
        active--;
      },
    });
    c.start();
    await waitFor(() => c.stats().processed === 30);
    for (const g of groups) expect(seen.get(g)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBeGreaterThan(1);
  });

  it('FIFO: a failed message is retried before the later messages of its group', async () => {
    const { url } = await createTestQueue(sqs(), { fifo: true });
    await sendAll(
      sqs(),
      url,
      [0, 1, 2].map((seq) => ({ body: `a:${seq}`, groupId: 'a' })),
    );
    const applied: string[] = [];
    const calls: string[] = [];
    const c = consumer({
      queueUrl: url,
      concurrency: 5,
      visibilityTimeoutSeconds: 30,
      retryDelaySeconds: () => 1,
      handler: async (m) => {
        calls.push(m.body);
        if (m.body === 'a:0' && m.receiveCount === 1) throw new Error('transient');
        applied.push(m.body);
      },
    });
    c.start();
    await waitFor(() => c.stats().processed === 3);
    expect(calls).toEqual(['a:0', 'a:0', 'a:1', 'a:2']);
    expect(applied).toEqual(['a:0', 'a:1', 'a:2']);
  });

  it('moves a poison message to the DLQ at once, with its reason, without retries', async () => {
    const { url, dlqUrl } = await createTestQueue(sqs(), { fifo: true });
    await sendAll(sqs(), url, [{ body: '{not json', groupId: 'x' }]);
    let calls = 0;
    const c = consumer({
      queueUrl: url,
      deadLetterQueueUrl: dlqUrl,
      concurrency: 5,
      visibilityTimeoutSeconds: 30,
      isPoison: (e) => e instanceof PoisonError,
      handler: async (m: QueueMessage) => {
        calls++;
        try {
          JSON.parse(m.body);
        } catch (e) {
          throw new PoisonError(`bad JSON: ${(e as Error).message}`);
        }
      },
    });
    c.start();
    await waitFor(() => c.stats().poison === 1);
    await c.stop();
    const [dead] = await drainQueue(sqs(), dlqUrl);
    expect(dead.Body).toBe('{not json');
    expect(dead.MessageAttributes?.DlqReason?.StringValue).toMatch(/^POISON: bad JSON/);
    expect(dead.MessageAttributes?.DlqReceiveCount?.StringValue).toBe('1');
    expect(calls).toBe(1);
    expect(await drainQueue(sqs(), url)).toHaveLength(0);
  });

  it('extends visibility while a slow message runs, so nobody else receives it', async () => {
    const { url } = await createTestQueue(sqs(), { visibilityTimeoutSeconds: 2 });
    await sendAll(sqs(), url, [{ body: 'slow' }]);
    let calls = 0;
    const c = consumer({
      queueUrl: url,
      concurrency: 1,
      visibilityTimeoutSeconds: 2,
      heartbeatSeconds: 1,
      handler: async () => {
        calls++;
        await sleep(4500);
      },
    });
    c.start();
    await waitFor(() => calls === 1);
    const stolen: string[] = [];
    const deadline = Date.now() + 4000;
    while (Date.now() < deadline && c.stats().processed === 0) {
      stolen.push(...(await drainQueue(sqs(), url)).map((m) => m.Body ?? ''));
      await sleep(250);
    }
    await waitFor(() => c.stats().processed === 1);
    expect(stolen).toEqual([]);
    expect(c.stats().visibilityExtensions).toBeGreaterThanOrEqual(2);
  });

  it('stop() stops receiving, lets in-flight messages finish, and deletes them', async () => {
    const { url } = await createTestQueue(sqs());
    await sendAll(
      sqs(),
      url,
      Array.from({ length: 20 }, (_, i) => ({ body: `m${i}` })),
    );
    const finished: string[] = [];
    const registry = createMetricsRegistry('queue-consumer-test', { defaults: false });
    const c = consumer({
      queueUrl: url,
      concurrency: 5,
      pollers: 1,
      batchSize: 5,
      visibilityTimeoutSeconds: 30,
      metrics: registry,
      handler: async (m) => {
        await sleep(400);
        finished.push(m.body);
      },
    });
    c.start();
    await waitFor(() => c.stats().active === 5);
    const result = await c.stop({ drainTimeoutMs: 5000 });
    expect(result).toEqual({ drained: true, abandoned: 0 });
    expect(finished).toHaveLength(5);
    expect(c.stats().inFlight).toBe(0);
    const rest: string[] = [];
    for (let m = await drainQueue(sqs(), url); m.length; m = await drainQueue(sqs(), url))
      rest.push(...m.map((x) => x.Body ?? ''));
    expect(rest.sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `m${i}`)
        .filter((b) => !finished.includes(b))
        .sort(),
    );
    expect(await registry.getSingleMetricAsString('queue_consumer_messages_total')).toMatch(
      /outcome="succeeded".*} 5/,
    );
  });

  it('aborts handlers whose work outlives the drain timeout', async () => {
    const { url } = await createTestQueue(sqs());
    await sendAll(sqs(), url, [{ body: 'stuck' }]);
    let aborted = false;
    const c = consumer({
      queueUrl: url,
      concurrency: 1,
      visibilityTimeoutSeconds: 30,
      handler: (m) =>
        new Promise<void>((_, reject) => {
          m.signal.addEventListener('abort', () => {
            aborted = true;
            reject(m.signal.reason);
          });
        }),
    });
    c.start();
    await waitFor(() => c.stats().active === 1);
    const result = await c.stop({ drainTimeoutMs: 300 });
    expect(result).toEqual({ drained: false, abandoned: 1 });
    expect(aborted).toBe(true);
  });

  it('waits after a failed receive without adding an abort listener per retry', async () => {
    const { url } = await createTestQueue(sqs());
    // The abort listeners on the receive loop's signal, counted as each receive starts.
    const listeners: number[] = [];
    const observed = new Proxy(sqs(), {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return (command: unknown, options?: { abortSignal?: AbortSignal }) => {
          if (command instanceof ReceiveMessageCommand && options?.abortSignal)
            listeners.push(getEventListeners(options.abortSignal, 'abort').length);
          return target.send(command as ReceiveMessageCommand, options);
        };
      },
    }) as SQSClient;
    const random = jest.spyOn(Math, 'random').mockReturnValue(0); // the shortest waits: 250, 500, 1000 ms
    try {
      const c = createQueueConsumer({
        sqs: observed,
        logger,
        queueUrl: `${url}-missing`, // every receive fails
        concurrency: 1,
        pollers: 1,
        waitTimeSeconds: 1,
        visibilityTimeoutSeconds: 30,
        handler: async () => undefined,
      });
      running.push(c);
      c.start();
      await waitFor(() => listeners.length >= 4, 20_000);
      expect(c.stats().receiveErrors).toBeGreaterThanOrEqual(3);
      // A sleep that leaves its listener behind would add one per failed receive.
      expect(new Set(listeners.slice(0, 4)).size).toBe(1);
    } finally {
      random.mockRestore();
    }
  });
});
