import { Redis } from 'ioredis';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { MODEL_IDS, createModelRegistry, priceOf } from './models';
import { FmError } from './errors';
import type { FmRequest, FmStreamEvent } from './client';
import {
  closedPort,
  makeClient,
  metricValue,
  sleep,
  startFreezableRedisProxy,
  startHarness,
  type Harness,
} from './test-support/harness';

/**
 * Room for timers firing late on a loaded 2-core machine. A hung call is otherwise cut only by the
 * 25 s default deadline, so ending within deadline + 2 s still proves the given deadline cut it.
 */
const LOADED_SLACK_MS = 2_000;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});
beforeEach(() => {
  h.emulator.resetFaults();
  h.emulator.setProfile('zero', 1);
  h.emulator.resetStats();
});

let seq = 0;
/** A request no other test sends (so cache entries never leak between tests). */
const request = (overrides: Partial<FmRequest> = {}): FmRequest => ({
  model: 'haiku',
  system: 'あなたは漫画書店のアシスタントです。',
  messages: [{ role: 'user', content: `ワンピースのおすすめの巻を教えてください (#${++seq} ${Date.now()})` }],
  ...overrides,
});

async function collect(events: AsyncIterable<FmStreamEvent>) {
  const deltas: string[] = [];
  let done: Extract<FmStreamEvent, { type: 'done' }>['response'] | undefined;
  for await (const e of events) {
    if (e.type === 'delta') deltas.push(e.text);
    else done = e.response;
  }
  if (!done) throw new Error('stream ended without a done event');
  return { deltas, done };
}

async function failure(p: Promise<unknown>): Promise<FmError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(FmError);
    return err as FmError;
  }
  throw new Error('expected the call to fail');
}

describe('invoke (Converse)', () => {
  it('returns the answer with usage, cost and stop reason, and reports it once', async () => {
    const { client, records, metrics } = makeClient(h);
    const res = await client.invoke(request(), { sessionId: 's-1', requestId: 'r-1', variant: 'haiku' });
    expect(res.text.length).toBeGreaterThan(0);
    expect(res).toMatchObject({
      modelId: MODEL_IDS.haiku,
      stopReason: 'end_turn',
      cached: false,
      variant: 'haiku',
    });
    expect(res.inputTokens).toBeGreaterThan(0);
    expect(res.outputTokens).toBeGreaterThan(0);
    expect(res.costUsd).toBeCloseTo(
      priceOf({ input: 0.25, output: 1.25 }, res.inputTokens, res.outputTokens),
      12,
    );
    const emu = h.emulator.stats().byModel[MODEL_IDS.haiku];
    expect(emu.requests).toBe(1);
    expect(emu.inputTokens).toBe(res.inputTokens);
    expect(records).toEqual([
      expect.objectContaining({
        operation: 'invoke',
        modelId: MODEL_IDS.haiku,
        variant: 'haiku',
        sessionId: 's-1',
        requestId: 'r-1',
        inputTokens: res.inputTokens,
        outputTokens: res.outputTokens,
        costUsd: res.costUsd,
        cached: false,
        text: res.text,
      }),
    ]);
    expect(await metricValue(metrics, 'fm_calls_total', { outcome: 'ok', operation: 'invoke' })).toBe(1);
    expect(await metricValue(metrics, 'fm_tokens_total', { direction: 'output' })).toBe(res.outputTokens);
  });

  it('calls a model id set by configuration (cross-region inference profile)', async () => {
    const profileId = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
    const { client } = makeClient(h, { registry: createModelRegistry({ haiku: profileId }) });
    const res = await client.invoke(request());
    expect(res.modelId).toBe(profileId);
    expect(res.costUsd).toBeCloseTo(
      priceOf({ input: 0.8, output: 4 }, res.inputTokens, res.outputTokens),
      12,
    );
    expect(h.emulator.stats().byModel[profileId].requests).toBe(1);
  });

  it("rejects a malformed request before calling the model, and maps the model's ValidationException", async () => {
    const { client } = makeClient(h);
    expect((await failure(client.invoke({ model: 'haiku', messages: [] }))).code).toBe('INVALID_REQUEST');
    expect(
      (await failure(client.invoke({ model: 'nobody.knows-v1', messages: [{ role: 'user', content: 'x' }] })))
        .code,
    ).toBe('INVALID_REQUEST');
    expect(h.emulator.stats().requests).toBe(0);
    h.emulator.setFaults({ failNext: { type: 'ValidationException', count: 1 } });
    const err = await failure(client.invoke(request()));
    expect(err).toMatchObject({ code: 'INVALID_REQUEST', retryable: false, awsCode: 'ValidationException' });
  });
});

describe('stream (ConverseStream)', () => {
  it('yields the deltas in order and ends with the usage', async () => {
    const { client, records } = makeClient(h);
    const req = request({ model: 'sonnet' });
    const { deltas, done } = await collect(client.stream(req, { cache: false }));
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join('')).toBe(done.text);
    const whole = await client.invoke(req, { cache: false });
    expect(done.text).toBe(whole.text); // same deterministic answer, assembled in order
    expect(done).toMatchObject({ modelId: MODEL_IDS.sonnet, stopReason: 'end_turn', cached: false });
    expect(done.inputTokens).toBe(whole.inputTokens);
    expect(done.outputTokens).toBe(whole.outputTokens);
    expect(done.costUsd).toBeCloseTo(
      priceOf({ input: 3, output: 15 }, done.inputTokens, done.outputTokens),
      12,
    );
    expect(records[0]).toMatchObject({ operation: 'stream', outputTokens: done.outputTokens });
    expect(records[0].timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
  });

  it('surfaces an exception in the middle of the stream as a typed error after the deltas before it', async () => {
    const { client, records } = makeClient(h);
    h.emulator.setFaults({ streamErrorAfterDeltas: 2 });
    const req = request();
    const seen: string[] = [];
    let caught: unknown;
    try {
      for await (const e of client.stream(req)) if (e.type === 'delta') seen.push(e.text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FmError);
    expect(caught).toMatchObject({
      code: 'MODEL_ERROR',
      retryable: true,
      awsCode: 'ModelStreamErrorException',
    });
    expect(seen).toHaveLength(2);
    expect(records).toHaveLength(0);
    // Nothing half-finished was cached: the same request goes to the model again.
    h.emulator.resetFaults();
    await client.invoke(req);
    expect(h.emulator.stats().requests).toBe(2);
  });

  it('aborts the model call when the consumer stops reading (client disconnect)', async () => {
    h.emulator.setProfile('demo', 1); // paced output: the answer is still streaming when we leave
    const { client, metrics } = makeClient(h);
    for await (const e of client.stream(request(), { cache: false })) {
      if (e.type === 'delta') break;
    }
    for (let i = 0; i < 50 && h.emulator.stats().aborted === 0; i++) await sleep(20);
    expect(h.emulator.stats().aborted).toBe(1);
    expect(h.emulator.stats().completed).toBe(0);
    expect(await metricValue(metrics, 'fm_calls_total', { outcome: 'ABORTED', operation: 'stream' })).toBe(1);
  });

  it("honours the caller's signal with ABORTED (not a breaker failure)", async () => {
    h.emulator.setFaults({ hangRate: 1 });
    const { client } = makeClient(h);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    const err = await failure(collect(client.stream(request(), { signal: ctl.signal })));
    expect(err.code).toBe('ABORTED');
    expect(client.breakerState('haiku')).toBe('closed');
  });
});

describe("over the SDK's default HTTP/2 handler (as against AWS)", () => {
  it('invokes, streams, and cuts a hung stream at its deadline', async () => {
    const bedrock = new BedrockRuntimeClient({
      endpoint: h.emulator.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    try {
      const { client } = makeClient(h, { bedrock });
      const req = request();
      const whole = await client.invoke(req, { cache: false });
      const streamed = await collect(client.stream(req, { cache: false }));
      expect(streamed.deltas.join('')).toBe(whole.text);
      h.emulator.setFaults({ hangRate: 1 });
      const started = performance.now();
      expect((await failure(collect(client.stream(request(), { deadlineMs: 200 })))).code).toBe('TIMEOUT');
      expect(performance.now() - started).toBeLessThan(200 + LOADED_SLACK_MS);
    } finally {
      bedrock.destroy();
    }
  });
});

describe('response cache (Redis)', () => {
  it('answers a repeated request from Redis without calling the model', async () => {
    const { client, records, metrics } = makeClient(h);
    const req = request();
    const first = await client.invoke(req);
    const before = h.emulator.stats().requests;
    const second = await client.invoke(req);
    expect(h.emulator.stats().requests).toBe(before); // the emulator saw nothing
    expect(second).toMatchObject({
      text: first.text,
      cached: true,
      costUsd: 0,
      inputTokens: first.inputTokens,
    });
    const replay = await collect(client.stream(req));
    expect(h.emulator.stats().requests).toBe(before);
    expect(replay.deltas.join('')).toBe(first.text);
    expect(replay.done.cached).toBe(true);
    expect(records.map((r) => r.cached)).toEqual([false, true, true]);
    expect(await metricValue(metrics, 'fm_cache_events_total', { event: 'hit' })).toBe(2);
    expect(await h.redis.ttl((await h.redis.keys(`${h.keyPrefix}fm:answer:*`))[0])).toBeGreaterThan(290);
  });

  it('keys on everything that shapes the answer and honours cache: false', async () => {
    const { client } = makeClient(h);
    const req = request();
    await client.invoke(req);
    await client.invoke({ ...req, temperature: 0.9 });
    await client.invoke({ ...req, model: 'sonnet' });
    await client.invoke({ ...req, system: 'other' });
    await client.invoke(req, { cache: false });
    expect(h.emulator.stats().requests).toBe(5);
  });

  it('stores only complete answers (max_tokens answers are not cached)', async () => {
    const { client } = makeClient(h);
    const req = request({ maxTokens: 3 });
    const cut = await client.invoke(req);
    expect(cut.stopReason).toBe('max_tokens');
    const again = await client.invoke(req);
    expect(again.cached).toBe(false);
    const streamed = await collect(client.stream(req));
    expect(streamed.done.cached).toBe(false);
    expect(h.emulator.stats().requests).toBe(3);
  });

  it('answers quickly without the cache when Redis is unreachable', async () => {
    const port = await closedPort();
    const dead = new Redis({
      host: '127.0.0.1',
      port,
      connectTimeout: 50,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 200,
    });
    dead.on('error', () => undefined);
    try {
      const { client, metrics } = makeClient(h, { redis: dead });
      const req = request();
      const started = performance.now();
      const a = await client.invoke(req);
      const b = await client.invoke(req);
      const elapsed = performance.now() - started;
      expect(a.cached).toBe(false);
      expect(b.cached).toBe(false);
      expect(h.emulator.stats().requests).toBe(2);
      expect(elapsed).toBeLessThan(LOADED_SLACK_MS); // no connect wait, no retry loop in the call path
      expect(
        await metricValue(metrics, 'fm_cache_events_total', { event: 'unavailable' }),
      ).toBeGreaterThanOrEqual(2);
    } finally {
      dead.disconnect();
    }
  });

  it('bounds each Redis operation when Redis stalls (connected, never answering)', async () => {
    const proxy = await startFreezableRedisProxy();
    const stalled = new Redis({ host: '127.0.0.1', port: proxy.port, maxRetriesPerRequest: 0 });
    stalled.on('error', () => undefined);
    await stalled.ping();
    proxy.freeze();
    try {
      const { client, metrics, records } = makeClient(h, {
        redis: stalled,
        cache: { keyPrefix: h.keyPrefix, timeoutMs: 40 },
      });
      const started = performance.now();
      const res = await client.invoke(request());
      const elapsed = performance.now() - started;
      expect(res.cached).toBe(false);
      expect(elapsed).toBeLessThan(40 + LOADED_SLACK_MS);
      // The read was cut by its 40 ms bound; the write's bound has not run out yet when the answer is
      // back: the answer did not wait for the write (whatever the machine's speed).
      expect(await metricValue(metrics, 'fm_cache_events_total', { event: 'timeout' })).toBe(1);
      expect(records).toHaveLength(1);
      await client.close();
      expect(await metricValue(metrics, 'fm_cache_events_total', { event: 'timeout' })).toBe(2); // read + write
    } finally {
      stalled.disconnect();
      await proxy.stop();
    }
  });
});

describe('resilience', () => {
  it('leaves throttling retries to the SDK, then throws THROTTLED', async () => {
    const { client, metrics } = makeClient(h); // the SDK client is built with maxAttempts 3
    h.emulator.setFaults({ throttleRate: 1 });
    const err = await failure(client.invoke(request()));
    expect(err).toMatchObject({
      code: 'THROTTLED',
      retryable: true,
      awsCode: 'ThrottlingException',
      modelId: MODEL_IDS.haiku,
    });
    const stats = h.emulator.stats();
    expect(stats.requests).toBe(3); // 3 attempts by the SDK, no second loop on top
    expect(stats.errors.ThrottlingException).toBe(3);
    expect(await metricValue(metrics, 'fm_calls_total', { outcome: 'THROTTLED' })).toBe(1);
  });

  it('cuts a hung call at its deadline with TIMEOUT', async () => {
    const { client } = makeClient(h);
    h.emulator.setFaults({ hangRate: 1 });
    const started = performance.now();
    const err = await failure(client.invoke(request(), { deadlineMs: 300 }));
    const elapsed = performance.now() - started;
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(300 + LOADED_SLACK_MS);
    const streamStarted = performance.now();
    const streamErr = await failure(collect(client.stream(request(), { deadlineMs: 200 })));
    expect(streamErr.code).toBe('TIMEOUT');
    expect(performance.now() - streamStarted).toBeLessThan(200 + LOADED_SLACK_MS);
    for (let i = 0; i < 50 && h.emulator.stats().aborted < 2; i++) await sleep(20);
    expect(h.emulator.stats().aborted).toBe(2); // the emulator saw both connections go
  });

  it('opens the circuit after 5 failures, half-opens after the configured time and closes on success', async () => {
    const { client, states, metrics } = makeClient(h, {
      bedrock: h.awsNoRetry.bedrock,
      breaker: { consecutiveFailures: 5, halfOpenAfterMs: 200 },
    });
    h.emulator.setFaults({ failNext: { type: 'InternalServerException', count: 6 }, onlyModels: ['haiku'] });
    for (let i = 0; i < 5; i++) expect((await failure(client.invoke(request()))).code).toBe('MODEL_ERROR');
    expect(client.breakerState('haiku')).toBe('open');
    expect(await metricValue(metrics, 'fm_breaker_state', { model: MODEL_IDS.haiku })).toBe(1);
    const open = await failure(client.invoke(request()));
    expect(open).toMatchObject({ code: 'CIRCUIT_OPEN', retryable: true });
    expect((await failure(collect(client.stream(request())))).code).toBe('CIRCUIT_OPEN');
    expect(h.emulator.stats().requests).toBe(5); // open: the model was not called
    // Another model has its own breaker.
    await client.invoke(request({ model: 'sonnet' }));

    await sleep(250);
    expect((await failure(client.invoke(request()))).code).toBe('MODEL_ERROR'); // the trial call fails...
    expect(client.breakerState('haiku')).toBe('open'); // ...so it opens again
    expect(h.emulator.stats().byModel[MODEL_IDS.haiku].requests).toBe(6);

    await sleep(250);
    const ok = await client.invoke(request());
    expect(ok.stopReason).toBe('end_turn');
    expect(client.breakerState('haiku')).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
    expect(await metricValue(metrics, 'fm_breaker_state', { model: MODEL_IDS.haiku })).toBe(0);
    expect(
      await metricValue(metrics, 'fm_calls_total', { model: MODEL_IDS.haiku, outcome: 'CIRCUIT_OPEN' }),
    ).toBe(2);
  });

  it('re-opens a half-open circuit whose trial call was aborted (it proved nothing)', async () => {
    const { client, states } = makeClient(h, {
      bedrock: h.awsNoRetry.bedrock,
      breaker: { consecutiveFailures: 2, halfOpenAfterMs: 100 },
    });
    h.emulator.setFaults({ failNext: { type: 'ServiceUnavailableException', count: 2 } });
    for (let i = 0; i < 2; i++) expect((await failure(client.invoke(request()))).code).toBe('MODEL_ERROR');
    await sleep(150);
    h.emulator.setFaults({ hangRate: 1 });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 30);
    expect((await failure(client.invoke(request(), { signal: ctl.signal }))).code).toBe('ABORTED');
    // The caller is released at once; the SDK's own rejection reaches the breaker just after.
    for (let i = 0; i < 25 && client.breakerState('haiku') !== 'open'; i++) await sleep(20);
    expect(client.breakerState('haiku')).toBe('open');
    expect(states).toEqual(['open', 'half-open', 'open']);
  });

  it('releases calls queued behind a half-open trial at their own deadline, without calling the model', async () => {
    const { client } = makeClient(h, {
      bedrock: h.awsNoRetry.bedrock,
      breaker: { consecutiveFailures: 1, halfOpenAfterMs: 100 },
    });
    h.emulator.setFaults({ failNext: { type: 'InternalServerException', count: 1 } });
    expect((await failure(client.invoke(request()))).code).toBe('MODEL_ERROR');
    await sleep(150);
    h.emulator.setFaults({ hangRate: 1 });
    h.emulator.resetStats();
    const trial = failure(client.invoke(request(), { deadlineMs: 400 }));
    let trialEnded = false;
    void trial.then(() => (trialEnded = true));
    const started = performance.now();
    const queued = await failure(client.invoke(request(), { deadlineMs: 100 }));
    expect(queued.code).toBe('TIMEOUT');
    expect(trialEnded).toBe(false); // released at its own deadline, not when the trial ended
    expect(performance.now() - started).toBeLessThan(100 + LOADED_SLACK_MS);
    expect((await trial).code).toBe('TIMEOUT');
    await sleep(50);
    expect(h.emulator.stats().requests).toBe(1); // only the trial reached the model
    expect(client.breakerState('haiku')).toBe('open');
  });

  it('does not count invalid requests or caller aborts toward the circuit', async () => {
    const { client } = makeClient(h, { bedrock: h.awsNoRetry.bedrock, breaker: { consecutiveFailures: 2 } });
    h.emulator.setFaults({ failNext: { type: 'ValidationException', count: 4 } });
    for (let i = 0; i < 4; i++)
      expect((await failure(client.invoke(request()))).code).toBe('INVALID_REQUEST');
    expect(client.breakerState('haiku')).toBe('closed');
    const ctl = new AbortController();
    ctl.abort();
    for (let i = 0; i < 3; i++) {
      expect((await failure(client.invoke(request(), { signal: ctl.signal }))).code).toBe('ABORTED');
    }
    expect(client.breakerState('haiku')).toBe('closed');
  });

  it('a mid-stream failure counts toward the circuit like any model failure', async () => {
    const { client } = makeClient(h, { breaker: { consecutiveFailures: 2 } });
    h.emulator.setFaults({ streamErrorAfterDeltas: 1 });
    for (let i = 0; i < 2; i++)
      expect((await failure(collect(client.stream(request())))).code).toBe('MODEL_ERROR');
    expect(client.breakerState('haiku')).toBe('open');
  });
});
