/** Network failures that mean "the socket went away", not "the model is unhealthy". */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * True for a request lost on a connection the server closed (a reused keep-alive socket the server
 * had already timed out: `socket hang up`, ECONNRESET, EPIPE). Sending it again on a fresh socket
 * is safe and almost always succeeds; it says nothing about the model's health.
 */
export function isConnectionReset(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && RESET_CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && /socket hang up/i.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== err && isConnectionReset(e.cause);
}

/**
 * Runs `send`, sending again at once (up to `extraAttempts` times) when it fails with a connection
 * reset and the call is not aborted. Throttling, timeouts and model errors are not retried here:
 * they go to the caller's policy (breaker, the worker's concurrency limit) as before.
 */
export async function retryConnectionResets<T>(
  send: () => Promise<T>,
  signal: AbortSignal,
  onRetry: (err: unknown, attempt: number) => void,
  extraAttempts = 2,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (attempt > extraAttempts || signal.aborted || !isConnectionReset(err)) throw err;
      onRetry(err, attempt);
    }
  }
}
