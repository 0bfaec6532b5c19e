import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  IsolatedCircuitError,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { FmError, countsForBreaker, isFmError } from './errors';
import type { BreakerStateName } from './metrics';

export interface BreakerOptions {
  /** Consecutive model/throttle/timeout failures that open the circuit. Default 5. */
  consecutiveFailures?: number;
  /** How long the circuit stays open before one trial call is let through. Default 30 s. */
  halfOpenAfterMs?: number;
}

interface ModelBreakers {
  /**
   * Runs fn under the model's breaker; an open circuit throws FmError CIRCUIT_OPEN without calling.
   * `signal`: a call released while queued behind a half-open trial is not run afterwards.
   */
  execute<T>(modelId: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  state(modelId: string): BreakerStateName;
}

const STATE_NAMES: Record<CircuitState, BreakerStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * One cockatiel circuit breaker per model id, so a failing Sonnet does not stop Haiku. Only
 * errors that say the model is unhealthy count (see countsForBreaker): a validation error or a
 * caller's abort is the caller's problem and leaves the circuit alone.
 */
export function createModelBreakers(
  { consecutiveFailures = 5, halfOpenAfterMs = 30_000 }: BreakerOptions,
  onStateChange: (modelId: string, state: BreakerStateName) => void,
  onCreated: (modelId: string) => void = () => undefined,
): ModelBreakers {
  const breakers = new Map<string, CircuitBreakerPolicy>();
  const breakerFor = (modelId: string) => {
    let policy = breakers.get(modelId);
    if (!policy) {
      // cockatiel treats an error its policy does not handle as a successful trial, which would
      // close a half-open circuit on an aborted call that proved nothing: there, it counts.
      const counts = (err: unknown) =>
        countsForBreaker(err) || (created.state === CircuitState.HalfOpen && isFmError(err, 'ABORTED'));
      const created: CircuitBreakerPolicy = circuitBreaker(handleWhen(counts), {
        halfOpenAfter: halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(consecutiveFailures),
      });
      policy = created;
      policy.onStateChange((state) => onStateChange(modelId, STATE_NAMES[state]));
      breakers.set(modelId, policy);
      onCreated(modelId);
    }
    return policy;
  };
  return {
    async execute(modelId, fn, signal) {
      try {
        return await breakerFor(modelId).execute(() => {
          // Its caller has already gone (deadline or abort while queued): do not call the model,
          // and do not count it against the model either.
          if (signal?.aborted) throw new FmError('ABORTED', 'call abandoned before it started', { modelId });
          return fn();
        }, signal);
      } catch (err) {
        if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError) {
          throw new FmError('CIRCUIT_OPEN', `circuit open for model ${modelId}`, { modelId, cause: err });
        }
        throw err;
      }
    },
    state: (modelId) => STATE_NAMES[breakers.get(modelId)?.state ?? CircuitState.Closed],
  };
}
