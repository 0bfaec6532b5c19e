/**
 * Exchanges saved after their answer was sent (REST: docs/architecture.md#chat-gateway). Per
 * session, writes run one after the other and every later read of that session in this process
 * waits for them (read-your-writes for the client's next message); `drain` waits for all (stop).
 * Bounded: beyond `max` pending sessions the caller writes before answering instead (nothing is
 * dropped, the client just waits as it did before).
 */
export interface SessionWrites {
  /** False when `max` writes are already pending: write inline instead. */
  accepts(): boolean;
  /** Runs `write` after the current answer went out, once the session's previous pending write settled. */
  after(sessionId: string, write: () => Promise<unknown>): void;
  /** Resolves once the session's pending writes (if any) have settled. */
  settled(sessionId: string): Promise<void>;
  drain(): Promise<void>;
  readonly pending: number;
}

export function createSessionWrites(max = 1000): SessionWrites {
  const tails = new Map<string, Promise<void>>();
  return {
    accepts: () => tails.size < max,
    after(sessionId, write) {
      const previous = tails.get(sessionId);
      // `write` reports its own failures (log + metric); the chain only orders and tracks.
      const run = () =>
        write().then(
          () => undefined,
          () => undefined,
        );
      // setImmediate: the write starts once the answer has been written to the client's socket.
      const start = previous ?? new Promise<void>((resolve) => setImmediate(resolve));
      const tail: Promise<void> = start.then(run).finally(() => {
        if (tails.get(sessionId) === tail) tails.delete(sessionId);
      });
      tails.set(sessionId, tail);
    },
    settled: (sessionId) => tails.get(sessionId) ?? Promise.resolve(),
    async drain() {
      while (tails.size > 0) await Promise.all([...tails.values()]);
    },
    get pending() {
      return tails.size;
    },
  };
}
