import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type ConverseStreamOutput,
  type ResponseStream,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startBedrockEmulator, type BedrockEmulator } from './index';
import { countTokens } from './tokens';

const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
const HAIKU_US = 'us.anthropic.claude-3-haiku-20240307-v1:0';
const SONNET = 'anthropic.claude-3-sonnet-20240229-v1:0';
const CHAT_SYSTEM = 'You are MangaAssist, the assistant of a Japanese manga store.';

type Transport = 'h2' | 'http1';

function clientFor(emu: BedrockEmulator, transport: Transport, maxAttempts = 1): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: emu.url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts,
    ...(transport === 'http1' ? { requestHandler: new NodeHttpHandler() } : {}),
  });
}

const converse = (modelId: string, text: string, system = CHAT_SYSTEM) =>
  new ConverseCommand({
    modelId,
    system: [{ text: system }],
    messages: [{ role: 'user', content: [{ text }] }],
  });

const anthropicBody = (text: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 512,
    system: CHAT_SYSTEM,
    messages: [{ role: 'user', content: text }],
    ...extra,
  });

async function collectConverseStream(stream: AsyncIterable<ConverseStreamOutput>) {
  const events: ConverseStreamOutput[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

async function collectChunks(body: AsyncIterable<ResponseStream>) {
  const chunks: Record<string, unknown>[] = [];
  for await (const event of body) {
    if (event.chunk?.bytes) chunks.push(JSON.parse(Buffer.from(event.chunk.bytes).toString('utf8')));
  }
  return chunks;
}

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('expected a value');
  return value;
}

async function eventually(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('bedrock emulator over the real SDK', () => {
  let emu: BedrockEmulator;
  const clients: BedrockRuntimeClient[] = [];
  const client = (transport: Transport, maxAttempts = 1) => {
    const c = clientFor(emu, transport, maxAttempts);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    emu = await startBedrockEmulator({ profile: 'zero' });
  });
  afterEach(() => {
    emu.resetFaults();
    emu.setProfile('zero', 1);
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await emu.stop();
  });

  describe.each<Transport>(['h2', 'http1'])('over %s', (transport) => {
    it('answers Converse with text, stop reason, usage and latency metrics', async () => {
      const out = await client(transport).send(converse(HAIKU, 'おすすめの漫画を教えて'));
      const text = out.output?.message?.content?.[0]?.text ?? '';
      expect(out.output?.message?.role).toBe('assistant');
      expect(text).toMatch(/[\u3040-\u30ff]/); // answered in Japanese
      expect(out.stopReason).toBe('end_turn');
      expect(out.usage?.outputTokens).toBe(countTokens(text));
      expect(out.usage?.totalTokens).toBe((out.usage?.inputTokens ?? 0) + (out.usage?.outputTokens ?? 0));
      expect(typeof out.metrics?.latencyMs).toBe('number');
    });

    it('streams ConverseStream deltas in order and ends with usage', async () => {
      const c = client(transport);
      const whole = await c.send(converse(SONNET, 'Which fantasy manga should I read next?'));
      const out = await c.send(
        new ConverseStreamCommand(converse(SONNET, 'Which fantasy manga should I read next?').input),
      );
      const events = await collectConverseStream(must(out.stream));
      const kinds = events.map((e) => Object.keys(e).find((k) => k !== '$unknown'));
      expect(kinds[0]).toBe('messageStart');
      expect(kinds.slice(-3)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
      const deltas = events.flatMap((e) =>
        e.contentBlockDelta?.delta?.text ? [e.contentBlockDelta.delta.text] : [],
      );
      expect(deltas.length).toBeGreaterThan(3);
      expect(deltas.join('')).toBe(whole.output?.message?.content?.[0]?.text);
      expect(events.at(-2)?.messageStop?.stopReason).toBe('end_turn');
      expect(events.at(-1)?.metadata?.usage).toEqual(whole.usage);
    });

    it('keeps characters outside the BMP (𠮷, emoji) in what it reads and answers, Converse and ConverseStream', async () => {
      const c = client(transport);
      // The chat answer names the topic it read: 𠮷 (U+20BB7) used to be cut, giving 野家.
      const message = '𠮷野家のコラボ漫画はありますか？🍜📚 家族👨‍👩‍👧で読みたいです';
      const out = await c.send(converse(HAIKU, message));
      const text = out.output?.message?.content?.[0]?.text ?? '';
      expect(text).toContain('𠮷野家');
      const streamed = await c.send(new ConverseStreamCommand(converse(HAIKU, message).input));
      const deltas = (await collectConverseStream(must(streamed.stream))).flatMap((e) =>
        e.contentBlockDelta?.delta?.text ? [e.contentBlockDelta.delta.text] : [],
      );
      expect(deltas.join('')).toBe(text);
      // An echo of the whole message (forced reply) comes back byte for byte, whole or streamed.
      const echo = `[[emulator:reply=${message}]]`;
      const echoed = await c.send(converse(HAIKU, echo));
      expect(echoed.output?.message?.content?.[0]?.text).toBe(message);
      const echoStream = await c.send(new ConverseStreamCommand(converse(HAIKU, echo).input));
      const echoDeltas = (await collectConverseStream(must(echoStream.stream))).flatMap((e) =>
        e.contentBlockDelta?.delta?.text ? [e.contentBlockDelta.delta.text] : [],
      );
      expect(echoDeltas.join('')).toBe(message);
      // No delta splits a surrogate pair (each one is well-formed UTF-16 on its own).
      const loneSurrogate = /\p{Surrogate}/u;
      expect(echoDeltas.filter((d) => loneSurrogate.test(d))).toEqual([]);
    });
  });

  it('serves InvokeModel with the Anthropic messages body and answers Anthropic JSON', async () => {
    const out = await client('h2').send(
      new InvokeModelCommand({
        modelId: HAIKU_US,
        contentType: 'application/json',
        accept: 'application/json',
        body: anthropicBody('Recommend a sports manga'),
      }),
    );
    const body = JSON.parse(Buffer.from(out.body).toString('utf8'));
    expect(out.contentType).toBe('application/json');
    expect(body).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: HAIKU_US,
      stop_reason: 'end_turn',
    });
    expect(body.content[0].type).toBe('text');
    expect(body.usage.output_tokens).toBe(countTokens(body.content[0].text));
    expect(body.usage.input_tokens).toBeGreaterThan(0);
  });

  it('streams InvokeModelWithResponseStream as base64 chunk events of Anthropic stream events', async () => {
    const c = client('http1');
    const out = await c.send(
      new InvokeModelWithResponseStreamCommand({
        modelId: HAIKU,
        contentType: 'application/json',
        body: anthropicBody('Recommend a sports manga'),
      }),
    );
    const chunks = await collectChunks(must(out.body));
    const types = chunks.map((ch) => ch.type);
    expect(types.slice(0, 2)).toEqual(['message_start', 'content_block_start']);
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    const text = chunks
      .filter((ch) => ch.type === 'content_block_delta')
      .map((ch) => (ch.delta as { text: string }).text)
      .join('');
    const plain = JSON.parse(
      Buffer.from(
        (
          await c.send(
            new InvokeModelCommand({ modelId: HAIKU, body: anthropicBody('Recommend a sports manga') }),
          )
        ).body,
      ).toString('utf8'),
    );
    expect(text).toBe(plain.content[0].text);
    const metrics = chunks.at(-1)?.['amazon-bedrock-invocationMetrics'] as Record<string, number>;
    expect(metrics).toMatchObject({
      inputTokenCount: plain.usage.input_tokens,
      outputTokenCount: plain.usage.output_tokens,
    });
    expect(chunks.at(-2)).toMatchObject({
      delta: { stop_reason: 'end_turn' },
      usage: { output_tokens: plain.usage.output_tokens },
    });
  });

  it('stops at max tokens and at stop sequences like the service', async () => {
    const c = client('h2');
    const capped = await c.send(
      new ConverseCommand({
        ...converse(HAIKU, 'Recommend a manga').input,
        inferenceConfig: { maxTokens: 5 },
      }),
    );
    expect(capped.stopReason).toBe('max_tokens');
    expect(capped.usage?.outputTokens).toBeLessThanOrEqual(5);
    const forced = await c.send(converse(HAIKU, 'say [[emulator:reply=alpha STOP beta]]'));
    expect(forced.output?.message?.content?.[0]?.text).toBe('alpha STOP beta');
    const stopped = await c.send(
      new ConverseCommand({
        ...converse(HAIKU, 'say [[emulator:reply=alpha STOP beta]]').input,
        inferenceConfig: { stopSequences: ['STOP'] },
      }),
    );
    expect(stopped.output?.message?.content?.[0]?.text).toBe('alpha ');
    expect(stopped.stopReason).toBe('stop_sequence');
  });

  describe('errors, as the SDK names them', () => {
    it.each([
      ['ThrottlingException', 429],
      ['ModelTimeoutException', 408],
      ['InternalServerException', 500],
      ['ServiceUnavailableException', 503],
      ['ModelNotReadyException', 429],
      ['AccessDeniedException', 403],
    ] as const)('%s -> HTTP %i and err.name', async (type, status) => {
      emu.setFaults({ failNext: { type, count: 1 } });
      const error = await client('h2')
        .send(converse(HAIKU, 'hello'))
        .catch((e: Error & { $metadata: { httpStatusCode?: number } }) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe(type);
      expect((error as { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode).toBe(status);
      // failNext is spent: the next call succeeds.
      await expect(client('h2').send(converse(HAIKU, 'hello'))).resolves.toBeDefined();
    });

    it('rejects an unknown model id and a malformed body with ValidationException', async () => {
      await expect(client('h2').send(converse('not-a-model', 'hi'))).rejects.toMatchObject({
        name: 'ValidationException',
        message: 'The provided model identifier is invalid.',
      });
      await expect(
        client('http1').send(
          new InvokeModelCommand({
            modelId: HAIKU,
            body: JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', messages: [] }),
          }),
        ),
      ).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('max_tokens'),
      });
      await expect(
        client('h2').send(
          new ConverseCommand({
            modelId: HAIKU,
            messages: [{ role: 'assistant', content: [{ text: 'hi' }] }],
          }),
        ),
      ).rejects.toMatchObject({ name: 'ValidationException' });
    });

    it('lets the SDK retry throttling by itself (default retry strategy)', async () => {
      emu.resetStats();
      emu.setFaults({ failNext: { type: 'ThrottlingException', count: 2 } });
      const out = await client('h2', 3).send(converse(HAIKU, 'retry me'));
      expect(out.$metadata.attempts).toBe(3);
      expect(emu.stats().errors.ThrottlingException).toBe(2);
      expect(emu.stats().requests).toBe(3);
    });

    it.each(['converse-stream', 'invoke-with-response-stream'] as const)(
      'a mid-stream exception on %s makes the SDK iterator throw ModelStreamErrorException after N deltas',
      async (op) => {
        emu.setFaults({ streamErrorAfterDeltas: 2 });
        const c = client('h2');
        const seen: string[] = [];
        const run = async () => {
          if (op === 'converse-stream') {
            const out = await c.send(new ConverseStreamCommand(converse(HAIKU, 'Recommend a manga').input));
            for await (const e of must(out.stream))
              if (e.contentBlockDelta?.delta?.text) seen.push(e.contentBlockDelta.delta.text);
          } else {
            const out = await c.send(
              new InvokeModelWithResponseStreamCommand({
                modelId: HAIKU,
                body: anthropicBody('Recommend a manga'),
              }),
            );
            for await (const e of must(out.body)) {
              const ev = JSON.parse(Buffer.from(must(e.chunk?.bytes)).toString('utf8'));
              if (ev.type === 'content_block_delta') seen.push(ev.delta.text);
            }
          }
        };
        await expect(run()).rejects.toMatchObject({ name: 'ModelStreamErrorException' });
        expect(seen).toHaveLength(2);
        expect(emu.stats().errors.ModelStreamErrorException).toBeGreaterThan(0);
      },
    );
  });

  it('enforces a per-model concurrency quota with ThrottlingException and reports the peak', async () => {
    emu.setProfile('demo', 0.2); // slow enough for requests to overlap
    emu.setFaults({ concurrencyLimits: { haiku: 3 } });
    emu.resetStats();
    const c = client('h2');
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => c.send(converse(HAIKU, 'Recommend a manga'))),
    );
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(rejected.map((r) => (r.reason as Error).name)).toEqual([
      'ThrottlingException',
      'ThrottlingException',
      'ThrottlingException',
    ]);
    const stats = emu.stats().byModel[HAIKU];
    expect(stats.peakConcurrency).toBe(3);
    expect(stats.errors.ThrottlingException).toBe(3);
    expect(stats.inFlight).toBe(0);
    // Another model is not limited by Haiku's quota.
    await expect(c.send(converse(SONNET, 'hi'))).resolves.toBeDefined();
  });

  it('enforces a requests-per-second quota per model with ThrottlingException', async () => {
    emu.setProfile('zero', 1);
    emu.setFaults({ rateLimit: 4, onlyModels: ['haiku'] });
    emu.resetStats();
    const c = client('h2');
    const results = await Promise.allSettled(
      Array.from({ length: 7 }, () => c.send(converse(HAIKU, 'Recommend a manga'))),
    );
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
    expect(new Set(rejected.map((r) => (r.reason as Error).name))).toEqual(new Set(['ThrottlingException']));
    expect(emu.stats().byModel[HAIKU].errors.ThrottlingException).toBe(3);
    await expect(c.send(converse(SONNET, 'hi'))).resolves.toBeDefined();
  });

  it.each<Transport>(['h2', 'http1'])(
    'hangs until the client aborts (%s), then counts the abort',
    async (transport) => {
      emu.resetStats();
      emu.setFaults({ hangRate: 1 });
      const abort = new AbortController();
      const call = client(transport).send(converse(HAIKU, 'will hang'), { abortSignal: abort.signal });
      await eventually(() => emu.stats().inFlight === 1);
      abort.abort();
      await expect(call).rejects.toMatchObject({ name: 'AbortError' });
      await eventually(() => emu.stats().inFlight === 0);
      expect(emu.stats().aborted).toBe(1);
    },
  );

  it('realistic profile: Sonnet with ~8,000 input tokens takes 25-30 s (run at timeScale 0.001)', async () => {
    emu.setProfile('realistic', 0.001);
    const turn = 'この漫画の続きについて詳しく教えてください。'.repeat(40); // 880 tokens
    const messages = Array.from({ length: 9 }, (_, i) => ({
      role: i % 2 === 0 ? ('user' as const) : ('assistant' as const),
      content: [{ text: `${turn}${i}` }],
    }));
    const started = performance.now();
    const out = await client('h2').send(
      new ConverseStreamCommand({ modelId: SONNET, system: [{ text: CHAT_SYSTEM }], messages }),
    );
    const events = await collectConverseStream(must(out.stream));
    const elapsed = performance.now() - started;
    const metadata = events.at(-1)?.metadata;
    expect(metadata?.usage?.inputTokens).toBeGreaterThanOrEqual(7900);
    expect(metadata?.usage?.inputTokens).toBeLessThanOrEqual(8100);
    const latencyMs = metadata?.metrics?.latencyMs ?? 0;
    expect(latencyMs).toBeGreaterThanOrEqual(25_000);
    expect(latencyMs).toBeLessThanOrEqual(30_000);
    expect(elapsed).toBeGreaterThanOrEqual(latencyMs * 0.001 - 1); // the scaled wait really happened
    process.stdout.write(
      `Sonnet realistic: inputTokens=${metadata?.usage?.inputTokens} outputTokens=${metadata?.usage?.outputTokens} latencyMs(unscaled)=${latencyMs}\n`,
    );
  });

  it('realistic profile: a Haiku enrichment call takes ~2 s (seed scenario 2)', async () => {
    emu.setProfile('realistic', 0.001);
    const out = await client('h2').send(
      converse(
        HAIKU,
        'Generate a synopsis for manga: Frieren (葬送のフリーレン)',
        'You write catalog copy for a manga store.',
      ),
    );
    expect(out.metrics?.latencyMs).toBeGreaterThanOrEqual(1000);
    expect(out.metrics?.latencyMs).toBeLessThanOrEqual(2500);
  });

  it('is labelled as a development stand-in and administrable over HTTP', async () => {
    const root = await fetch(`${emu.url}/`);
    expect(root.headers.get('x-emulator')).toBe('bedrock-dev-standin');
    expect((await root.json()).notice).toMatch(/NOT a model/);

    const put = await fetch(`${emu.url}/_emulator/faults`, {
      method: 'PUT',
      body: JSON.stringify({ throttleRate: 1 }),
    });
    expect((await put.json()).throttleRate).toBe(1);
    await expect(client('h2').send(converse(HAIKU, 'hi'))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    const bad = await fetch(`${emu.url}/_emulator/faults`, {
      method: 'PUT',
      body: JSON.stringify({ throttleRate: 2 }),
    });
    expect(bad.status).toBe(400);

    const profile = await fetch(`${emu.url}/_emulator/profile`, {
      method: 'PUT',
      body: JSON.stringify({ profile: 'demo', timeScale: 0.01 }),
    });
    expect(await profile.json()).toEqual({ profile: 'demo', timeScale: 0.01 });

    const reset = await fetch(`${emu.url}/_emulator/reset`, { method: 'POST' });
    expect((await reset.json()).faults.throttleRate).toBe(0);
    await expect(client('h2').send(converse(HAIKU, 'hi'))).resolves.toBeDefined();
    const stats = await (await fetch(`${emu.url}/_emulator/stats`)).json();
    expect(stats.requests).toBe(1);
    expect(stats.byModel[HAIKU].byOperation.converse).toBe(1);
  });

  it('replays probabilistic faults identically for the same seed', async () => {
    const run = async () => {
      const other = await startBedrockEmulator({ seed: 7, faults: { throttleRate: 0.5 } });
      const c = clientFor(other, 'h2');
      const outcomes: string[] = [];
      for (let i = 0; i < 12; i++) {
        outcomes.push(
          await c.send(converse(HAIKU, `q${i}`)).then(
            () => 'ok',
            (e: Error) => e.name,
          ),
        );
      }
      c.destroy();
      await other.stop();
      return outcomes;
    };
    const first = await run();
    expect(first).toContain('ThrottlingException');
    expect(first).toContain('ok');
    expect(await run()).toEqual(first);
  });

  it('uses the next forced reply once, so callers can test invalid JSON from the model', async () => {
    emu.setFaults({ nextReply: '{"safe": tru' });
    const c = client('h2');
    const first = await c.send(converse(HAIKU, 'Moderate: hello', 'You are a content moderator.'));
    expect(first.output?.message?.content?.[0]?.text).toBe('{"safe": tru');
    const second = await c.send(converse(HAIKU, 'Moderate: hello', 'You are a content moderator.'));
    expect(JSON.parse(second.output?.message?.content?.[0]?.text ?? '')).toMatchObject({ safe: true });
  });
});
