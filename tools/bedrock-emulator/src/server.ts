import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { complete } from './completion';
import {
  appliesTo,
  concurrencyLimitFor,
  createRandom,
  ERROR_STATUS,
  FaultInputError,
  mergeFaults,
  NO_FAULTS,
  type ErrorType,
  type Faults,
  type FaultsPatch,
} from './faults';
import { INVALID_MODEL_ID_MESSAGE, isValidModelId } from './model-ids';
import { createRateQuota } from './rate-quota';
import { LATENCY_PROFILES, modelFamily, planLatency, PROFILES, type ProfileName } from './models';
import {
  anthropicResponse,
  BadRequestError,
  converseResponse,
  OPERATIONS,
  parseAnthropic,
  parseConverse,
  type Completion,
  type ModelRequest,
  type Operation,
} from './protocol';
import { StatsRecorder, type Stats } from './stats';
import { splitIntoDeltas } from './tokens';
import { eventFrame, exceptionFrame } from './wire';

export const EMULATOR_LABEL = 'bedrock-dev-standin';
const BANNER =
  'Bedrock Runtime emulator: a DEVELOPMENT STAND-IN for tests and the local stack, NOT a model. ' +
  'Answers are deterministic templates chosen by keywords.';
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface EmulatorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface BedrockEmulatorOptions {
  port?: number;
  host?: string;
  profile?: ProfileName;
  /** Multiplies every delay (latency model and extraLatencyMs); 0.01 makes tests 100x faster. */
  timeScale?: number;
  faults?: FaultsPatch;
  /** Seed of the generator behind probabilistic faults (same seed, same sequence). */
  seed?: number;
  logger?: EmulatorLogger;
}

export interface BedrockEmulator {
  url: string;
  port: number;
  setFaults(faults: FaultsPatch): Faults;
  resetFaults(): void;
  faults(): Faults;
  setProfile(profile: ProfileName, timeScale?: number): void;
  stats(): Stats;
  resetStats(): void;
  stop(): Promise<void>;
}

/** Either an HTTP/1.1 or an HTTP/2 compatibility request/response: the parts both share. */
type Req = http.IncomingMessage | http2.Http2ServerRequest;
interface Res {
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  write(chunk: Uint8Array | string): boolean;
  end(chunk?: Uint8Array | string): unknown;
  on(event: 'close', listener: () => void): unknown;
  readonly writableEnded: boolean;
  readonly headersSent: boolean;
}

const silentLogger: EmulatorLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Starts the emulator. One TCP port serves HTTP/1.1 and cleartext HTTP/2 (prior knowledge, which
 * the SDK's default NodeHttp2Handler uses on http:// endpoints): the first bytes of each
 * connection decide which server gets it.
 */
export async function startBedrockEmulator(options: BedrockEmulatorOptions = {}): Promise<BedrockEmulator> {
  const host = options.host ?? '127.0.0.1';
  const log = options.logger ?? silentLogger;
  let profile: ProfileName = options.profile ?? 'zero';
  let timeScale = options.timeScale ?? 1;
  let faults = mergeFaults(NO_FAULTS, (options.faults ?? {}) as Record<string, unknown>);
  const random = createRandom(options.seed ?? 42);
  const stats = new StatsRecorder();
  const rateQuota = createRateQuota();
  const sockets = new Set<net.Socket>();
  const h2Sessions = new Set<http2.Http2Session>();

  const handler = (req: Req, res: Res): void => {
    route(req, res).catch((error: unknown) => {
      log.error({ err: error, url: req.url }, 'emulator request failed');
      if (!res.headersSent) sendError(res, 'InternalServerException', 'Emulator internal error.');
      else if (!res.writableEnded) res.end();
    });
  };
  const h1 = http.createServer({ keepAliveTimeout: 5000 }, handler);
  const h2 = http2.createServer({}, handler);
  h2.on('session', (session) => {
    h2Sessions.add(session);
    session.on('close', () => h2Sessions.delete(session));
  });

  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      // Every HTTP/2 connection opens with the preface "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".
      // The HTTP/2 session drains the unshifted bytes itself; the HTTP/1.1 parser needs a resume.
      if (first.subarray(0, 4).toString('latin1') === 'PRI ') {
        h2.emit('connection', socket);
      } else {
        h1.emit('connection', socket);
        socket.resume();
      }
    });
  });

  async function route(req: Req, res: Res): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const match = /^\/model\/([^/]+)\/([a-z-]+)$/.exec(url.pathname);
    if (req.method === 'POST' && match && OPERATIONS.includes(match[2] as Operation)) {
      return handleModel(req, res, decodeURIComponent(match[1]), match[2] as Operation);
    }
    if (url.pathname.startsWith('/_emulator/'))
      return handleAdmin(req, res, url.pathname.slice('/_emulator/'.length));
    if (req.method === 'GET' && url.pathname === '/') {
      return sendJson(res, 200, {
        service: EMULATOR_LABEL,
        notice: BANNER,
        profile,
        timeScale,
        operations: OPERATIONS.map((op) => `POST /model/{modelId}/${op}`),
        admin: [
          'GET|PUT /_emulator/faults',
          'GET /_emulator/stats',
          'POST /_emulator/reset',
          'PUT /_emulator/profile',
        ],
      });
    }
    sendJson(
      res,
      404,
      { message: `Unknown operation ${req.method} ${url.pathname}` },
      { 'x-amzn-errortype': 'UnknownOperationException' },
    );
  }

  async function handleAdmin(req: Req, res: Res, what: string): Promise<void> {
    try {
      if (what === 'faults' && req.method === 'GET') return sendJson(res, 200, faults);
      if (what === 'faults' && (req.method === 'PUT' || req.method === 'POST')) {
        faults = mergeFaults(faults, await readJsonObject(req));
        log.info({ faults }, 'faults set');
        return sendJson(res, 200, faults);
      }
      if (what === 'stats' && req.method === 'GET') return sendJson(res, 200, stats.snapshot());
      if (what === 'reset' && req.method === 'POST') {
        faults = NO_FAULTS;
        stats.reset();
        return sendJson(res, 200, { faults, stats: stats.snapshot() });
      }
      if (what === 'profile' && req.method === 'GET') return sendJson(res, 200, { profile, timeScale });
      if (what === 'profile' && (req.method === 'PUT' || req.method === 'POST')) {
        const body = await readJsonObject(req);
        applyProfile(body.profile as ProfileName, body.timeScale as number | undefined);
        return sendJson(res, 200, { profile, timeScale });
      }
      sendJson(res, 404, { message: `No admin route ${req.method} /_emulator/${what}` });
    } catch (error) {
      if (error instanceof FaultInputError || error instanceof BadRequestError) {
        return sendJson(res, 400, { message: error.message });
      }
      throw error;
    }
  }

  function applyProfile(next: ProfileName, scale?: number): void {
    if (!PROFILES.includes(next)) throw new BadRequestError(`profile must be one of ${PROFILES.join(', ')}`);
    if (scale !== undefined && (typeof scale !== 'number' || !(scale >= 0)))
      throw new BadRequestError('timeScale must be a number >= 0');
    profile = next;
    if (scale !== undefined) timeScale = scale;
    log.info({ profile, timeScale }, 'latency profile set');
  }

  async function handleModel(req: Req, res: Res, modelId: string, operation: Operation): Promise<void> {
    const requestId = randomUUID();
    const started = performance.now();
    stats.request(modelId, operation);
    const reject = (type: ErrorType, message: string): void => {
      stats.error(modelId, type);
      log.warn({ requestId, modelId, operation, errorType: type }, 'answered with an error');
      sendError(res, type, message, requestId);
    };

    let request: ModelRequest;
    try {
      if (!isValidModelId(modelId)) throw new BadRequestError(INVALID_MODEL_ID_MESSAGE);
      const raw = await readBody(req);
      request = operation.startsWith('converse') ? parseConverse(parseJson(raw)) : parseAnthropic(raw);
    } catch (error) {
      if (error instanceof BadRequestError) return reject('ValidationException', error.message);
      throw error;
    }

    const faulty = appliesTo(faults, modelId);
    if (faulty && faults.failNext && faults.failNext.count > 0) {
      const { type } = faults.failNext;
      faults = {
        ...faults,
        failNext: faults.failNext.count > 1 ? { type, count: faults.failNext.count - 1 } : null,
      };
      return reject(type, `Injected ${type} (failNext).`);
    }
    if (faulty && faults.throttleRate > 0 && random() < faults.throttleRate) {
      return reject('ThrottlingException', 'Too many requests, please wait before trying again.');
    }
    const limit = faulty ? concurrencyLimitFor(faults, modelId) : null;
    if (limit !== null && stats.inFlight(modelId) >= limit) {
      return reject('ThrottlingException', 'Too many concurrent requests, please wait before trying again.');
    }
    if (
      faulty &&
      faults.rateLimit !== null &&
      !rateQuota.admit(modelId, faults.rateLimit, performance.now())
    ) {
      return reject('ThrottlingException', 'Too many requests, please wait before trying again.');
    }
    if (faulty && faults.serverErrorRate > 0 && random() < faults.serverErrorRate) {
      return reject(faults.serverErrorType, `Injected ${faults.serverErrorType}.`);
    }

    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) abort.abort();
    });
    stats.begin(modelId);
    let outcome: 'completed' | 'aborted' | 'failed' = 'completed';
    try {
      if (faulty && faults.hangRate > 0 && random() < faults.hangRate) {
        log.warn({ requestId, modelId, operation }, 'hanging (fault) until the client aborts');
        await new Promise<void>((resolve) =>
          abort.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        outcome = 'aborted';
        return;
      }
      const forced = faulty && faults.nextReplies.length > 0 ? faults.nextReplies[0] : undefined;
      if (forced !== undefined) faults = { ...faults, nextReplies: faults.nextReplies.slice(1) };
      const completion = complete(request, forced);
      const model = LATENCY_PROFILES[profile][modelFamily(modelId)];
      const plan = planLatency(
        model,
        completion.inputTokens,
        completion.outputTokens,
        faulty ? faults.extraLatencyMs : 0,
      );
      const ctx: Exchange = { res, requestId, modelId, completion, plan, started, signal: abort.signal };
      const streamErrorAfter = faulty ? faults.streamErrorAfterDeltas : null;
      if (operation === 'converse') await answerConverse(ctx);
      else if (operation === 'invoke') await answerInvoke(ctx);
      else {
        const failed = await answerStream(ctx, operation, streamErrorAfter);
        if (failed) outcome = 'failed';
      }
      if (outcome === 'completed') stats.tokens(modelId, completion.inputTokens, completion.outputTokens);
      log.info(
        {
          requestId,
          modelId,
          operation,
          kind: completion.kind,
          inputTokens: completion.inputTokens,
          outputTokens: completion.outputTokens,
          modelledLatencyMs: Math.round(plan.totalMs),
          outcome,
        },
        'answered (development stand-in, not a model)',
      );
    } catch (error) {
      if (abort.signal.aborted) {
        outcome = 'aborted';
        return;
      }
      outcome = 'failed';
      throw error;
    } finally {
      if (abort.signal.aborted && outcome === 'completed') outcome = 'aborted';
      stats.end(modelId, outcome);
    }
  }

  interface Exchange {
    res: Res;
    requestId: string;
    modelId: string;
    completion: Completion;
    plan: ReturnType<typeof planLatency>;
    started: number;
    signal: AbortSignal;
  }

  /** Waits until `unscaledMs` (modelled time since the request started) has elapsed, scaled. */
  async function until(ctx: Exchange, unscaledMs: number): Promise<void> {
    const wait = ctx.started + unscaledMs * timeScale - performance.now();
    if (wait >= 1) await sleep(wait, undefined, { signal: ctx.signal });
    if (ctx.signal.aborted) throw ctx.signal.reason;
  }

  /** Bedrock reports its own latency: the modelled one, or the real one when that is longer. */
  const reportedLatency = (ctx: Exchange): number =>
    Math.round(Math.max(ctx.plan.totalMs, performance.now() - ctx.started));

  function baseHeaders(ctx: Exchange, contentType: string): Record<string, string | number> {
    return { 'content-type': contentType, 'x-amzn-requestid': ctx.requestId, 'x-emulator': EMULATOR_LABEL };
  }

  async function answerConverse(ctx: Exchange): Promise<void> {
    await until(ctx, ctx.plan.totalMs);
    const body = JSON.stringify(converseResponse(ctx.completion, reportedLatency(ctx)));
    ctx.res.writeHead(200, baseHeaders(ctx, 'application/json'));
    ctx.res.end(body);
  }

  async function answerInvoke(ctx: Exchange): Promise<void> {
    await until(ctx, ctx.plan.totalMs);
    const body = JSON.stringify(
      anthropicResponse(
        ctx.completion,
        ctx.modelId,
        `msg_bdrk_${ctx.requestId.replace(/-/g, '').slice(0, 24)}`,
      ),
    );
    ctx.res.writeHead(200, {
      ...baseHeaders(ctx, 'application/json'),
      'x-amzn-bedrock-input-token-count': ctx.completion.inputTokens,
      'x-amzn-bedrock-output-token-count': ctx.completion.outputTokens,
      'x-amzn-bedrock-invocation-latency': reportedLatency(ctx),
    });
    ctx.res.end(body);
  }

  /** Returns true when a mid-stream exception was sent. */
  async function answerStream(
    ctx: Exchange,
    operation: Operation,
    errorAfterDeltas: number | null,
  ): Promise<boolean> {
    const anthropic = operation === 'invoke-with-response-stream';
    const { completion: c } = ctx;
    const chunk = (payload: unknown): Uint8Array =>
      eventFrame('chunk', { bytes: Buffer.from(JSON.stringify(payload)).toString('base64') });
    ctx.res.writeHead(200, {
      ...baseHeaders(ctx, 'application/vnd.amazon.eventstream'),
      ...(anthropic ? { 'x-amzn-bedrock-content-type': 'application/json' } : {}),
    });
    const messageId = `msg_bdrk_${ctx.requestId.replace(/-/g, '').slice(0, 24)}`;
    if (anthropic) {
      ctx.res.write(
        chunk({
          type: 'message_start',
          message: {
            id: messageId,
            type: 'message',
            role: 'assistant',
            model: ctx.modelId,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: c.inputTokens, output_tokens: 1 },
          },
        }),
      );
      ctx.res.write(
        chunk({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      );
    } else {
      ctx.res.write(eventFrame('messageStart', { role: 'assistant' }));
    }
    let firstByteMs = 0;
    let emittedTokens = 0;
    const deltas = splitIntoDeltas(c.text);
    for (const [index, delta] of deltas.entries()) {
      if (errorAfterDeltas !== null && index >= errorAfterDeltas) return sendStreamError(ctx);
      emittedTokens += delta.tokens;
      await until(ctx, ctx.plan.ttftMs + ctx.plan.perOutputTokenMs * emittedTokens);
      if (index === 0) firstByteMs = Math.round(performance.now() - ctx.started);
      ctx.res.write(
        anthropic
          ? chunk({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: delta.text } })
          : eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: delta.text } }),
      );
    }
    // Answers shorter than N deltas still fail, after their last delta.
    if (errorAfterDeltas !== null) return sendStreamError(ctx);
    await until(ctx, ctx.plan.totalMs);
    const latencyMs = reportedLatency(ctx);
    if (anthropic) {
      ctx.res.write(chunk({ type: 'content_block_stop', index: 0 }));
      ctx.res.write(
        chunk({
          type: 'message_delta',
          delta: { stop_reason: c.stopReason, stop_sequence: c.stopSequence },
          usage: { output_tokens: c.outputTokens },
        }),
      );
      ctx.res.write(
        chunk({
          type: 'message_stop',
          'amazon-bedrock-invocationMetrics': {
            inputTokenCount: c.inputTokens,
            outputTokenCount: c.outputTokens,
            invocationLatency: latencyMs,
            firstByteLatency: Math.max(firstByteMs, Math.round(ctx.plan.ttftMs)),
          },
        }),
      );
    } else {
      ctx.res.write(eventFrame('contentBlockStop', { contentBlockIndex: 0 }));
      ctx.res.write(eventFrame('messageStop', { stopReason: c.stopReason }));
      ctx.res.write(
        eventFrame('metadata', {
          usage: {
            inputTokens: c.inputTokens,
            outputTokens: c.outputTokens,
            totalTokens: c.inputTokens + c.outputTokens,
          },
          metrics: { latencyMs },
        }),
      );
    }
    ctx.res.end();
    return false;
  }

  function sendStreamError(ctx: Exchange): true {
    stats.error(ctx.modelId, 'ModelStreamErrorException');
    log.warn(
      { requestId: ctx.requestId, modelId: ctx.modelId },
      'injected ModelStreamErrorException mid-stream',
    );
    ctx.res.write(
      exceptionFrame('ModelStreamErrorException', {
        message: 'Injected mid-stream model error (emulator fault streamErrorAfterDeltas).',
        originalStatusCode: 500,
        originalMessage: 'stream interrupted',
      }),
    );
    ctx.res.end();
    return true;
  }

  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (tcp.address() as net.AddressInfo).port;
  const url = `http://${host}:${port}`;
  log.info(
    { url, profile, timeScale, notice: BANNER },
    'bedrock emulator listening (development stand-in, not a model)',
  );

  return {
    url,
    port,
    setFaults: (patch) => (faults = mergeFaults(faults, patch as Record<string, unknown>)),
    resetFaults: () => {
      faults = NO_FAULTS;
    },
    faults: () => faults,
    setProfile: (next, scale) => applyProfile(next, scale),
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    stop: async () => {
      const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      for (const session of h2Sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      h1.closeAllConnections();
      await closed;
    },
  };
}

function sendJson(res: Res, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-emulator': EMULATOR_LABEL, ...headers });
  res.end(JSON.stringify(body));
}

/** Bedrock's error shape: status + x-amzn-errortype + {"message"}; the SDK names the error from the header. */
function sendError(res: Res, type: ErrorType, message: string, requestId: string = randomUUID()): void {
  sendJson(res, ERROR_STATUS[type], { message }, { 'x-amzn-errortype': type, 'x-amzn-requestid': requestId });
}

async function readBody(req: Req): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BadRequestError('Input is too long for requested model.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new BadRequestError('Malformed input request, please reformat your input and try again.');
  }
}

async function readJsonObject(req: Req): Promise<Record<string, unknown>> {
  const parsed = parseJson(await readBody(req));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new BadRequestError('expected a JSON object');
  return parsed as Record<string, unknown>;
}
