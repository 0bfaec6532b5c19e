import { startLocalStack, type LocalStack } from '@manga-assist/local-stack';
import { createSessionStore, SessionNotFoundError, type SessionStore } from './session-store';

describe('session store (DynamoDB via dynalite)', () => {
  let stack: LocalStack;
  let clock = Date.now();
  let store: SessionStore;
  const dropped: number[] = [];

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
    });
  });
  afterAll(() => stack.stop());

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
    await Promise.all([
      store.applySummary(id, 'alice', 'summary of q0..q3', 8),
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
    expect(await store.applySummary(id, 'alice', 'stale', 4)).toBeUndefined();
    const cleared = await store.clear(id, 'alice');
    expect(cleared.messages).toEqual([]);
    expect(cleared.summary).toBeUndefined();
    expect((await store.get(id, 'alice'))?.messages).toEqual([]);
  });
});
