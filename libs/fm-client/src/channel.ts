interface Channel<T> extends AsyncIterable<T> {
  /** Adds an item; waits while the buffer is full. Resolves false once the consumer has gone. */
  push(item: T): Promise<boolean>;
  end(): void;
  fail(err: unknown): void;
  /** The consumer went away: pending and future pushes resolve false. */
  cancel(): void;
}

/**
 * A one-producer, one-consumer async queue with backpressure: a slow stream consumer slows the
 * reads from the model's stream instead of buffering the whole answer.
 */
export function createChannel<T>(highWater = 64): Channel<T> {
  const buffer: T[] = [];
  let ended = false;
  let cancelled = false;
  let failure: { err: unknown } | undefined;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;

  const notifyConsumer = () => {
    const wake = wakeConsumer;
    wakeConsumer = undefined;
    wake?.();
  };
  const notifyProducer = () => {
    const wake = wakeProducer;
    wakeProducer = undefined;
    wake?.();
  };

  return {
    async push(item) {
      if (cancelled || ended || failure) return false;
      buffer.push(item);
      notifyConsumer();
      if (buffer.length >= highWater) await new Promise<void>((resolve) => (wakeProducer = resolve));
      return !cancelled;
    },
    end() {
      ended = true;
      notifyConsumer();
    },
    fail(err) {
      failure ??= { err };
      notifyConsumer();
    },
    cancel() {
      cancelled = true;
      buffer.length = 0;
      notifyProducer();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (buffer.length > 0) {
          const item = buffer.shift() as T;
          if (buffer.length < highWater) notifyProducer();
          yield item;
          continue;
        }
        if (failure) throw failure.err;
        if (ended || cancelled) return;
        await new Promise<void>((resolve) => (wakeConsumer = resolve));
      }
    },
  };
}
