import { processSqsEvent, type SqsEventRecord } from './lambda';
import { planChains, retryDelaySeconds } from './plan';

const record = (id: string, groupId?: string): SqsEventRecord => ({
  messageId: id,
  body: JSON.stringify({ id }),
  attributes: { ApproximateReceiveCount: '1', ...(groupId ? { MessageGroupId: groupId } : {}) },
  eventSourceARN: groupId
    ? 'arn:aws:sqs:us-east-1:000000000000:q.fifo'
    : 'arn:aws:sqs:us-east-1:000000000000:q',
});

describe('planChains', () => {
  it('keeps one ordered chain per FIFO group and one chain per standard message', () => {
    const batch = [
      { id: 'a1', groupId: 'a' },
      { id: 'b1', groupId: 'b' },
      { id: 'a2', groupId: 'a' },
    ];
    expect(planChains(batch, true).map((c) => c.map((m) => m.id))).toEqual([['a1', 'a2'], ['b1']]);
    expect(planChains(batch, false)).toHaveLength(3);
  });
});

describe('retryDelaySeconds', () => {
  it('grows with the receive count and stays within the cap', () => {
    expect(retryDelaySeconds(1)).toBeLessThanOrEqual(2);
    expect(retryDelaySeconds(4)).toBeGreaterThanOrEqual(6);
    expect(retryDelaySeconds(40, { maxSeconds: 60 })).toBeLessThanOrEqual(60);
  });
});

describe('processSqsEvent (Lambda adapter)', () => {
  it('reports exactly the failed messages of a standard batch', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `m${i}`);
    const fail = new Set(['m1', 'm4', 'm8']);
    const result = await processSqsEvent({ Records: ids.map((id) => record(id)) }, async (m) => {
      if (fail.has(m.id)) throw new Error('boom');
    });
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: 'm1' },
      { itemIdentifier: 'm4' },
      { itemIdentifier: 'm8' },
    ]);
  });

  it('FIFO: runs groups in parallel, one group in order, and skips the rest of a group after a failure', async () => {
    const order: string[] = [];
    let active = 0;
    let peak = 0;
    const records = [
      record('a1', 'a'),
      record('b1', 'b'),
      record('a2', 'a'),
      record('b2', 'b'),
      record('a3', 'a'),
    ];
    const result = await processSqsEvent({ Records: records }, async (m) => {
      peak = Math.max(peak, ++active);
      await new Promise((r) => setTimeout(r, 20));
      active--;
      order.push(m.id);
      if (m.id === 'a2') throw new Error('boom');
    });
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['a2', 'a3']);
    expect(order.filter((id) => id.startsWith('a'))).toEqual(['a1', 'a2']);
    expect(order.filter((id) => id.startsWith('b'))).toEqual(['b1', 'b2']);
    expect(peak).toBe(2);
  });

  it('does not report a poison message that onPoison moved away', async () => {
    const moved: string[] = [];
    const result = await processSqsEvent(
      { Records: [record('p1'), record('ok')] },
      async (m) => {
        if (m.id === 'p1') throw new SyntaxError('bad json');
      },
      {
        isPoison: (e) => e instanceof SyntaxError,
        onPoison: async (m) => {
          moved.push(m.id);
          return true;
        },
      },
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(moved).toEqual(['p1']);
  });
});
