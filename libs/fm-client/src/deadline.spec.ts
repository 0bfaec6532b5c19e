import { getEventListeners } from 'node:events';
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

  it('starts aborted, with the reason, when the caller has aborted already', () => {
    const caller = new AbortController();
    caller.abort(new Error('gone before the call'));
    const call = callSignal(caller.signal, 10_000);
    expect(call.signal.aborted).toBe(true);
    expect((call.signal.reason as Error).message).toBe('gone before the call');
    expect(call.callerAborted()).toBe(true);
    call.dispose();
  });

  it('leaves no listener on the caller signal once disposed, however many calls it served', () => {
    // A long-lived caller signal (a WebSocket connection's, a request's with several model calls)
    // must not collect one listener per call.
    const caller = new AbortController();
    for (let i = 0; i < 5; i++) callSignal(caller.signal, 10_000).dispose();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    const call = callSignal(caller.signal, 10_000);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    call.dispose();
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
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
