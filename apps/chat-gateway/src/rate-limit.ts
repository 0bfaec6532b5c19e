import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until the caller may try again (Retry-After), when refused. */
  retryAfterSeconds: number;
  remaining: number;
}

export interface UserRateLimiter {
  consume(userId: string): Promise<RateLimitDecision>;
}

/** What a Redis answer said about one user's window, less what was admitted since. */
interface Known {
  /** Points left after the last answered consume. */
  remaining: number;
  /** Points sent to Redis and not answered yet (they follow the last answer on the one connection). */
  inFlight: number;
  /** Points admitted here whose consume has not been written to Redis yet (it leaves at setImmediate). */
  unsent: number;
  /** When the window of the last answer ends (epoch ms). */
  resetAt: number;
}

/**
 * Per-user fixed-window limiter in Redis (shared by every gateway instance). When Redis is
 * unreachable the insurance limiter in memory takes over, so the limit still holds per instance.
 *
 * Admission without the round trip (docs/architecture.md#chat-gateway): every Redis answer says
 * how many points the user has left and when the window ends. While that figure, less the consumes
 * this instance has in flight, is above `localMargin`, the request is admitted at once and its
 * point is consumed in Redis behind it (the shared count stays exact), one such consume unanswered
 * per user at a time. That consume is written at setImmediate, once the work the request started
 * (the model call) is on the wire: the Redis write is not on the way to the model. A user's first
 * request here, the first after the window ends, a request while the previous one's consume is
 * unanswered, and every request near the limit wait for Redis as before; such a request carries
 * the unsent point with its own, so Redis counts in the order of admission. Other instances'
 * consumes since the last answer are not seen: the limit can only be passed when more than
 * `localMargin` of one user's requests reach other instances within one Redis round trip of a
 * request here.
 */
export function createUserRateLimiter(options: {
  redis?: Redis;
  points: number;
  windowSeconds: number;
  keyPrefix: string;
  /** Default 5; 0 disables local admission (every request waits for Redis). */
  localMargin?: number;
  maxKnownUsers?: number;
  now?: () => number;
}): UserRateLimiter {
  const memory = new RateLimiterMemory({
    points: options.points,
    duration: options.windowSeconds,
    keyPrefix: `${options.keyPrefix}rl`,
  });
  const limiter = options.redis
    ? new RateLimiterRedis({
        storeClient: options.redis,
        points: options.points,
        duration: options.windowSeconds,
        keyPrefix: `${options.keyPrefix}rl`,
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
      })
    : memory;
  // In memory alone the limiter answers without I/O: nothing to save.
  const margin = options.redis ? (options.localMargin ?? 5) : 0;
  const maxKnown = options.maxKnownUsers ?? 50_000;
  const now = options.now ?? Date.now;
  const known = new Map<string, Known>();

  const learn = (entry: Known, points: number, res: RateLimiterRes) => {
    entry.inFlight -= points;
    entry.remaining = res.remainingPoints;
    entry.resetAt = now() + res.msBeforeNext;
  };

  /** `points` consumed in Redis, answered or refused; the entry learns from either. */
  const consumeIn = async (userId: string, entry: Known, points: number): Promise<RateLimitDecision> => {
    entry.inFlight += points;
    try {
      const res = await limiter.consume(userId, points);
      learn(entry, points, res);
      return { allowed: true, retryAfterSeconds: 0, remaining: res.remainingPoints };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        learn(entry, points, rejection);
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
          remaining: 0,
        };
      }
      entry.inFlight -= points;
      known.delete(userId); // unknown again: the next request waits for the limiter
      throw rejection;
    }
  };

  /** Writes the points admitted ahead of Redis (a refusal there is learnt for the next request). */
  const sendUnsent = (userId: string, entry: Known) => {
    const points = entry.unsent;
    if (points === 0) return;
    entry.unsent = 0;
    consumeIn(userId, entry, points).catch(() => undefined);
  };

  return {
    async consume(userId) {
      let entry = known.get(userId);
      if (entry && entry.resetAt <= now() && entry.inFlight === 0 && entry.unsent === 0) {
        known.delete(userId);
        entry = undefined;
      }
      if (!entry) {
        if (known.size >= maxKnown) known.delete(known.keys().next().value!);
        entry = { remaining: 0, inFlight: 0, unsent: 0, resetAt: 0 };
        known.set(userId, entry);
      }
      const unanswered = entry.inFlight + entry.unsent;
      const left = entry.remaining - unanswered;
      // One consume behind an answer at a time per user: what is known is then at most one round
      // trip old, and a burst waits for Redis.
      if (margin > 0 && unanswered === 0 && entry.resetAt > now() && left > margin) {
        entry.unsent = 1;
        const admitted = entry;
        setImmediate(() => sendUnsent(userId, admitted));
        return { allowed: true, retryAfterSeconds: 0, remaining: left - 1 };
      }
      // Waits for Redis, with the point admitted ahead of it if that has not left yet.
      const points = 1 + entry.unsent;
      entry.unsent = 0;
      return consumeIn(userId, entry, points);
    },
  };
}
