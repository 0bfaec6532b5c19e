/**
 * Coalesces single operations into SQS batch calls of up to `max` entries. An entry is flushed at
 * most `delayMs` after it was added; `flush()` sends everything pending and waits for it.
 */
interface Batcher<T> {
  add(item: T): Promise<void>;
  flush(): Promise<void>;
}

export function createBatcher<T>(
  send: (items: T[]) => Promise<void>,
  { max = 10, delayMs = 5 }: { max?: number; delayMs?: number } = {},
): Batcher<T> {
  let pending: { item: T; resolve: () => void; reject: (e: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const inflight = new Set<Promise<void>>();

  const sendNow = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    while (pending.length) {
      const chunk = pending.slice(0, max);
      pending = pending.slice(max);
      const p = send(chunk.map((c) => c.item)).then(
        () => chunk.forEach((c) => c.resolve()),
        (error) => chunk.forEach((c) => c.reject(error)),
      );
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
  };

  return {
    add(item) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        if (pending.length >= max) sendNow();
        else if (!timer) timer = setTimeout(sendNow, delayMs);
      });
    },
    async flush() {
      sendNow();
      await Promise.allSettled([...inflight]);
    },
  };
}
