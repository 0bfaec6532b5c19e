/**
 * The worker's limit on model calls in flight, and the gate that enforces it. It tells apart two
 * kinds of throttling (docs/architecture.md#concurrency-limit):
 *
 * - a quota (concurrent calls, requests per second, tokens per minute): the calls the service
 *   accepts stop growing with the limit, and a lower limit lowers the throttled share. The limit
 *   settles just under the quota and probes one above it now and then;
 * - throttling that does not depend on load (a shared pool, another tenant): a lower limit does
 *   not lower the throttled share, it only lowers throughput. The limit is kept and throttled calls
 *   are retried in place.
 *
 * It decides by probing: when a measurement window shows throttling, the limit drops below the
 * concurrency the service accepted (Little's law: the mean number of calls in flight that were not
 * throttled) for one window. If the throttled share falls, it was a quota; if it does not, the old
 * limit comes back and the share is remembered as the background rate. Growth: doubling up to a
 * known ceiling or the max, then +1, +3, +9... above a ceiling, so that the limit is back at the max
 * within a few windows once throttling stops. Pure logic: the clock is injected and nothing runs
 * between events (a window is evaluated when a call starts or ends).
 *
 * Throttles are assumed to be answered at once (Bedrock and the emulator do), so the throttled
 * share of a window is throttles / calls started in it, calls still in flight counting as accepted.
 */
export interface ConcurrencyLimitOptions {
  min: number;
  max: number;
  /** Start value (slow start: the limit doubles per clean window). */
  initial: number;
  /** Shortest measurement window; a window also lasts at least one model round trip. */
  windowMs: number;
  /** Throttled share of a window's calls that still counts as clean (no throttling). */
  tolerance: number;
  now: () => number;
  onChange?: (limit: number, reason: LimitChangeReason) => void;
  /** Runs `fn` after `ms` (default setTimeout): pacing lets a waiter in later. */
  schedule?: (ms: number, fn: () => void) => void;
}

export type LimitChangeReason = 'grow' | 'probe' | 'quota' | 'background' | 'back-to-ceiling';
export type LimitMode = 'open' | 'probe' | 'background';
export type CallOutcome = 'success' | 'throttled' | 'failed';

/** A slot: say how the call ended (once), then release it (after any in-place backoff). */
export interface Permit {
  record(outcome: CallOutcome): void;
  release(): void;
}

export interface ConcurrencyLimit {
  readonly limit: number;
  /** Slots held: calls in flight plus throttled calls backing off before their retry. */
  readonly running: number;
  readonly throttles: number;
  readonly decreases: number;
  readonly mode: LimitMode;
  /** The highest limit seen clean under a quota (undefined while no quota was found). */
  readonly ceiling: number | undefined;
  /** The throttled share remembered as not depending on load (0 when none). */
  readonly backgroundRate: number;
  /** Resolves with a permit once a slot is free; rejects when the signal aborts. */
  acquire(signal?: AbortSignal): Promise<Permit>;
}

/** Throttles that end a window early: enough evidence that the limit is over a quota. */
const EARLY_THROTTLES = 5;
const EARLY_SHARE = 0.1;
/** Clean windows at the ceiling before probing one above it. */
const HOLD_WINDOWS = 3;
/** A probe that lowered the throttled share to at most this fraction of before found a quota. */
const LOWERED = 0.5;
/** A probe where the service accepted less than this share of the limit is still over a quota. */
const SATURATED = 0.9;
const MIN_CALLS = 5;

interface Window {
  epoch: number;
  start: number;
  started: number;
  throttled: number;
  successes: number;
  /** Integral of calls in flight (not throttled) over time, for their mean. */
  area: number;
  /** Time callers waited at the gate: the limit, not the demand, bounded the calls. */
  blocked: number;
  lastAt: number;
}

export function createConcurrencyLimit(options: ConcurrencyLimitOptions): ConcurrencyLimit {
  const { min, max, windowMs, tolerance, now, onChange } = options;
  const schedule = options.schedule ?? ((ms, fn) => setTimeout(fn, ms).unref());
  if (!(min >= 1 && max >= min)) throw new RangeError(`invalid concurrency bounds min=${min} max=${max}`);
  const clamp = (n: number) => Math.min(max, Math.max(min, Math.floor(n)));
  let limit = clamp(options.initial);
  let running = 0;
  let calling = 0;
  let throttles = 0;
  let decreases = 0;
  let mode: LimitMode = 'open';
  let ceiling: number | undefined;
  let background = 0;
  let rttMs = 0;
  let step = 1;
  let lastClean = 0;
  let hold = 0;
  /** Probe state: the limit and throttled share it was lowered from. */
  let probeFrom = { limit: 0, share: 0 };
  let epoch = 0;
  let window: Window | undefined = newWindow();
  const waiters: (() => void)[] = [];

  function newWindow(): Window {
    const t = now();
    return {
      epoch: ++epoch,
      start: t,
      started: 0,
      throttled: 0,
      successes: 0,
      area: 0,
      blocked: 0,
      lastAt: t,
    };
  }
  const accrue = (w: Window) => {
    const t = now();
    w.area += calling * (t - w.lastAt);
    if (waiters.length) w.blocked += t - w.lastAt;
    w.lastAt = t;
  };
  let lastGrantAt = -Infinity;
  let paceArmed = false;
  /**
   * Under a known quota, starts are spread over a round trip (at most limit / round trip per
   * second): a whole round starting at once would meet a requests-per-second quota all together.
   */
  const paceWait = () => {
    if (ceiling === undefined || !rttMs) return 0;
    return Math.max(0, lastGrantAt + rttMs / limit - now());
  };
  const wake = (): void => {
    if (window && running < limit && waiters.length) accrue(window);
    while (running < limit && waiters.length) {
      const wait = paceWait();
      if (wait > 0) {
        if (!paceArmed) {
          paceArmed = true;
          schedule(wait, () => {
            paceArmed = false;
            wake();
          });
        }
        return;
      }
      lastGrantAt = now();
      waiters.shift()?.();
    }
  };
  const set = (next: number, reason: LimitChangeReason) => {
    next = clamp(next);
    if (next < limit) decreases++;
    const lowered = next < limit;
    if (next !== limit) {
      limit = next;
      onChange?.(limit, reason);
    }
    // After a decrease, measure only once the calls of the old limit have drained.
    window = lowered && running > limit ? undefined : newWindow();
    wake();
  };
  /**
   * Mean concurrency the service accepted in the window. Early (a burst of throttles before any
   * answer) no more than it accepts right now: the mean still counts the calls about to be refused.
   */
  const accepted = (w: Window, early = false) => {
    const mean = w.area / Math.max(1, w.lastAt - w.start);
    return early ? Math.min(mean, calling + 0.5) : mean;
  };
  /**
   * Whether the limit bounded the calls (callers waited at the gate for most of the window): only
   * then does accepting fewer calls than the limit say the service refused them. Otherwise there
   * was not enough work (the end of a backlog), and nothing is learnt about a quota.
   */
  const bound = (w: Window) => w.blocked >= 0.5 * (w.lastAt - w.start);
  /** How far above the background rate a window's share must be to count as throttled (3 sigma). */
  const margin = (calls: number) => {
    const p = Math.max(background, 0.01);
    return Math.max(tolerance, 3 * Math.sqrt((p * (1 - p)) / Math.max(1, calls)));
  };
  /** Below what the service accepted, and no higher than the last clean limit when it grew since. */
  const probeTarget = (w: Window, early: boolean) =>
    Math.min(
      limit - 1,
      0.9 * limit,
      0.95 * accepted(w, early),
      lastClean > 0 && lastClean < limit ? lastClean : Infinity,
    );

  const grow = () => {
    if (limit >= max) return;
    if (ceiling !== undefined && limit >= ceiling) {
      if (hold > 0) {
        hold--;
        return;
      }
      set(limit + step, 'grow');
      step *= 3;
      return;
    }
    set(ceiling !== undefined ? Math.min(ceiling, limit * 2) : limit * 2, 'grow');
  };

  function evaluate(w: Window, early: boolean) {
    if (!early) window = newWindow();
    const share = w.started ? w.throttled / w.started : 0;
    const clean = share <= background + margin(w.started);
    if (mode === 'probe') {
      const saturated = bound(w) && accepted(w) < SATURATED * limit;
      if (share <= tolerance || (share <= background + margin(w.started) && !saturated)) {
        // Lowering the limit removed the throttling: a quota, and this level is under it.
        ceiling = limit;
        mode = background > 0 ? 'background' : 'open';
        step = 1;
        hold = HOLD_WINDOWS;
        set(limit, 'quota');
        return;
      }
      if (saturated) return set(probeTarget(w, false), 'probe');
      if (share > LOWERED * probeFrom.share) {
        // As many calls throttled at a lower limit: it does not depend on load. Keep the old limit.
        background = background ? (background + share) / 2 : (probeFrom.share + share) / 2;
        mode = 'background';
        step = 1;
        return set(probeFrom.limit, 'background');
      }
      // Lower but not gone: a quota with background throttling on top.
      ceiling = limit;
      background = share;
      mode = 'background';
      hold = HOLD_WINDOWS;
      return set(limit, 'quota');
    }
    const aboveCeiling = ceiling !== undefined && limit > ceiling;
    // Above a known quota, with no background throttling, one throttle is the answer of the probe.
    if (aboveCeiling && w.throttled > 0 && (!clean || background === 0)) {
      step = 1;
      hold = HOLD_WINDOWS;
      return set(ceiling!, 'back-to-ceiling');
    }
    if (clean) {
      if (early) return;
      if (mode === 'background' && share <= tolerance) {
        mode = 'open';
        background = 0;
      } else if (mode === 'background' && w.started >= MIN_CALLS) {
        background = (background * 3 + share) / 4;
      }
      if (aboveCeiling) ceiling = limit;
      lastClean = limit;
      return grow();
    }
    if (limit <= min) return set(limit, 'probe');
    probeFrom = { limit, share };
    mode = 'probe';
    set(probeTarget(w, early), 'probe');
  }

  /** Called on every event: opens the window once drained, closes it when it has seen enough. */
  function tick() {
    if (!window) {
      if (running <= limit) window = newWindow();
      return;
    }
    const w = window;
    accrue(w);
    const elapsed = w.lastAt - w.start;
    const length = Math.max(windowMs, rttMs);
    const overQuota = w.throttled >= EARLY_THROTTLES && w.throttled / Math.max(1, w.started) > EARLY_SHARE;
    const aboveCeiling = ceiling !== undefined && limit > ceiling && w.throttled > 0;
    if (mode === 'open' && (overQuota || aboveCeiling) && elapsed < length) return evaluate(w, true);
    // A probe still over the quota ends early too, once the mean has half a window to settle.
    if (mode === 'probe' && overQuota && elapsed >= length / 2 && elapsed < length) {
      if (bound(w) && accepted(w) < SATURATED * limit) return evaluate(w, true);
    }
    if (elapsed >= length && (w.started >= MIN_CALLS || elapsed >= 5 * length)) {
      if (w.started === 0) {
        window = newWindow();
        return;
      }
      evaluate(w, false);
    }
  }

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
    get mode() {
      return mode;
    },
    get ceiling() {
      return ceiling;
    },
    get backgroundRate() {
      return background;
    },
    acquire(signal) {
      return new Promise((resolve, reject) => {
        const grant = () => {
          signal?.removeEventListener('abort', onAbort);
          running++;
          if (window) accrue(window);
          calling++;
          const w = window;
          if (w) w.started++;
          const startedAt = now();
          let recorded = false;
          let released = false;
          const record = (outcome: CallOutcome) => {
            if (recorded) return;
            recorded = true;
            if (window) accrue(window);
            calling--;
            const mine = window !== undefined && w !== undefined && window.epoch === w.epoch;
            if (outcome === 'throttled') {
              throttles++;
              if (mine) w.throttled++;
            } else if (outcome === 'success') {
              const rtt = now() - startedAt;
              rttMs = rttMs ? rttMs * 0.8 + rtt * 0.2 : rtt;
              if (mine) w.successes++;
            }
            tick();
          };
          resolve({
            record,
            release() {
              if (released) return;
              released = true;
              record('failed');
              running--;
              tick();
              wake();
            },
          });
        };
        const onAbort = () => {
          const i = waiters.indexOf(grant);
          if (i >= 0) waiters.splice(i, 1);
          reject(signal?.reason ?? new Error('aborted'));
        };
        if (signal?.aborted) return onAbort();
        if (running < limit && waiters.length === 0 && paceWait() === 0) {
          lastGrantAt = now();
          grant();
          tick();
          return;
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        if (window) accrue(window);
        waiters.push(grant);
        wake();
      });
    },
  };
}
