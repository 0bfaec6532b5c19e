/**
 * Adaptive concurrency (AIMD): the limit is halved (decreaseFactor) on a throttle, at most once
 * per cooldown window so that a burst of throttles from calls already in flight counts as one
 * congestion signal, and grows by one after `increaseEvery` successes. Also a gate: acquire()
 * waits while `limit` calls are running, so in-place retries obey a lowered limit at once.
 */
export interface AimdOptions {
  min: number;
  max: number;
  initial?: number;
  increaseEvery: number;
  decreaseFactor?: number;
  cooldownMs?: number;
  now?: () => number;
  onChange?: (limit: number, reason: 'increase' | 'decrease') => void;
}

export interface AimdLimiter {
  readonly limit: number;
  readonly running: number;
  readonly throttles: number;
  readonly decreases: number;
  onSuccess(): void;
  onThrottle(): void;
  /** Resolves with a release function once a slot is free; rejects when the signal aborts. */
  acquire(signal?: AbortSignal): Promise<() => void>;
}

export function createAimdLimiter(options: AimdOptions): AimdLimiter {
  const {
    min,
    max,
    increaseEvery,
    decreaseFactor = 0.5,
    cooldownMs = 1000,
    now = Date.now,
    onChange,
  } = options;
  if (min < 1 || max < min) throw new RangeError(`invalid AIMD bounds min=${min} max=${max}`);
  let limit = Math.min(max, Math.max(min, options.initial || max));
  let successes = 0;
  let lastDecrease = -Infinity;
  let throttles = 0;
  let decreases = 0;
  let running = 0;
  const waiters: (() => void)[] = [];

  const wake = () => {
    while (running < limit && waiters.length) waiters.shift()?.();
  };

  return {
    get limit() {
      return limit;
    },
    get running() {
      return running;
    },
    get throttles() {
      return throttles;
    },
    get decreases() {
      return decreases;
    },
    onSuccess() {
      // increaseEvery 0: one step per "round trip", i.e. after `limit` successes (classic AIMD).
      if (++successes < (increaseEvery > 0 ? increaseEvery : limit)) return;
      successes = 0;
      if (limit < max) {
        limit++;
        onChange?.(limit, 'increase');
        wake();
      }
    },
    onThrottle() {
      throttles++;
      successes = 0;
      const t = now();
      if (t - lastDecrease < cooldownMs) return;
      lastDecrease = t;
      const next = Math.max(min, Math.floor(limit * decreaseFactor));
      if (next !== limit) {
        limit = next;
        decreases++;
        onChange?.(limit, 'decrease');
      }
    },
    acquire(signal) {
      return new Promise((resolve, reject) => {
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          running++;
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            running--;
            wake();
          });
        };
        const onAbort = () => {
          const i = waiters.indexOf(grant);
          if (i >= 0) waiters.splice(i, 1);
          reject(signal?.reason ?? new Error('aborted'));
        };
        if (signal?.aborted) return onAbort();
        if (running < limit && waiters.length === 0) return grant();
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.push(grant);
      });
    },
  };
}
