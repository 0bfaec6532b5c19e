import {
  ConverseCommand,
  ConverseStreamCommand,
  type BedrockRuntimeClient,
  type ConverseCommandInput,
} from '@aws-sdk/client-bedrock-runtime';
import type { Redis } from 'ioredis';
import type { Registry } from '@manga-assist/service-runtime';
import { createModelRegistry, priceOf, type ModelRegistry, type ModelSpec } from './models';
import { responseCacheKey, type ChatMessage, type ResolvedRequest } from './cache-key';
import { createResponseCache, type CachedAnswer, type CacheEvent } from './response-cache';
import { createModelBreakers, type BreakerOptions } from './breakers';
import { createFmMetrics, type BreakerStateName, type Operation } from './metrics';
import { callSignal, raceAbort, type CallSignal } from './deadline';
import { FmError, toFmError } from './errors';
import { createChannel } from './channel';
import { retryConnectionResets } from './transient';
import type { FmSettings } from './env';

export interface FmRequest {
  /** Alias ('haiku', 'sonnet', configured ones) or a model / inference profile id. */
  model: string;
  system?: string;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

interface FmCallOptions {
  /** Aborts the call (e.g. the client disconnected). */
  signal?: AbortSignal;
  /** Whole-call deadline in ms (SDK retries included); default from the client options. */
  deadlineMs?: number;
  sessionId?: string;
  /** A/B variant name to report (see createAbSplit). */
  variant?: string;
  requestId?: string;
  /** false = neither read nor write the response cache for this call. */
  cache?: boolean;
}

export interface FmResponse {
  text: string;
  modelId: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  /** What this call cost: 0 for a cache hit (tokens are those of the original answer). */
  costUsd: number;
  stopReason: string;
  cached: boolean;
  variant?: string;
}

export type FmStreamEvent = { type: 'delta'; text: string } | { type: 'done'; response: FmResponse };

/** One per completed inference, cache hits included (cached: true, costUsd 0). */
export interface InferenceRecord {
  operation: Operation;
  modelId: string;
  variant: string | undefined;
  /** The answer (for a response summary in InferenceCompleted; the hook decides what to keep). */
  text: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  /** Streams: time to the first text delta. */
  timeToFirstTokenMs: number | undefined;
  costUsd: number;
  stopReason: string;
  cached: boolean;
  sessionId: string | undefined;
  requestId: string | undefined;
}

interface FmLogger {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface FmClientOptions {
  /** Built where retries are decided (createAwsClients' bedrockMaxAttempts): the only retry loop. */
  bedrock: BedrockRuntimeClient;
  registry?: ModelRegistry;
  /** Absent = no response cache. fm-client does not own it (it does not close it). */
  redis?: Redis;
  cache?: { enabled?: boolean; ttlSeconds?: number; keyPrefix?: string; timeoutMs?: number };
  breaker?: BreakerOptions;
  /** Deadline for calls that do not pass one. Default 25 s. */
  defaultDeadlineMs?: number;
  metrics?: Registry;
  logger?: FmLogger;
  onInference?: (record: InferenceRecord) => void;
  onBreakerStateChange?: (modelId: string, state: BreakerStateName) => void;
  /** Clock for latencies (ms). */
  now?: () => number;
}

export interface FmClient {
  invoke(request: FmRequest, options?: FmCallOptions): Promise<FmResponse>;
  /** Text deltas then one `done`. Breaking out of the loop aborts the model call. */
  stream(request: FmRequest, options?: FmCallOptions): AsyncGenerator<FmStreamEvent, void, undefined>;
  breakerState(model: string): BreakerStateName;
  /** Waits for cache writes in flight. Does not close the Bedrock or Redis clients (not ours). */
  close(): Promise<void>;
}

const silentLogger: FmLogger = { warn: () => undefined, info: () => undefined, debug: () => undefined };
const REPLAY_CHUNK = 24; // code points per delta when a cached answer is replayed as a stream

/**
 * The one way apps talk to the model: Converse / ConverseStream with defaults and prices from the
 * registry, a Redis response cache that can fail without failing the call, a deadline per call,
 * a circuit breaker per model, typed errors, metrics and one hook per completed inference.
 */
export function createFmClient(options: FmClientOptions): FmClient {
  const registry = options.registry ?? createModelRegistry();
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => performance.now());
  const defaultDeadlineMs = options.defaultDeadlineMs ?? 25_000;
  const metrics = createFmMetrics(options.metrics);
  const cacheEnabled = Boolean(options.redis) && options.cache?.enabled !== false;
  const logThrottle = createLogThrottle(10_000);

  const cache = createResponseCache({
    redis: options.redis,
    ttlSeconds: options.cache?.ttlSeconds ?? 300,
    keyPrefix: options.cache?.keyPrefix ?? '',
    timeoutMs: options.cache?.timeoutMs ?? 50,
    onEvent(event: CacheEvent, detail?: unknown) {
      metrics.cache(event);
      if (
        (event === 'error' || event === 'timeout' || event === 'unavailable') &&
        logThrottle(`cache:${event}`)
      ) {
        logger.warn({ event, err: errorText(detail) }, 'fm response cache degraded: answering without it');
      }
    },
  });
  const breakers = createModelBreakers(
    options.breaker ?? {},
    (modelId, state) => {
      metrics.breaker(modelId, state);
      logger.warn({ modelId, state }, 'fm circuit breaker state changed');
      options.onBreakerStateChange?.(modelId, state);
    },
    (modelId) => metrics.breaker(modelId, 'closed'),
  );

  function prepare(request: FmRequest): { spec: ModelSpec; resolved: ResolvedRequest } {
    const spec = registry.resolve(request.model);
    validate(request, spec.id);
    const resolved: ResolvedRequest = {
      modelId: spec.id,
      system: request.system || undefined,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      maxTokens: request.maxTokens ?? spec.maxTokens,
      temperature: request.temperature ?? spec.temperature,
      topP: request.topP ?? spec.topP,
      stopSequences: request.stopSequences?.length ? [...request.stopSequences] : undefined,
    };
    return { spec, resolved };
  }

  function record(
    operation: Operation,
    response: FmResponse,
    callOptions: FmCallOptions,
    started: number,
    timeToFirstTokenMs?: number,
  ) {
    metrics.call(
      {
        model: response.modelId,
        operation,
        outcome: 'ok',
        variant: callOptions.variant ?? 'none',
        cached: response.cached,
      },
      (now() - started) / 1000,
    );
    if (!response.cached)
      metrics.usage(response.modelId, response.inputTokens, response.outputTokens, response.costUsd);
    logger.debug(
      {
        requestId: callOptions.requestId,
        modelId: response.modelId,
        operation,
        cached: response.cached,
        inputTokens: response.inputTokens,
        outputTokens: response.outputTokens,
        latencyMs: response.latencyMs,
      },
      'fm inference completed',
    );
    if (!options.onInference) return;
    try {
      options.onInference({
        operation,
        modelId: response.modelId,
        variant: callOptions.variant,
        text: response.text,
        inputTokens: response.inputTokens,
        outputTokens: response.outputTokens,
        latencyMs: response.latencyMs,
        timeToFirstTokenMs,
        costUsd: response.costUsd,
        stopReason: response.stopReason,
        cached: response.cached,
        sessionId: callOptions.sessionId,
        requestId: callOptions.requestId,
      });
    } catch (err) {
      logger.warn(
        { err: errorText(err), requestId: callOptions.requestId },
        'fm onInference hook threw (ignored)',
      );
    }
  }

  function recordFailure(
    operation: Operation,
    modelId: string,
    err: FmError,
    callOptions: FmCallOptions,
    started: number,
  ) {
    metrics.call(
      { model: modelId, operation, outcome: err.code, variant: callOptions.variant ?? 'none', cached: false },
      (now() - started) / 1000,
    );
    if (err.code !== 'ABORTED') {
      logger.warn(
        { requestId: callOptions.requestId, modelId, code: err.code, awsCode: err.awsCode, err: err.message },
        'fm call failed',
      );
    }
  }

  const cachedResponse = (hit: CachedAnswer, started: number, variant?: string): FmResponse => ({
    text: hit.text,
    modelId: hit.modelId,
    inputTokens: hit.inputTokens,
    outputTokens: hit.outputTokens,
    latencyMs: Math.round(now() - started),
    costUsd: 0,
    stopReason: hit.stopReason,
    cached: true,
    ...(variant !== undefined ? { variant } : {}),
  });

  // A connection reset is sent again in place: not a throttle, not a breaker failure, one warning.
  const onReset = (modelId: string, operation: Operation) => (err: unknown, attempt: number) => {
    metrics.transientRetry(modelId, operation);
    logger.warn(
      { modelId, operation, attempt, cause: errorText(err) },
      'model connection reset by the server; sending again',
    );
  };

  const abortContext = (call: CallSignal, deadlineMs: number) => ({
    deadlineExceeded: call.deadlineExceeded(),
    callerAborted: call.callerAborted(),
    deadlineMs,
  });

  return {
    async invoke(request, callOptions = {}) {
      const started = now();
      const { spec, resolved } = prepare(request);
      const hash = cacheEnabled && callOptions.cache !== false ? responseCacheKey(resolved) : undefined;
      if (hash) {
        const hit = await cache.get(hash);
        if (hit) {
          const response = cachedResponse(hit, started, callOptions.variant);
          record('invoke', response, callOptions, started);
          return response;
        }
      }
      const deadlineMs = callOptions.deadlineMs ?? defaultDeadlineMs;
      const call = callSignal(callOptions.signal, deadlineMs);
      try {
        const output = await raceAbort(
          breakers.execute(
            spec.id,
            async () => {
              try {
                return await retryConnectionResets(
                  () =>
                    options.bedrock.send(new ConverseCommand(converseInput(resolved)), {
                      abortSignal: call.signal,
                    }),
                  call.signal,
                  onReset(spec.id, 'invoke'),
                );
              } catch (err) {
                throw toFmError(err, spec.id, abortContext(call, deadlineMs));
              }
            },
            call.signal,
          ),
          call.signal,
        );
        const text = (output.output?.message?.content ?? []).map((block) => block.text ?? '').join('');
        const inputTokens = output.usage?.inputTokens ?? 0;
        const outputTokens = output.usage?.outputTokens ?? 0;
        const stopReason = output.stopReason ?? 'unknown';
        const response: FmResponse = {
          text,
          modelId: spec.id,
          inputTokens,
          outputTokens,
          latencyMs: Math.round(now() - started),
          costUsd: priceOf(spec.price, inputTokens, outputTokens),
          stopReason,
          cached: false,
          ...(callOptions.variant !== undefined ? { variant: callOptions.variant } : {}),
        };
        if (hash && stopReason === 'end_turn') cache.put(hash, toCached(response));
        record('invoke', response, callOptions, started);
        return response;
      } catch (err) {
        const fmError = toFmError(err, spec.id, abortContext(call, deadlineMs));
        recordFailure('invoke', spec.id, fmError, callOptions, started);
        throw fmError;
      } finally {
        call.dispose();
      }
    },

    async *stream(request, callOptions = {}) {
      const started = now();
      const { spec, resolved } = prepare(request);
      const hash = cacheEnabled && callOptions.cache !== false ? responseCacheKey(resolved) : undefined;
      if (hash) {
        const hit = await cache.get(hash);
        if (hit) {
          const firstAt = now();
          for (const piece of chunks(hit.text, REPLAY_CHUNK)) yield { type: 'delta', text: piece };
          const response = cachedResponse(hit, started, callOptions.variant);
          record('stream', response, callOptions, started, Math.round(firstAt - started));
          yield { type: 'done', response };
          return;
        }
      }

      const deadlineMs = callOptions.deadlineMs ?? defaultDeadlineMs;
      const call = callSignal(callOptions.signal, deadlineMs);
      const channel = createChannel<string>();
      let firstTokenAt: number | undefined;
      let summary:
        { text: string; stopReason: string; inputTokens: number; outputTokens: number } | undefined;
      let settled = false;

      // The producer runs inside the breaker for the whole stream, so a failure in the middle of
      // the stream counts toward the circuit like any other model failure.
      raceAbort(
        breakers.execute(
          spec.id,
          async () => {
            try {
              // Only the request is resent on a reset; once the stream has begun, a failure is the stream's.
              const output = await retryConnectionResets(
                () =>
                  options.bedrock.send(new ConverseStreamCommand(converseInput(resolved)), {
                    abortSignal: call.signal,
                  }),
                call.signal,
                onReset(spec.id, 'stream'),
              );
              if (!output.stream)
                throw new FmError('MODEL_ERROR', 'model answered without a stream', { modelId: spec.id });
              let text = '';
              let stopReason: string | undefined;
              let inputTokens = 0;
              let outputTokens = 0;
              for await (const event of output.stream) {
                const delta = event.contentBlockDelta?.delta?.text;
                if (delta) {
                  firstTokenAt ??= now();
                  text += delta;
                  if (!(await channel.push(delta))) {
                    call.abort();
                    throw new FmError('ABORTED', 'stream consumer went away', { modelId: spec.id });
                  }
                } else if (event.messageStop) {
                  stopReason = event.messageStop.stopReason;
                } else if (event.metadata?.usage) {
                  inputTokens = event.metadata.usage.inputTokens ?? 0;
                  outputTokens = event.metadata.usage.outputTokens ?? 0;
                }
              }
              if (!stopReason) {
                throw new FmError('MODEL_ERROR', 'model stream ended before messageStop', {
                  modelId: spec.id,
                });
              }
              return { text, stopReason, inputTokens, outputTokens };
            } catch (err) {
              throw toFmError(err, spec.id, abortContext(call, deadlineMs));
            }
          },
          call.signal,
        ),
        call.signal,
      ).then(
        (result) => {
          summary = result;
          channel.end();
        },
        (err) => channel.fail(toFmError(err, spec.id, abortContext(call, deadlineMs))),
      );

      try {
        for await (const text of channel) yield { type: 'delta', text };
        const result = summary;
        if (!result)
          throw new FmError('MODEL_ERROR', 'model stream ended without a summary', { modelId: spec.id });
        const response: FmResponse = {
          text: result.text,
          modelId: spec.id,
          inputTokens: result.inputTokens,
          outputTokens: result.outputTokens,
          latencyMs: Math.round(now() - started),
          costUsd: priceOf(spec.price, result.inputTokens, result.outputTokens),
          stopReason: result.stopReason,
          cached: false,
          ...(callOptions.variant !== undefined ? { variant: callOptions.variant } : {}),
        };
        if (hash && result.stopReason === 'end_turn') cache.put(hash, toCached(response));
        settled = true;
        record(
          'stream',
          response,
          callOptions,
          started,
          firstTokenAt === undefined ? undefined : Math.round(firstTokenAt - started),
        );
        yield { type: 'done', response };
      } catch (err) {
        settled = true;
        const fmError = toFmError(err, spec.id, abortContext(call, deadlineMs));
        recordFailure('stream', spec.id, fmError, callOptions, started);
        throw fmError;
      } finally {
        if (!settled) {
          // The consumer stopped iterating (client disconnected): stop paying for tokens.
          call.abort();
          channel.cancel();
          recordFailure(
            'stream',
            spec.id,
            new FmError('ABORTED', 'stream consumer went away', { modelId: spec.id }),
            callOptions,
            started,
          );
        }
        call.dispose();
      }
    },

    breakerState: (model) => breakers.state(registry.resolve(model).id),

    async close() {
      await cache.drain();
    },
  };
}

function converseInput(request: ResolvedRequest): ConverseCommandInput {
  return {
    modelId: request.modelId,
    messages: request.messages.map((m) => ({ role: m.role, content: [{ text: m.content }] })),
    ...(request.system ? { system: [{ text: request.system }] } : {}),
    inferenceConfig: {
      maxTokens: request.maxTokens,
      temperature: request.temperature,
      ...(request.topP !== undefined ? { topP: request.topP } : {}),
      ...(request.stopSequences ? { stopSequences: request.stopSequences } : {}),
    },
  };
}

function validate(request: FmRequest, modelId: string): void {
  const problems: string[] = [];
  if (!Array.isArray(request.messages) || request.messages.length === 0)
    problems.push('messages must not be empty');
  else {
    request.messages.forEach((m, i) => {
      if (m.role !== 'user' && m.role !== 'assistant')
        problems.push(`messages[${i}].role must be user or assistant`);
      if (typeof m.content !== 'string' || m.content.length === 0)
        problems.push(`messages[${i}].content must be text`);
    });
    if (request.messages[0]?.role !== 'user') problems.push('the first message must be from the user');
  }
  if (request.maxTokens !== undefined && !(Number.isInteger(request.maxTokens) && request.maxTokens > 0)) {
    problems.push('maxTokens must be a positive integer');
  }
  if (request.temperature !== undefined && !(request.temperature >= 0 && request.temperature <= 1)) {
    problems.push('temperature must be within 0..1');
  }
  if (problems.length)
    throw new FmError('INVALID_REQUEST', `invalid model request: ${problems.join('; ')}`, { modelId });
}

const toCached = (response: FmResponse): CachedAnswer => ({
  text: response.text,
  modelId: response.modelId,
  inputTokens: response.inputTokens,
  outputTokens: response.outputTokens,
  stopReason: response.stopReason,
  storedAt: Date.now(),
});

function chunks(text: string, size: number): string[] {
  const points = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < points.length; i += size) out.push(points.slice(i, i + size).join(''));
  return out;
}

function errorText(err: unknown): string | undefined {
  if (err === undefined) return undefined;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** True at most once per interval per key: a dead Redis must not flood the logs. */
function createLogThrottle(intervalMs: number) {
  const last = new Map<string, number>();
  return (key: string) => {
    const t = Date.now();
    if (t - (last.get(key) ?? -Infinity) < intervalMs) return false;
    last.set(key, t);
    return true;
  };
}

type FmClientDeps = Omit<FmClientOptions, 'registry' | 'breaker' | 'cache'> & {
  /** Prefix of the response-cache keys in Redis (only used with `redis`). */
  cacheKeyPrefix?: string;
};

/** The one way a service builds its model client: registry, breaker, cache and deadline from the FM_* settings. */
export function createFmClientFromSettings(settings: FmSettings, deps: FmClientDeps): FmClient {
  const { cacheKeyPrefix, ...options } = deps;
  return createFmClient({
    ...options,
    registry: createModelRegistry(settings.registry),
    breaker: settings.breaker,
    defaultDeadlineMs: deps.defaultDeadlineMs ?? settings.defaultDeadlineMs,
    ...(deps.redis
      ? { cache: { ...settings.cache, ...(cacheKeyPrefix ? { keyPrefix: cacheKeyPrefix } : {}) } }
      : {}),
  });
}
