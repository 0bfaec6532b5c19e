import type { LocalStack } from '@manga-assist/local-stack';
import { openWs, startGateway, startStack, type Gateway } from './test-support/harness';

describe('chat-gateway end to end (emulator, dynalite, Redis, EventBridge router)', () => {
  let stack: LocalStack;
  let gw: Gateway;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    stack = await startStack();
    gw = await startGateway(stack, { REDIS_KEY_PREFIX: stack.redisKeyPrefix });
    alice = await gw.token('alice');
    bob = await gw.token('bob');
  });
  afterAll(async () => {
    await gw.stop();
    await stack.stop();
  });

  it('holds a REST conversation: answer with usage and cost, history with both turns, clearSession empties it', async () => {
    const first = await gw.post(alice, {
      action: 'sendMessage',
      data: { message: '新刊マンガ🎉おすすめ!' },
      lang: 'ja',
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ path: 'primary', cached: false, persisted: true });
    expect(first.body.text.length).toBeGreaterThan(0);
    expect(first.body.model).toMatch(/claude-3-haiku/);
    expect(first.body.usage.inputTokens).toBeGreaterThan(0);
    expect(first.body.usage.outputTokens).toBeGreaterThan(0);
    expect(first.body.costUsd).toBeGreaterThan(0);
    const sessionId = first.body.sessionId as string;

    const second = await gw.post(alice, {
      action: 'sendMessage',
      data: { sessionId, message: '次の巻はいつ出ますか?' },
    });
    expect(second.status).toBe(200);
    expect(second.body.sessionId).toBe(sessionId);

    const history = await gw.post(alice, { action: 'getHistory', data: { sessionId } });
    expect(history.status).toBe(200);
    expect(history.body.turns.map((t: { role: string; content: string }) => [t.role, t.content])).toEqual([
      ['user', '新刊マンガ🎉おすすめ!'],
      ['assistant', first.body.text],
      ['user', '次の巻はいつ出ますか?'],
      ['assistant', second.body.text],
    ]);

    expect((await gw.post(alice, { action: 'clearSession', data: { sessionId } })).body).toEqual({
      sessionId,
      cleared: true,
    });
    expect((await gw.post(alice, { action: 'getHistory', data: { sessionId } })).body.turns).toEqual([]);
  });

  it('streams over the WebSocket: start, deltas in order, final with usage and cost; history and clear', async () => {
    const client = await openWs(gw.url, alice);
    const frames = await client.request({
      action: 'sendMessage',
      data: { message: 'おすすめの少年マンガを教えて' },
      lang: 'ja',
    });
    expect(frames[0]).toMatchObject({ type: 'start', model: expect.stringMatching(/haiku/) });
    const deltas = frames.filter((f) => f.type === 'delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.seq)).toEqual(deltas.map((_, i) => i));
    const final = frames[frames.length - 1];
    expect(final).toMatchObject({ type: 'final', path: 'primary', cached: false });
    expect(deltas.map((d) => d.text).join('')).toBe(final.text);
    expect(final.usage.inputTokens).toBeGreaterThan(0);
    expect(final.costUsd).toBeGreaterThan(0);

    const sessionId = final.sessionId;
    const again = await client.request({
      action: 'sendMessage',
      data: { sessionId, message: 'もっと短い作品は?' },
    });
    expect(again[again.length - 1].type).toBe('final');
    const [history] = await client.request({ action: 'getHistory', data: { sessionId } });
    expect(history.type).toBe('history');
    expect(history.turns).toHaveLength(4);
    expect(history.turns[2].content).toBe('もっと短い作品は?');
    const [cleared] = await client.request({ action: 'clearSession', data: { sessionId } });
    expect(cleared).toMatchObject({ type: 'cleared', cleared: true });
    expect((await client.request({ action: 'getHistory', data: { sessionId } }))[0].turns).toEqual([]);
    await client.close();
  });

  it("answers 404 for another user's session over REST and WebSocket, never its history", async () => {
    const own = await gw.post(alice, { action: 'sendMessage', data: { message: 'ワンピースの最新巻は?' } });
    const sessionId = own.body.sessionId;
    for (const body of [
      { action: 'getHistory', data: { sessionId } },
      { action: 'sendMessage', data: { sessionId, message: 'hi' } },
      { action: 'clearSession', data: { sessionId } },
    ]) {
      const res = await gw.post(bob, body, { 'accept-language': 'ja' });
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({
        code: 'SESSION_NOT_FOUND',
        message: 'セッションが見つかりません。新しい会話を始めてください。',
      });
    }
    const client = await openWs(gw.url, bob);
    const [frame] = await client.request({ action: 'getHistory', data: { sessionId } });
    expect(frame).toMatchObject({ type: 'error', code: 'SESSION_NOT_FOUND' });
    expect(frame.turns).toBeUndefined();
    const sent = await client.request({ action: 'sendMessage', data: { sessionId, message: 'hi' } });
    expect(sent.map((f) => f.type)).toEqual(['error']);
    await client.close();
    expect((await gw.post(alice, { action: 'getHistory', data: { sessionId } })).body.turns).toHaveLength(2);
  });

  it('validates before anything else: 2,001 emoji pass, 4,001 graphemes fail in Japanese, lone surrogate, 413, 401', async () => {
    const emoji = await gw.post(alice, { action: 'sendMessage', data: { message: '🎉'.repeat(2001) } });
    expect(emoji.status).toBe(200);

    const tooLong = await gw.post(alice, {
      action: 'sendMessage',
      data: { message: 'あ'.repeat(4001) },
      lang: 'ja',
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toEqual({
      code: 'TOO_LONG',
      message: 'メッセージが長すぎます (最大4000文字)',
    });
    const viaHeader = await gw.post(
      alice,
      { action: 'sendMessage', data: { message: 'あ'.repeat(4001) } },
      { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.5' },
    );
    expect(viaHeader.body.error.message).toBe('メッセージが長すぎます (最大4000文字)');
    // No lang, an English browser: the Japanese text decides (the store's customers write Japanese).
    const jaText = await gw.post(
      alice,
      { action: 'sendMessage', data: { message: 'あ'.repeat(4001) } },
      { 'accept-language': 'en-US,en;q=0.9' },
    );
    expect(jaText.body.error.message).toBe('メッセージが長すぎます (最大4000文字)');
    const english = await gw.post(
      alice,
      { action: 'sendMessage', data: { message: 'too long '.repeat(500) } },
      { 'accept-language': 'ja' },
    );
    expect(english.body.error.message).toMatch(/too long/);

    const lone = await gw.post(alice, {
      action: 'sendMessage',
      data: { message: 'マンガ\uD83D' },
      lang: 'en',
    });
    expect(lone.status).toBe(400);
    expect(lone.body.error.code).toBe('LONE_SURROGATE');

    const big = await gw.post(
      alice,
      JSON.stringify({ action: 'sendMessage', data: { message: 'x'.repeat(100 * 1024) } }),
      { 'accept-language': 'ja' },
    );
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'リクエストが大きすぎます。',
    });

    const anonymous = await gw.post(undefined, { action: 'getHistory', data: { sessionId: 'x' } });
    expect(anonymous.status).toBe(401);
    const forged = await gw.post(`${alice.slice(0, -4)}AAAA`, {
      action: 'getHistory',
      data: { sessionId: 'x' },
    });
    expect(forged.status).toBe(401);
    const badShape = await gw.post(alice, { action: 'dance', data: {} });
    expect(badShape.status).toBe(400);
  });

  it('refuses a WebSocket without a valid token and closes one that sends an oversized frame', async () => {
    await expect(openWs(gw.url, 'not-a-jwt')).rejects.toThrow(/401/);
    const client = await openWs(gw.url, alice);
    const closed = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));
    client.ws.send('x'.repeat(70 * 1024));
    expect(await closed).toBe(1009);
  });

  it('serves the same single-turn question from the cache the second time (no model request)', async () => {
    const question = {
      action: 'sendMessage',
      data: { message: `キャッシュ確認: 進撃の巨人は何巻まで? ${Date.now()}` },
    };
    const first = await gw.post(alice, question);
    expect(first.body.cached).toBe(false);
    const before = stack.bedrock!.stats().requests;
    const second = await gw.post(alice, question);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ cached: true, text: first.body.text, costUsd: 0 });
    expect(stack.bedrock!.stats().requests).toBe(before);
  });

  it('publishes InferenceCompleted with usage and cost to the bus (router archive)', async () => {
    const res = await gw.post(alice, {
      action: 'sendMessage',
      data: { message: `イベント確認 ${Date.now()}` },
    });
    await gw.gateway.idle();
    const event = stack
      .router!.archived()
      .find(
        (e) =>
          e['detail-type'] === 'InferenceCompleted' &&
          (e.detail as { session_id?: string }).session_id === res.body.sessionId,
      );
    expect(event).toBeDefined();
    expect(event!.source).toBe('mangaassist.ai');
    expect(event!.detail).toMatchObject({
      model_id: res.body.model,
      status: 'success',
      metrics: {
        input_tokens: res.body.usage.inputTokens,
        output_tokens: res.body.usage.outputTokens,
        estimated_cost_usd: expect.any(Number),
      },
    });
    expect(
      (event!.detail as { metrics: { estimated_cost_usd: number } }).metrics.estimated_cost_usd,
    ).toBeCloseTo(res.body.costUsd, 5); // the event rounds to 6 decimals
  });

  it('publishes MessageReceived per user message to the bus (router archive): REST as api, WebSocket as web', async () => {
    const marker = `メッセージ受信 ${Date.now()}`;
    const first = await gw.post(alice, {
      action: 'sendMessage',
      data: { message: `${marker} #1` },
      lang: 'ja',
    });
    const second = await gw.post(alice, {
      action: 'sendMessage',
      data: { sessionId: first.body.sessionId, message: `${marker} #2` },
    });
    expect(second.status).toBe(200);
    const client = await openWs(gw.url, alice);
    const frames = await client.request({
      action: 'sendMessage',
      data: { message: `${marker} #3` },
      lang: 'en',
    });
    await client.close();
    const wsSession = frames[frames.length - 1].sessionId as string;
    await gw.gateway.idle();

    const received = (stack.router?.archived() ?? []).filter(
      (e) =>
        e['detail-type'] === 'MessageReceived' &&
        String((e.detail as { message?: string }).message).startsWith(marker),
    );
    expect(received.map((e) => e.source)).toEqual([
      'mangaassist.chat',
      'mangaassist.chat',
      'mangaassist.chat',
    ]);
    const details = received
      .map((e) => e.detail)
      .sort((a, b) => String(a.message).localeCompare(String(b.message)));
    expect(details).toEqual([
      expect.objectContaining({
        session_id: first.body.sessionId,
        user_id: 'alice',
        message: `${marker} #1`,
        language: 'ja',
        channel: 'api',
        processing_stage: 'raw',
        _chain_depth: 0,
      }),
      expect.objectContaining({
        session_id: first.body.sessionId,
        user_id: 'alice',
        message: `${marker} #2`,
        channel: 'api',
      }),
      expect.objectContaining({
        session_id: wsSession,
        user_id: 'alice',
        message: `${marker} #3`,
        language: 'en',
        channel: 'web',
      }),
    ]);
    expect(new Set(details.map((d) => d.message_id)).size).toBe(3);
  });

  it('decides the language once: a Japanese message with no lang from an English browser gets a Japanese answer and MessageReceived ja; an English one English', async () => {
    const marker = `lang-${Date.now()}`;
    const english = { 'accept-language': 'en-US,en;q=0.9' };
    const ja = await gw.post(
      alice,
      { action: 'sendMessage', data: { message: `${marker} 新刊マンガのおすすめは?` } },
      english,
    );
    expect(ja.status).toBe(200);
    expect(ja.body.text).toMatch(/[\u3040-\u309f]{3}/);
    const en = await gw.post(
      alice,
      { action: 'sendMessage', data: { message: `${marker} which new manga do you recommend?` } },
      { 'accept-language': 'ja' },
    );
    expect(en.status).toBe(200);
    expect(en.body.text).not.toMatch(/[\u3040-\u309f]/);
    await gw.gateway.idle();
    const languages = (stack.router?.archived() ?? [])
      .filter(
        (e) =>
          e['detail-type'] === 'MessageReceived' &&
          String((e.detail as { message?: string }).message).startsWith(marker),
      )
      .map((e) => [
        (e.detail as { session_id: string }).session_id,
        (e.detail as { language: string }).language,
      ]);
    expect(languages).toEqual(
      expect.arrayContaining([
        [ja.body.sessionId, 'ja'],
        [en.body.sessionId, 'en'],
      ]),
    );
    expect(languages).toHaveLength(2);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(
      /chat_requests_total\{action="sendMessage",transport="rest",status="200",lang="en"/,
    );
  });

  it('summarises older turns with Haiku off the critical path once a session passes 5 exchanges', async () => {
    let sessionId: string | undefined;
    for (let i = 0; i < 6; i++) {
      const res = await gw.post(alice, {
        action: 'sendMessage',
        data: { sessionId, message: `${i + 1}番目の質問: ファンタジー漫画のおすすめは?` },
      });
      expect(res.status).toBe(200);
      sessionId = res.body.sessionId;
    }
    await gw.gateway.idle();
    const history = await gw.post(alice, { action: 'getHistory', data: { sessionId } });
    expect(history.body.summary?.length).toBeGreaterThan(0);
    expect(history.body.turns).toHaveLength(4);
    expect(history.body.turns[0].content).toBe('5番目の質問: ファンタジー漫画のおすすめは?');
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/chat_summaries_total\{outcome="applied"[^}]*\} 1/);
  });

  it('reports metrics: requests by action/status/lang, latency, model tokens and cost, open websockets', async () => {
    const client = await openWs(gw.url, alice);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    await client.close();
    expect(metrics).toMatch(
      /chat_requests_total\{action="sendMessage",transport="rest",status="200",lang="ja"/,
    );
    expect(metrics).toMatch(/chat_requests_total\{action="sendMessage",transport="rest",status="400"/);
    expect(metrics).toContain('chat_request_duration_seconds_bucket');
    expect(metrics).toContain('chat_model_duration_seconds_bucket');
    expect(metrics).toMatch(/fm_tokens_total/);
    expect(metrics).toMatch(/fm_cost_usd_total/);
    expect(metrics).toMatch(/fm_cache_events_total\{[^}]*hit/);
    expect(metrics).toMatch(/chat_websockets_open\{[^}]*\} 1/);
  });

  it('serves the web chat page at / in local mode', async () => {
    const res = await fetch(`${gw.url}/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('/v1/ws');
    expect(html).toContain('name="viewport"');
  });
});
