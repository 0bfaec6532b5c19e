import { startLocalStack, type LocalStack } from '@manga-assist/local-stack';
import { createSessionStore, SessionNotFoundError, type SessionStore } from './session-store';

describe('session store (DynamoDB via dynalite)', () => {
  let stack: LocalStack;
  let clock = Date.now();
  let store: SessionStore;
  const dropped: number[] = [];
  const stale: [string, number][] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ redis: false });
    store = createSessionStore({
      documentClient: stack.clients.documentClient,
      tableName: stack.names.tables.sessions,
      ttlSeconds: 1800,
      maxMessages: 40,
      maxItemBytes: 64 * 1024,
      now: () => clock,
      onDropped: (_id, n) => dropped.push(n),
      onStaleContext: (id, n) => stale.push([id, n]),
    });
  });
  afterAll(() => stack.stop());

  /** Exchange n: the user message received at `receivedAt`, its answer ready at `answeredAt`. */
  const exchange = (n: number, receivedAt: number, answeredAt = receivedAt + 5) => [
    { role: 'user' as const, content: `q${n}`, at: receivedAt },
    { role: 'assistant' as const, content: `a${n}`, at: answeredAt },
  ];

  const messagesOf = async (id: string) => {
    const session = await store.get(id, 'alice');
    if (!session) throw new Error(`session ${id} cannot be read back`);
    return session.messages;
  };

  it('creates a session on the first exchange and reads it back for its owner only', async () => {
    const id = store.newSessionId();
    await store.append({
      sessionId: id,
      userId: 'alice',
      create: true,
      messages: [
        { role: 'user', content: 'こんにちは' },
        { role: 'assistant', content: 'いらっしゃいませ' },
      ],
    });
    const session = await store.get(id, 'alice');
    expect(session?.messages.map((m) => [m.seq, m.role, m.content])).toEqual([
      [1, 'user', 'こんにちは'],
      [2, 'assistant', 'いらっしゃいませ'],
    ]);
    expect(await store.get(id, 'bob')).toBeUndefined();
    await expect(
      store.append({
        sessionId: id,
        userId: 'bob',
        create: false,
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(store.clear(id, 'bob')).rejects.toBeInstanceOf(SessionNotFoundError);
    expect((await store.get(id, 'alice'))?.messages).toHaveLength(2);
  });

  it('keeps every turn when several exchanges are written to one session at once', async () => {
    const id = store.newSessionId();
    await store.append({
      sessionId: id,
      userId: 'alice',
      create: true,
      messages: [
        { role: 'user', content: 'q0' },
        { role: 'assistant', content: 'a0' },
      ],
    });
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.append({
          sessionId: id,
          userId: 'alice',
          create: false,
          messages: [
            { role: 'user', content: `q${i + 1}` },
            { role: 'assistant', content: `a${i + 1}` },
          ],
        }),
      ),
    );
    const session = await store.get(id, 'alice');
    expect(session?.messages).toHaveLength(18);
    expect(new Set(session?.messages.map((m) => m.content)).size).toBe(18);
    expect(session?.version).toBe(9);
    // Each exchange stays a user/assistant pair even under contention.
    for (let i = 0; i < 18; i += 2) {
      expect(session?.messages[i].role).toBe('user');
      expect(session?.messages[i + 1].content.slice(1)).toBe(session?.messages[i].content.slice(1));
    }
  });

  it('writes against the copy the request already read, and loses no turn when that copy went stale', async () => {
    const id = store.newSessionId();
    const pair = (n: number) => [
      { role: 'user' as const, content: `q${n}` },
      { role: 'assistant' as const, content: `a${n}` },
    ];
    // A brand-new id: no read before the conditional create.
    await store.append({ sessionId: id, userId: 'alice', create: true, messages: pair(0), known: 'absent' });
    const read = await store.get(id, 'alice');
    if (!read) throw new Error('the new session cannot be read back');
    // Exchanges 1..6 start from the same read at once: all but one write against a stale copy.
    await Promise.all(
      [1, 2, 3, 4, 5, 6].map((n) =>
        store.append({ sessionId: id, userId: 'alice', create: false, messages: pair(n), known: read }),
      ),
    );
    // A client reusing an id that does exist (known 'absent' is wrong): appended, never overwritten.
    await store.append({ sessionId: id, userId: 'alice', create: true, messages: pair(7), known: 'absent' });
    const session = await store.get(id, 'alice');
    if (!session) throw new Error('the session cannot be read back');
    expect(session.messages).toHaveLength(16);
    expect(new Set(session.messages.map((m) => m.content)).size).toBe(16);
    expect(session.messages.map((m) => m.seq)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(session.version).toBe(8);
    expect(read.messages).toHaveLength(2); // the caller's copy is not modified
    // Someone else's session stays someone else's, known copy or not.
    await expect(
      store.append({ sessionId: id, userId: 'bob', create: true, messages: pair(8), known: 'absent' }),
    ).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it('keeps exchanges in the order they happened when a later one was saved first (another instance)', async () => {
    const id = store.newSessionId();
    await store.append({ sessionId: id, userId: 'alice', create: true, messages: exchange(1, 1000, 1010) });
    const read = await store.get(id, 'alice');
    // Exchange 2 was answered (at 1020) and its save is slow; the client's next message reached
    // another instance (at 1025), which read the session before that save and saved first.
    await store.append({
      sessionId: id,
      userId: 'alice',
      create: false,
      messages: exchange(3, 1025, 1030),
      known: read,
    });
    await store.append({
      sessionId: id,
      userId: 'alice',
      create: false,
      messages: exchange(2, 1015, 1020),
      known: read,
    });
    const session = await store.get(id, 'alice');
    expect(session?.messages.map((m) => [m.seq, m.content, m.at])).toEqual([
      [1, 'q1', 1000],
      [2, 'a1', 1010],
      [3, 'q2', 1015],
      [4, 'a2', 1020],
      [5, 'q3', 1025],
      [6, 'a3', 1030],
    ]);
    expect(session?.lastSeq).toBe(6);
    // Exchange 3 was answered without exchange 2: counted once exchange 2 goes before it.
    expect(stale.filter(([s]) => s === id)).toEqual([[id, 1]]);
    // Concurrent messages (two tabs): neither was received after the other's answer, both kept,
    // and neither counts as answered without the other.
    await Promise.all([
      store.append({ sessionId: id, userId: 'alice', create: false, messages: exchange(4, 1040, 1050) }),
      store.append({ sessionId: id, userId: 'alice', create: false, messages: exchange(5, 1041, 1049) }),
    ]);
    const both = await store.get(id, 'alice');
    expect(
      both?.messages
        .slice(6)
        .map((m) => m.content)
        .sort(),
    ).toEqual(['a4', 'a5', 'q4', 'q5']);
    expect(both?.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(stale.filter(([s]) => s === id)).toEqual([[id, 1]]);
  });

  it('counts an exchange answered from a copy read before the previous exchange was saved', async () => {
    const id = store.newSessionId();
    await store.append({
      sessionId: id,
      userId: 'alice',
      create: true,
      messages: exchange(1, 100),
      known: 'absent',
    });
    const read = await store.get(id, 'alice');
    // Exchange 2's save lands; exchange 3 (received after exchange 2 was answered) was read before it.
    await store.append({
      sessionId: id,
      userId: 'alice',
      create: false,
      messages: exchange(2, 200),
      known: read,
    });
    await store.append({
      sessionId: id,
      userId: 'alice',
      create: false,
      messages: exchange(3, 300),
      known: read,
    });
    expect(stale.filter(([s]) => s === id)).toEqual([[id, 1]]);
    expect((await messagesOf(id)).map((m) => m.content)).toEqual(['q1', 'a1', 'q2', 'a2', 'q3', 'a3']);
    // A copy that was current, or a write without one, reports nothing.
    await store.append({
      sessionId: id,
      userId: 'alice',
      create: false,
      messages: exchange(4, 400),
      known: await store.get(id, 'alice'),
    });
    await store.append({ sessionId: id, userId: 'alice', create: false, messages: exchange(5, 500) });
    expect(stale.filter(([s]) => s === id)).toEqual([[id, 1]]);
  });

  it('does not fold a summary into turns renumbered since it was read', async () => {
    const id = store.newSessionId();
    for (const n of [0, 1, 3])
      await store.append({ sessionId: id, userId: 'alice', create: n === 0, messages: exchange(n, n * 100) });
    const through = (await messagesOf(id))[3]; // a1, seq 4: the summariser folds q0..a1
    // Exchange 2 lands late and goes before exchange 3: a1 keeps seq 4, q3/a3 become 7/8.
    await store.append({ sessionId: id, userId: 'alice', create: false, messages: exchange(2, 200) });
    expect(await store.applySummary(id, 'alice', 'q0..a1', through)).toBeDefined();
    expect((await store.get(id, 'alice'))?.messages.map((m) => m.content)).toEqual(['q2', 'a2', 'q3', 'a3']);

    const other = store.newSessionId();
    for (const n of [0, 2])
      await store.append({
        sessionId: other,
        userId: 'alice',
        create: n === 0,
        messages: exchange(n, n * 100),
      });
    const throughA2 = (await messagesOf(other))[3]; // a2, seq 4
    // Exchange 1 lands late, before exchange 2: seq 4 is now a1. Folding "through seq 4" would drop
    // q1/a1, which the summary never saw.
    await store.append({ sessionId: other, userId: 'alice', create: false, messages: exchange(1, 100) });
    expect(await store.applySummary(other, 'alice', 'q0..a2', throughA2)).toBeUndefined();
    const kept = await store.get(other, 'alice');
    expect(kept?.summary).toBeUndefined();
    expect(kept?.messages.map((m) => m.content)).toEqual(['q0', 'a0', 'q1', 'a1', 'q2', 'a2']);
  });

  it('treats an item past its ttl as absent (DynamoDB deletes late) and slides the expiry on use', async () => {
    const id = store.newSessionId();
    const first = await store.append({
      sessionId: id,
      userId: 'alice',
      create: true,
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
    });
    clock += 29 * 60_000;
    const second = await store.append({
      sessionId: id,
      userId: 'alice',
      create: false,
      messages: [
        { role: 'user', content: 'q2' },
        { role: 'assistant', content: 'a2' },
      ],
    });
    expect(second.ttl - first.ttl).toBe(29 * 60);
    clock += 29 * 60_000;
    expect(await store.get(id, 'alice')).toBeDefined();
    clock += 2 * 60_000;
    expect(await store.get(id, 'alice')).toBeUndefined();
    await expect(
      store.append({
        sessionId: id,
        userId: 'alice',
        create: false,
        messages: [{ role: 'user', content: 'q3' }],
      }),
    ).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it('stays far below the 400 KB item limit however long the conversation', async () => {
    const id = store.newSessionId();
    const long = '漫'.repeat(4000);
    for (let i = 0; i < 30; i++) {
      await store.append({
        sessionId: id,
        userId: 'alice',
        create: i === 0,
        messages: [
          { role: 'user', content: long },
          { role: 'assistant', content: long },
        ],
      });
    }
    const session = await store.get(id, 'alice');
    expect(Buffer.byteLength(JSON.stringify(session))).toBeLessThanOrEqual(64 * 1024);
    expect(session?.messages[0].role).toBe('user');
    expect(session?.lastSeq).toBe(60);
    expect(dropped.length).toBeGreaterThan(0);
  });

  it('folds summarised messages away without losing an exchange written meanwhile, and clears', async () => {
    const id = store.newSessionId();
    for (let i = 0; i < 6; i++) {
      await store.append({
        sessionId: id,
        userId: 'alice',
        create: i === 0,
        messages: [
          { role: 'user', content: `q${i}` },
          { role: 'assistant', content: `a${i}` },
        ],
      });
    }
    const read = await messagesOf(id);
    const [a3, a1] = [read[7], read[3]];
    expect([a3.seq, a3.content, a1.seq]).toEqual([8, 'a3', 4]);
    await Promise.all([
      store.applySummary(id, 'alice', 'summary of q0..q3', a3),
      store.append({
        sessionId: id,
        userId: 'alice',
        create: false,
        messages: [
          { role: 'user', content: 'q6' },
          { role: 'assistant', content: 'a6' },
        ],
      }),
    ]);
    const session = await store.get(id, 'alice');
    expect(session?.summary).toBe('summary of q0..q3');
    expect(session?.messages.map((m) => m.content)).toEqual(['q4', 'a4', 'q5', 'a5', 'q6', 'a6']);
    // An older summary arriving late never overwrites a newer one.
    expect(await store.applySummary(id, 'alice', 'stale', a1)).toBeUndefined();
    const cleared = await store.clear(id, 'alice');
    expect(cleared.messages).toEqual([]);
    expect(cleared.summary).toBeUndefined();
    expect((await store.get(id, 'alice'))?.messages).toEqual([]);
  });
});
