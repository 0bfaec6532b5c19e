import type { LocalStack } from '@manga-assist/local-stack';
import { createSessionStore } from './session-store';
import { openWs, startGateway, startStack, until, type Gateway } from './test-support/harness';

/**
 * Time scaling: the emulator runs its latency model at TIME_SCALE (0.1: Sonnet's ~25 s time to
 * first token for 8K input becomes ~2.5 s) and the gateway multiplies every budget by the same
 * DEADLINE_SCALE, so the 29 s ceiling is checked as 2.9 s and the 25 s / 10 s + tokens/1000 model
 * deadlines as a tenth of themselves.
 */
const TIME_SCALE = 0.1;
const CEILING_MS = 29_000 * TIME_SCALE;
/**
 * The wall-clock check only proves nothing hangs: the unscaled ceiling leaves room for a loaded
 * 2-core machine, where timers fire late and dynalite is slow. That the gateway keeps to the scaled
 * ceiling is checked on its plan instead (`expectPlanWithinCeiling`), which does not depend on speed.
 */
const WALL_CLOCK_BOUND_MS = 29_000;

/** The deadlines the gateway logged for one request fit the (scaled) ceiling. */
function expectPlanWithinCeiling(lines: Record<string, unknown>[]): void {
  const planned = lines.filter((l) => l.deadlineMs !== undefined || l.fallbackDeadlineMs !== undefined);
  expect(planned.length).toBeGreaterThan(0);
  for (const l of planned) {
    if (l.deadlineMs !== undefined) expect(Number(l.deadlineMs)).toBeLessThanOrEqual(CEILING_MS);
    if (l.fallbackDeadlineMs !== undefined) {
      expect(Number(l.primaryDeadlineMs)).toBeLessThanOrEqual(CEILING_MS);
      // The fallback gets what is left of the ceiling after the time already spent, never more.
      expect(Number(l.elapsedMs) + Number(l.fallbackDeadlineMs)).toBeLessThanOrEqual(CEILING_MS);
    }
  }
}

const longTurn = (i: number, role: string) =>
  `${role === 'user' ? '質問' : '回答'}${i}: ` +
  '週刊少年誌で連載中のファンタジー作品について、登場人物の成長や物語の構成、作画の変化、アニメ化の影響を詳しく語り合いました。'.repeat(
    6,
  );

describe('scenario 1 replay: Sonnet with a long Japanese context answers within the ceiling', () => {
  let stack: LocalStack;
  let gw: Gateway;

  beforeAll(async () => {
    stack = await startStack({ bedrock: { profile: 'realistic', timeScale: TIME_SCALE } });
    gw = await startGateway(stack, {
      REDIS_KEY_PREFIX: stack.redisKeyPrefix,
      DEADLINE_SCALE: String(TIME_SCALE),
      FM_CACHE_ENABLED: 'false',
    });
  });
  afterAll(async () => {
    await gw.stop();
    await stack.stop();
  });

  async function seedTwelveTurns(userId: string): Promise<string> {
    const store = createSessionStore({
      documentClient: stack.clients.documentClient,
      tableName: stack.names.tables.sessions,
      ttlSeconds: 1800,
      maxMessages: 80,
      maxItemBytes: 300 * 1024,
    });
    const sessionId = store.newSessionId();
    for (let i = 0; i < 12; i++) {
      await store.append({
        sessionId,
        userId,
        create: i === 0,
        messages: [
          { role: 'user', content: longTurn(i, 'user') },
          { role: 'assistant', content: longTurn(i, 'assistant') },
        ],
      });
    }
    return sessionId;
  }

  it('12-turn Japanese conversation on Sonnet: truncated context and/or Haiku fallback, answered before 29 s (scaled), path logged', async () => {
    const token = await gw.token('reader-1');
    const sessionId = await seedTwelveTurns('reader-1');
    const started = performance.now();
    const logsBefore = gw.logs.length;
    const res = await gw.post(token, {
      action: 'sendMessage',
      data: {
        sessionId,
        message: 'これまで話した作品を比較して、なぜ今読むべきなのか理由を詳しく説明してください。',
      },
      lang: 'ja',
    });
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(res.body.text.length).toBeGreaterThan(0);
    expect(['primary', 'fallback']).toContain(res.body.path);
    expect(res.body.truncated).toBe(true);
    expect(elapsed).toBeLessThan(WALL_CLOCK_BOUND_MS);
    expectPlanWithinCeiling(gw.logs.slice(logsBefore).filter((l) => l.sessionId === sessionId));
    const line = gw.logs.find(
      (l) =>
        l.sessionId === sessionId &&
        (l.path === 'primary' || l.path === 'fallback') &&
        /answered/.test(String(l.msg)),
    );
    expect(line).toMatchObject({ path: res.body.path });
    const primaryLog = gw.logs.find((l) => l.sessionId === sessionId && l.model === 'sonnet');
    expect(primaryLog).toBeDefined();
    process.stdout.write(
      `scenario 1: path=${res.body.path} model=${res.body.model} elapsed=${Math.round(elapsed)} ms scaled (= ${(elapsed / TIME_SCALE / 1000).toFixed(1)} s real) log=${JSON.stringify(line)}\n`,
    );
  });

  it('when every model call hangs, the user still gets the apology in Japanese before the ceiling (never a blank 5xx)', async () => {
    const token = await gw.token('reader-2');
    stack.bedrock!.setFaults({ hangRate: 1 });
    try {
      const started = performance.now();
      const logsBefore = gw.logs.length;
      const res = await gw.post(token, {
        action: 'sendMessage',
        data: { message: 'なぜこの作品は人気なのか比較して詳しく説明して' },
        lang: 'ja',
      });
      const elapsed = performance.now() - started;
      expect(res.status).toBe(200);
      expect(res.body.path).toBe('apology');
      expect(res.body.text).toMatch(/申し訳ございません/);
      expect(elapsed).toBeLessThan(WALL_CLOCK_BOUND_MS);
      expectPlanWithinCeiling(gw.logs.slice(logsBefore));
      expect(gw.logs.some((l) => l.path === 'apology')).toBe(true);
    } finally {
      stack.bedrock!.resetFaults();
    }
  });

  it('a throttled primary falls back to Haiku with less context (streamed over the WebSocket)', async () => {
    const token = await gw.token('reader-3');
    stack.bedrock!.setFaults({ failNext: { type: 'ThrottlingException', count: 3 }, onlyModels: ['sonnet'] });
    try {
      const client = await openWs(gw.url, token);
      const frames = await client.request({
        action: 'sendMessage',
        data: { message: 'この二つの作品の違いを比較して、なぜ評価が分かれるのか分析して' },
        lang: 'ja',
      });
      await client.close();
      const final = frames[frames.length - 1];
      expect(final).toMatchObject({ type: 'final', path: 'fallback' });
      expect(final.model).toMatch(/haiku/);
      expect(
        frames
          .filter((f) => f.type === 'delta')
          .map((f) => f.text)
          .join(''),
      ).toBe(final.text);
    } finally {
      stack.bedrock!.resetFaults();
    }
  });

  it('a client that disconnects mid-answer cancels the model call', async () => {
    const token = await gw.token('reader-4');
    stack.bedrock!.setFaults({ extraLatencyMs: 5000 });
    try {
      const before = stack.bedrock!.stats().aborted;
      const client = await openWs(gw.url, token);
      const started = new Promise<void>((resolve) =>
        client.ws.on('message', (raw) => JSON.parse(raw.toString()).type === 'start' && resolve()),
      );
      client.ws.send(JSON.stringify({ id: 'x', action: 'sendMessage', data: { message: 'こんにちは' } }));
      await started;
      await new Promise((r) => setTimeout(r, 50));
      client.ws.terminate();
      await until(() => stack.bedrock!.stats().aborted !== before, 'the model call to be aborted', 2000);
      expect(stack.bedrock!.stats().aborted).toBe(before + 1);
    } finally {
      stack.bedrock!.resetFaults();
    }
  });
});

describe('rate limiting and Redis outages', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  it('answers 429 with Retry-After once the per-user limit is exceeded (Redis-backed)', async () => {
    const gw = await startGateway(stack, {
      REDIS_KEY_PREFIX: stack.redisKeyPrefix,
      RATE_LIMIT_POINTS: '3',
      RATE_LIMIT_WINDOW_S: '30',
    });
    try {
      const token = await gw.token('chatty');
      for (let i = 0; i < 3; i++)
        expect((await gw.post(token, { action: 'sendMessage', data: { message: `質問${i}` } })).status).toBe(
          200,
        );
      const limited = await gw.post(token, { action: 'sendMessage', data: { message: '質問4' }, lang: 'ja' });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(30);
      expect(limited.body.error.code).toBe('RATE_LIMITED');
      expect(limited.body.error.message).toMatch(/秒後にもう一度/);
      // Another user is not affected.
      expect(
        (await gw.post(await gw.token('quiet'), { action: 'sendMessage', data: { message: 'hi' } })).status,
      ).toBe(200);
    } finally {
      await gw.stop();
    }
  });

  it('keeps answering with Redis unreachable (no cache, local limiter) and reports /readyz degraded', async () => {
    const gw = await startGateway(stack, { REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_POINTS: '2' });
    try {
      const token = await gw.token('offline');
      const res = await gw.post(token, { action: 'sendMessage', data: { message: 'Redisなしでも答えて' } });
      expect(res.status).toBe(200);
      expect(res.body.text.length).toBeGreaterThan(0);
      expect(res.body.cached).toBe(false);
      const ready = await fetch(`${gw.url}/readyz`);
      expect(ready.status).toBe(200);
      const report = await ready.json();
      expect(report.status).toBe('degraded');
      expect(report.checks.find((c: { name: string }) => c.name === 'redis')).toMatchObject({
        ok: false,
        critical: false,
      });
      // The in-memory insurance limiter still enforces the limit.
      expect((await gw.post(token, { action: 'sendMessage', data: { message: '2' } })).status).toBe(200);
      expect((await gw.post(token, { action: 'sendMessage', data: { message: '3' } })).status).toBe(429);
    } finally {
      await gw.stop();
    }
  });

  it('REST answers before saving; a save that fails after the answer is logged at error and counted', async () => {
    // A Sessions table that does not exist: every write fails (start-up waits for no table).
    const gw = await startGateway(stack, {
      REDIS_KEY_PREFIX: stack.redisKeyPrefix,
      SESSIONS_TABLE: 'MangaAssist-Sessions-missing',
    });
    try {
      const res = await gw.post(await gw.token('unsaved'), {
        action: 'sendMessage',
        data: { message: '保存できなくても答えて' },
      });
      expect(res.status).toBe(200);
      expect(res.body.text.length).toBeGreaterThan(0);
      await gw.gateway.idle(); // the write after the answer has settled
      const failed = gw.logs.find((l) => /could not save the exchange/.test(String(l.msg)));
      expect(failed).toMatchObject({ level: 'error', afterAnswer: true, sessionId: res.body.sessionId });
      expect(await (await fetch(`${gw.url}/metrics`)).text()).toMatch(
        /chat_session_events_total\{[^}]*event="write_failed"[^}]*\} 1\b/,
      );
    } finally {
      await gw.stop();
    }
  });

  it('a failed InferenceCompleted publish is logged and counted and never fails the chat', async () => {
    const gw = await startGateway(stack, {
      REDIS_KEY_PREFIX: stack.redisKeyPrefix,
      EVENTBRIDGE_ENDPOINT: 'http://127.0.0.1:1',
    });
    try {
      const res = await gw.post(await gw.token('evt'), {
        action: 'sendMessage',
        data: { message: 'バスが落ちていても答えて' },
      });
      expect(res.status).toBe(200);
      await gw.gateway.idle();
      expect(gw.logs.some((l) => /InferenceCompleted publish failed/.test(String(l.msg)))).toBe(true);
      expect(await (await fetch(`${gw.url}/metrics`)).text()).toMatch(
        /chat_event_publish_failures_total\{[^}]*\} [1-9]/,
      );
    } finally {
      await gw.stop();
    }
  });
});

describe('one session served by two instances (save after the answer)', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  it('keeps the exchange another instance saved late in its place, and counts the answer given without it', async () => {
    const gw = await startGateway(stack, { REDIS_KEY_PREFIX: stack.redisKeyPrefix });
    // Another instance's store, on the same table: its save after its answer lands late.
    const otherInstance = createSessionStore({
      documentClient: stack.clients.documentClient,
      tableName: stack.names.tables.sessions,
      ttlSeconds: 1800,
      maxMessages: 80,
      maxItemBytes: 128 * 1024,
    });
    const bedrock = stack.bedrock;
    if (!bedrock) throw new Error('the stack has no Bedrock emulator');
    const token = await gw.token('two-instances');
    const client = await openWs(gw.url, token);
    try {
      const [first] = (await client.request({ action: 'sendMessage', data: { message: '一つ目' } })).filter(
        (f) => f.type === 'final',
      );
      const sessionId = first.sessionId as string;
      await gw.gateway.idle();

      // The second message is answered slowly; once its model call is in flight the gateway has
      // read the session (it reads before calling the model).
      bedrock.setFaults({ extraLatencyMs: 800 });
      const answeredBefore = Date.now();
      const inFlight = bedrock.stats().inFlight;
      const second = client.request({ action: 'sendMessage', data: { sessionId, message: '三つ目' } });
      await until(() => bedrock.stats().inFlight !== inFlight, 'the second model call to be in flight');
      expect(bedrock.stats().inFlight).toBe(inFlight + 1);
      // Meanwhile the other instance's exchange, answered before this message arrived, is saved.
      await otherInstance.append({
        sessionId,
        userId: 'two-instances',
        create: false,
        messages: [
          { role: 'user', content: '二つ目', at: answeredBefore - 20 },
          { role: 'assistant', content: '二つ目への回答', at: answeredBefore - 10 },
        ],
      });
      const final = (await second).find((f) => f.type === 'final');
      expect(final).toMatchObject({ persisted: true });
      bedrock.resetFaults();

      const [history] = (await client.request({ action: 'getHistory', data: { sessionId } })).filter(
        (f) => f.type === 'history',
      );
      const turns = history.turns as { role: string; content: string }[];
      expect(turns.filter((t) => t.role === 'user').map((t) => t.content)).toEqual([
        '一つ目',
        '二つ目',
        '三つ目',
      ]);
      expect(turns.map((t) => t.role)).toEqual([
        'user',
        'assistant',
        'user',
        'assistant',
        'user',
        'assistant',
      ]);
      expect(gw.logs.find((l) => /answered from a session read before/.test(String(l.msg)))).toMatchObject({
        sessionId,
        missedAnswers: 1,
      });
      expect(await (await fetch(`${gw.url}/metrics`)).text()).toMatch(
        /chat_session_events_total\{[^}]*event="stale_context"[^}]*\} 1\b/,
      );
    } finally {
      bedrock.resetFaults();
      await client.close();
      await gw.stop();
    }
  });
});
