import { callSignal, raceAbort } from './deadline';

describe('deadlines', () => {
  it('aborts at the deadline and says it was the deadline', async () => {
    const call = callSignal(undefined, 20);
    await new Promise((resolve) => call.signal.addEventListener('abort', resolve));
    expect(call.deadlineExceeded()).toBe(true);
    expect(call.callerAborted()).toBe(false);
    call.dispose();
  });

  it('follows the caller signal and says it was the caller', () => {
    const caller = new AbortController();
    const call = callSignal(caller.signal, 10_000);
    caller.abort();
    expect(call.signal.aborted).toBe(true);
    expect(call.callerAborted()).toBe(true);
    expect(call.deadlineExceeded()).toBe(false);
    call.dispose();
  });

  it('raceAbort settles with the promise, or rejects when the signal aborts first', async () => {
    const ctl = new AbortController();
    await expect(raceAbort(Promise.resolve(1), ctl.signal)).resolves.toBe(1);
    const never = new Promise<number>(() => undefined);
    const raced = raceAbort(never, ctl.signal);
    ctl.abort(new Error('gone'));
    await expect(raced).rejects.toThrow('gone');
  });
});
