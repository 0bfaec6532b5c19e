import { estimateTokens } from './estimate';
import { estimateRequestTokens, type RequestShape } from './request';

interface CalibratorOptions {
  /** Lowest and highest factor (defaults 0.5 and 2.0): one odd response cannot run away. */
  min?: number;
  max?: number;
  /** EWMA weight of each observation (default 0.1: about the last 10 requests matter). */
  alpha?: number;
}

export interface Calibrator {
  /**
   * Feed one model response: `rawEstimate` is the UNcalibrated estimate of the request
   * (estimateRequestTokens), `actual` the input tokens the model reported. Returns false and
   * ignores the pair when it is not usable (non-finite, estimate <= 0, actual < 0).
   */
  observe(rawEstimate: number, actual: number): boolean;
  /** Current multiplier applied to the raw estimates. Starts at 1. */
  factor(): number;
  observations(): number;
  estimate(text: string): number;
  estimateRequest(req: RequestShape): number;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** A bounded exponentially weighted moving ratio actual/estimated, applied to the estimates. */
export function createCalibrator(opts: CalibratorOptions = {}): Calibrator {
  const min = opts.min ?? 0.5;
  const max = opts.max ?? 2;
  const alpha = opts.alpha ?? 0.1;
  if (!(min > 0 && min <= 1 && max >= 1 && Number.isFinite(max))) {
    throw new RangeError(`calibrator bounds must satisfy 0 < min <= 1 <= max (got ${min}, ${max})`);
  }
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`calibrator alpha must be in (0, 1] (got ${alpha})`);
  let f = 1;
  let n = 0;
  return {
    observe(rawEstimate, actual) {
      if (!Number.isFinite(rawEstimate) || !Number.isFinite(actual) || rawEstimate <= 0 || actual < 0)
        return false;
      const ratio = clamp(actual / rawEstimate, min, max);
      f = clamp(f + alpha * (ratio - f), min, max);
      n++;
      return true;
    },
    factor: () => f,
    observations: () => n,
    estimate: (text) => Math.ceil(estimateTokens(text) * f - 1e-9),
    estimateRequest: (req) => Math.ceil(estimateRequestTokens(req) * f - 1e-9),
  };
}
