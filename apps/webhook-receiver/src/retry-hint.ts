/**
 * How long to tell a sender to wait before retrying a delivery that is being processed right now:
 * what processing has really taken lately (the 90th percentile of the last `window` durations of
 * that source, less the time the running attempt has already had), never less than 1 s and never
 * past the claim's own expiry. Before anything was measured, 1 s.
 */
export function createRetryHint(window = 100) {
  const samples = new Map<string, number[]>();
  return {
    /** Records one processing duration (ms) for a source. */
    observe(source: string, ms: number): void {
      const list = samples.get(source) ?? [];
      list.push(ms);
      if (list.length > window) list.shift();
      samples.set(source, list);
    },
    /** Retry-After in whole seconds for a duplicate arriving `elapsedMs` into processing. */
    seconds(
      source: string,
      { elapsedMs, claimRemainingMs }: { elapsedMs: number; claimRemainingMs: number },
    ): number {
      const list = samples.get(source) ?? [];
      const sorted = [...list].sort((a, b) => a - b);
      const p90 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))] : 0;
      const expected = Math.ceil(Math.max(0, p90 - Math.max(0, elapsedMs)) / 1000);
      return Math.max(1, Math.min(expected, Math.ceil(claimRemainingMs / 1000)));
    },
  };
}

export type RetryHint = ReturnType<typeof createRetryHint>;
