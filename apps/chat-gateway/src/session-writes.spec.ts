import { createSessionWrites } from './session-writes';

describe('session writes after the answer', () => {
  it('starts a write after the current turn, one after the other per session; reads wait for them', async () => {
    const writes = createSessionWrites();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    writes.after('s1', async () => {
      order.push('s1 first starts');
      await gate;
      order.push('s1 first ends');
    });
    writes.after('s1', async () => void order.push('s1 second'));
    writes.after('s2', async () => void order.push('s2'));
    order.push('answer sent');
    const read = writes.settled('s1').then(() => order.push('s1 read'));
    await new Promise((r) => setImmediate(r));
    expect(writes.pending).toBe(1); // s2 is written, s1 waits
    release();
    await read;
    await writes.drain();
    expect(order).toEqual(['answer sent', 's1 first starts', 's2', 's1 first ends', 's1 second', 's1 read']);
    expect(writes.pending).toBe(0);
  });

  it('a failed write does not stop the next one of its session (the write reports its own failure)', async () => {
    const writes = createSessionWrites();
    const done: string[] = [];
    writes.after('s', () => Promise.reject(new Error('table missing')));
    writes.after('s', async () => void done.push('second'));
    await writes.settled('s');
    await writes.drain();
    expect(done).toEqual(['second']);
  });

  it('accepts no more pending sessions than its bound (the caller then saves before answering)', async () => {
    const writes = createSessionWrites(1);
    expect(writes.accepts()).toBe(true);
    writes.after('a', async () => undefined);
    expect(writes.accepts()).toBe(false);
    await writes.drain();
    expect(writes.accepts()).toBe(true);
  });
});
