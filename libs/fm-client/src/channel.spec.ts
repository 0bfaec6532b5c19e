import { createChannel } from './channel';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('stream channel', () => {
  it('delivers items in order, then ends', async () => {
    const ch = createChannel<number>(4);
    const producing = (async () => {
      for (let i = 0; i < 20; i++) await ch.push(i);
      ch.end();
    })();
    expect(await collect(ch)).toEqual([...Array(20).keys()]);
    await producing;
  });

  it('holds the producer back while the buffer is full', async () => {
    const ch = createChannel<number>(2);
    let pushed = 0;
    void (async () => {
      for (let i = 0; i < 10; i++) {
        await ch.push(i);
        pushed++;
      }
      ch.end();
    })();
    await new Promise((r) => setTimeout(r, 20));
    expect(pushed).toBeLessThanOrEqual(2);
    expect(await collect(ch)).toHaveLength(10);
  });

  it('delivers buffered items before the failure', async () => {
    const ch = createChannel<string>();
    await ch.push('a');
    await ch.push('b');
    ch.fail(new Error('mid-stream'));
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const x of ch) seen.push(x);
      })(),
    ).rejects.toThrow('mid-stream');
    expect(seen).toEqual(['a', 'b']);
  });

  it('releases a waiting producer when the consumer cancels', async () => {
    const ch = createChannel<number>(1);
    const result = ch.push(1);
    ch.cancel();
    expect(await result).toBe(false);
    expect(await ch.push(2)).toBe(false);
  });
});
