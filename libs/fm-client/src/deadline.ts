export interface CallSignal {
  signal: AbortSignal;
  /** The deadline fired (TIMEOUT), as opposed to the caller aborting (ABORTED). */
  deadlineExceeded(): boolean;
  callerAborted(): boolean;
  /** Aborts the call from inside (e.g. the stream's consumer went away). */
  abort(): void;
  dispose(): void;
}

/**
 * One signal for a call: the caller's signal, the deadline, and an internal abort. The caller's abort
 * is forwarded by a listener that `dispose` removes, not with `AbortSignal.any`: Node registers each
 * composite signal with a FinalizationRegistry and in its sources through WeakRefs, which V8 clears
 * only in a full GC, so a composite and what its listeners reach outlive the call into the old
 * generation, and a long-lived caller signal (a WebSocket connection's) collects one entry per call.
 */
export function callSignal(callerSignal: AbortSignal | undefined, deadlineMs: number): CallSignal {
  const internal = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    internal.abort(new DOMException(`deadline of ${deadlineMs} ms exceeded`, 'TimeoutError'));
  }, deadlineMs);
  timer.unref?.();
  const followCaller = () => internal.abort(callerSignal?.reason);
  if (callerSignal?.aborted) followCaller();
  else callerSignal?.addEventListener('abort', followCaller, { once: true });
  return {
    signal: internal.signal,
    deadlineExceeded: () => timedOut && !(callerSignal?.aborted ?? false),
    callerAborted: () => callerSignal?.aborted ?? false,
    abort: () => internal.abort(new DOMException('call abandoned', 'AbortError')),
    dispose: () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', followCaller);
    },
  };
}

/** Rejects as soon as the signal aborts; lets a wait (e.g. a half-open breaker's queue) honour it. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
