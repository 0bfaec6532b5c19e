import type { Redis } from 'ioredis';

/** What is stored for a complete (end_turn) answer. */
export interface CachedAnswer {
  text: string;
  modelId: string;
  inputTokens: number;
  outputTokens: number;
  stopReason: string;
  storedAt: number;
}

export type CacheEvent = 'hit' | 'miss' | 'store' | 'error' | 'timeout' | 'unavailable';

interface ResponseCacheOptions {
  redis: Redis | undefined;
  ttlSeconds: number;
  keyPrefix: string;
  timeoutMs: number;
  onEvent(event: CacheEvent, detail?: unknown): void;
}

interface ResponseCache {
  get(hash: string): Promise<CachedAnswer | undefined>;
  /** Starts the write and returns at once: a cache write never delays an answer. */
  put(hash: string, answer: CachedAnswer): void;
  /** Resolves when writes started so far have finished (for shutdown). */
  drain(): Promise<void>;
}

class CacheTimeout extends Error {}

/**
 * Redis-backed answers, best effort: every operation is bounded by `timeoutMs`, a Redis that is
 * not connected is skipped without waiting (ioredis would otherwise queue the command until it
 * reconnects), and any failure is reported through onEvent and treated as a miss.
 */
export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const { redis, ttlSeconds, keyPrefix, timeoutMs, onEvent } = options;
  const pending = new Set<Promise<unknown>>();
  const keyOf = (hash: string) => `${keyPrefix}fm:answer:${hash}`;

  // The client when it can take a command now, else undefined (and the reason is reported).
  const usable = (): Redis | undefined => {
    if (!redis) return undefined;
    if (redis.status === 'ready') return redis;
    // lazyConnect clients start in 'wait': kick off the connection, skip the cache this time.
    if (redis.status === 'wait') redis.connect().catch(() => undefined);
    onEvent('unavailable', redis.status);
    return undefined;
  };

  const bounded = <T>(op: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CacheTimeout(`redis op exceeded ${timeoutMs} ms`)), timeoutMs);
    });
    op.catch(() => undefined); // a late failure after the timeout must not be unhandled
    return Promise.race([op, timeout]).finally(() => clearTimeout(timer));
  };

  return {
    async get(hash) {
      const client = usable();
      if (!client) return undefined;
      try {
        const raw = await bounded(client.get(keyOf(hash)));
        if (raw === null) {
          onEvent('miss');
          return undefined;
        }
        const answer = parseAnswer(raw);
        if (!answer) {
          onEvent('error', new Error('unparseable cached answer'));
          return undefined;
        }
        onEvent('hit');
        return answer;
      } catch (err) {
        onEvent(err instanceof CacheTimeout ? 'timeout' : 'error', err);
        return undefined;
      }
    },
    put(hash, answer) {
      const client = usable();
      if (!client) return;
      const write = bounded(client.set(keyOf(hash), JSON.stringify(answer), 'EX', ttlSeconds)).then(
        () => onEvent('store'),
        (err) => onEvent(err instanceof CacheTimeout ? 'timeout' : 'error', err),
      );
      pending.add(write);
      void write.finally(() => pending.delete(write));
    },
    async drain() {
      await Promise.allSettled([...pending]);
    },
  };
}

function parseAnswer(raw: string): CachedAnswer | undefined {
  try {
    const value = JSON.parse(raw) as Partial<CachedAnswer>;
    if (typeof value.text !== 'string' || typeof value.modelId !== 'string') return undefined;
    return {
      text: value.text,
      modelId: value.modelId,
      inputTokens: Number(value.inputTokens) || 0,
      outputTokens: Number(value.outputTokens) || 0,
      stopReason: String(value.stopReason ?? 'end_turn'),
      storedAt: Number(value.storedAt) || 0,
    };
  } catch {
    return undefined;
  }
}
