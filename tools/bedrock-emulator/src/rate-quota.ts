/**
 * A requests-per-second quota per model id, as Bedrock's requests-per-minute quotas throttle: a
 * request is admitted while fewer than `perSecond` requests of its model were admitted in the last
 * second (a sliding window); refused requests do not count. Pure: the clock is passed in.
 */
export interface RateQuota {
  /** True (and counted) when the request fits the quota at time `now` (ms). */
  admit(modelId: string, perSecond: number, now: number): boolean;
}

export function createRateQuota(windowMs = 1000): RateQuota {
  const admitted = new Map<string, number[]>();
  return {
    admit(modelId, perSecond, now) {
      let times = admitted.get(modelId);
      if (!times) admitted.set(modelId, (times = []));
      let expired = 0;
      while (expired < times.length && times[expired] <= now - windowMs) expired++;
      if (expired) times.splice(0, expired);
      if (times.length >= perSecond) return false;
      times.push(now);
      return true;
    },
  };
}
