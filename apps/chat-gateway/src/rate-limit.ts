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
  /** Consumes issued and not answered yet (they follow the last answer on the one connection). */
  inFlight: number;
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
 * point is consumed in Redis behind it (the shared count stays exact), one such consume in flight
 * per user at a time. A user's first request here, the first after the window ends, a request
 * while the previous one's consume is unanswered, and every request near the limit wait for Redis
 * as before. Other instances' consumes since the last answer are not seen: the limit can only be
 * passed when more than `localMargin` of one user's requests reach other instances within one
 * Redis round trip of a request here.
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

  const learn = (entry: Known, res: RateLimiterRes) => {
    entry.inFlight--;
    entry.remaining = res.remainingPoints;
    entry.resetAt = now() + res.msBeforeNext;
  };

  /** One consume in Redis, answered or refused; the entry learns from either. */
  const consumeIn = async (userId: string, entry: Known): Promise<RateLimitDecision> => {
    entry.inFlight++;
    try {
      const res = await limiter.consume(userId);
      learn(entry, res);
      return { allowed: true, retryAfterSeconds: 0, remaining: res.remainingPoints };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        learn(entry, rejection);
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
          remaining: 0,
        };
      }
      entry.inFlight--;
      known.delete(userId); // unknown again: the next request waits for the limiter
      throw rejection;
    }
  };

  return {
    async consume(userId) {
      let entry = known.get(userId);
      if (entry && entry.resetAt <= now() && entry.inFlight === 0) {
        known.delete(userId);
        entry = undefined;
      }
      if (!entry) {
        if (known.size >= maxKnown) known.delete(known.keys().next().value!);
        entry = { remaining: 0, inFlight: 0, resetAt: 0 };
        known.set(userId, entry);
      }
      const left = entry.remaining - entry.inFlight;
      // One consume behind an answer at a time per user: what is known is then at most one round
      // trip old, and a burst waits for Redis.
      if (margin > 0 && entry.inFlight === 0 && entry.resetAt > now() && left > margin) {
        // Counted in Redis behind the answer; a refusal there is learnt for the next request.
        consumeIn(userId, entry).catch(() => undefined);
        return { allowed: true, retryAfterSeconds: 0, remaining: left - 1 };
      }
      return consumeIn(userId, entry);
    },
  };
}
