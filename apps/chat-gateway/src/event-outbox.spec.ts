import {
  EventValidationError,
  PublishError,
  type EventPublisher,
  type PublishEvent,
} from '@manga-assist/event-schemas';
import { createEventOutbox } from './event-outbox';

const message = (n: number): PublishEvent => ({
  detailType: 'MessageReceived',
  detail: { session_id: `s${n}`, user_id: 'alice', message: `m${n}`, language: 'ja', channel: 'api' },
});

/** Records each PutEvents batch; `reject` decides how a batch fails. */
function recordingPublisher(reject?: (events: PublishEvent[]) => Error | undefined) {
  const batches: string[][] = [];
  const publisher: EventPublisher = {
    stats: { putEventsCalls: 0, entryAttempts: 0, retriedEntries: 0 },
    async publish(events) {
      await new Promise((r) => setImmediate(r));
      const error = reject?.(events);
      if (error) throw error;
      batches.push(events.map((e) => (e.detail as { session_id: string }).session_id));
      return { eventIds: events.map((_, i) => `id${i}`) };
    },
  };
  return { publisher, batches };
}

describe('event outbox (batched, bounded, failures reported once each)', () => {
  it('sends events queued close together in one PutEvents of at most 10, after the linger', async () => {
    const { publisher, batches } = recordingPublisher();
    const failed: string[] = [];
    const outbox = createEventOutbox({
      publisher,
      lingerMs: 5,
      onFailed: (_e, _c, reason) => failed.push(reason),
    });
    for (let n = 0; n < 13; n++) expect(outbox.enqueue(message(n))).toBe(true);
    expect(batches).toEqual([]); // nothing sent synchronously: the caller's answer goes first
    await new Promise((r) => setTimeout(r, 30));
    await outbox.flush();
    expect(batches).toEqual([
      ['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9'],
      ['s10', 's11', 's12'],
    ]);
    expect(failed).toEqual([]);
    expect(outbox.pending).toBe(0);
  });

  it('reports an invalid event alone and still sends the others; entries refused by the bus are reported by index', async () => {
    const { publisher, batches } = recordingPublisher((events) => {
      const bad = events.findIndex((e) => (e.detail as { message: string }).message === '');
      if (bad >= 0)
        return new EventValidationError('INVALID_DETAIL', 'message empty', [], 'MessageReceived', bad);
      const refused = events.findIndex((e) => (e.detail as { session_id: string }).session_id === 's3');
      if (refused >= 0) {
        return new PublishError(
          [
            {
              index: refused,
              detailType: 'MessageReceived',
              errorCode: 'ThrottlingException',
              errorMessage: 'slow down',
              attempts: 3,
            },
          ],
          [],
        );
      }
      return undefined;
    });
    const failed: [string, string | undefined][] = [];
    const outbox = createEventOutbox({
      publisher,
      onFailed: (_e, c, reason) => failed.push([reason, c.requestId]),
    });
    outbox.enqueue(message(1), { requestId: 'r1' });
    outbox.enqueue({ ...message(2), detail: { ...message(2).detail, message: '' } } as PublishEvent, {
      requestId: 'r2',
    });
    outbox.enqueue(message(4), { requestId: 'r4' });
    await outbox.flush();
    expect(batches).toEqual([['s1', 's4']]);
    expect(failed).toEqual([['INVALID_DETAIL', 'r2']]);

    outbox.enqueue(message(3), { requestId: 'r3' });
    outbox.enqueue(message(5), { requestId: 'r5' });
    await outbox.flush();
    expect(failed).toEqual([
      ['INVALID_DETAIL', 'r2'],
      ['ThrottlingException', 'r3'],
    ]);
  });

  it('refuses (and reports) events beyond its bound instead of growing without limit', async () => {
    const { publisher, batches } = recordingPublisher();
    const failed: string[] = [];
    const outbox = createEventOutbox({
      publisher,
      lingerMs: 1000,
      maxPending: 3,
      onFailed: (_e, _c, reason) => failed.push(reason),
    });
    expect([1, 2, 3, 4].map((n) => outbox.enqueue(message(n)))).toEqual([true, true, true, false]);
    expect(failed).toEqual(['backlog_full']);
    expect(outbox.pending).toBe(3);
    await outbox.flush(); // does not wait for the linger
    expect(batches).toEqual([['s1', 's2', 's3']]);
  });
});
