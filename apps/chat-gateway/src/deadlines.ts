import { adaptiveTimeoutMs } from '@manga-assist/token-estimator';
/**
 * Time budget of one chat request (seed scenario 1). Every figure is multiplied by `scale`, so
 * tests can run the 29 s story in a few seconds against an emulator using the same time scale.
 */
export interface DeadlinePolicy {
  /** The whole request never passes this (API Gateway's 29 s). */
  ceilingMs: number;
  /** Cap on one model call (25 s). */
  modelCapMs: number;
  scale: number;
  /** Time kept back for the Haiku fallback when the first call is cut (scaled). */
  fallbackReserveMs?: number;
  /** Time kept back to send the apology and the final frame (scaled). */
  finishReserveMs?: number;
}

export interface RequestBudget {
  /** Deadline for the primary model call: min(cap, 10 s + tokens/1000 s), within what is left. */
  primaryMs(inputTokens: number): number;
  /** Deadline for the fallback call: what is left minus the finishing reserve. */
  fallbackMs(inputTokens: number): number;
  remainingMs(): number;
  elapsedMs(): number;
}

export function modelDeadlineMs(inputTokens: number, capMs: number, scale: number): number {
  return adaptiveTimeoutMs(inputTokens, capMs) * scale;
}

export function startBudget(
  policy: DeadlinePolicy,
  now: () => number = () => performance.now(),
): RequestBudget {
  const started = now();
  const ceiling = policy.ceilingMs * policy.scale;
  const fallbackReserve = (policy.fallbackReserveMs ?? 4000) * policy.scale;
  const finishReserve = (policy.finishReserveMs ?? 500) * policy.scale;
  const remainingMs = () => Math.max(0, ceiling - (now() - started));
  return {
    primaryMs: (tokens) =>
      Math.max(
        0,
        Math.min(
          modelDeadlineMs(tokens, policy.modelCapMs, policy.scale),
          remainingMs() - fallbackReserve - finishReserve,
        ),
      ),
    fallbackMs: (tokens) =>
      Math.max(
        0,
        Math.min(modelDeadlineMs(tokens, policy.modelCapMs, policy.scale), remainingMs() - finishReserve),
      ),
    remainingMs,
    elapsedMs: () => now() - started,
  };
}
