import { waitForDependency } from './dependency-wait';

const quiet = { info: () => undefined, warn: () => undefined };

describe('waitForDependency', () => {
  it('reports what it waits for and why until the attempt succeeds, then is ready with the value', async () => {
    let calls = 0;
    const wait = waitForDependency({
      name: 'sqs queues',
      logger: quiet,
      initialDelayMs: 20,
      maxDelayMs: 40,
      attempt: async () => {
        if (++calls < 3) throw new Error('connect ECONNREFUSED 127.0.0.1:9324');
        return { queueUrl: 'http://q' };
      },
    });
    await wait.firstAttempt;
    expect(wait.value()).toBeUndefined();
    await expect(wait.check.check(AbortSignal.timeout(1000))).rejects.toThrow(
      /^waiting for sqs queues \(attempt \d\): connect ECONNREFUSED 127\.0\.0\.1:9324$/,
    );
    expect(await wait.ready).toEqual({ queueUrl: 'http://q' });
    expect(calls).toBe(3);
    await expect(wait.check.check(AbortSignal.timeout(1000))).resolves.toBeUndefined();
    expect(wait.check).toMatchObject({ name: 'startup:sqs queues', critical: true });
  });

  it('keeps retrying without a limit until cancelled, then rejects', async () => {
    let calls = 0;
    const wait = waitForDependency({
      name: 'dynamodb',
      logger: quiet,
      initialDelayMs: 1,
      maxDelayMs: 2,
      attempt: async () => {
        calls++;
        throw new Error('down');
      },
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(calls).toBeGreaterThan(5);
    wait.cancel();
    await expect(wait.ready).rejects.toThrow('stopped while waiting for dynamodb');
  });
});
