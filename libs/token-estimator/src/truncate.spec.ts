import fc from 'fast-check';
import { estimateTokens } from './estimate';
import { estimateRequestTokens, MESSAGE_OVERHEAD_TOKENS, type Turn } from './request';
import { truncateHistory } from './truncate';

const len = (s: string) => s.length; // predictable estimate for exact expectations
const exchange = (i: number, size = 10): Turn[] => [
  { role: 'user', content: `q${i}`.padEnd(size, '.') },
  { role: 'assistant', content: `a${i}`.padEnd(size, '.') },
];
const conversation = (n: number, size = 10) => Array.from({ length: n }, (_, i) => exchange(i, size)).flat();
const ids = (turns: Turn[]) =>
  turns.filter((t) => t.role === 'user').map((t) => t.content.replace(/\.+$/, ''));
const perExchange = (size: number) => 2 * (size + MESSAGE_OVERHEAD_TOKENS);
const base = (current: string) => current.length + MESSAGE_OVERHEAD_TOKENS;

describe('truncateHistory (seed scenario 1 strategy)', () => {
  it('keeps everything when it fits', () => {
    const history = conversation(6);
    const r = truncateHistory({ history, currentMessage: 'now', budgetTokens: 10_000, estimate: len });
    expect(r).toEqual({
      history,
      estimatedTokens: base('now') + 6 * perExchange(10),
      dropped: 0,
      fits: true,
    });
  });

  it('keeps the first exchange and the last 3, filling the middle newest-first', () => {
    const history = conversation(10);
    const budget = base('now') + 6 * perExchange(10); // room for first + last 3 + 2 middle
    const r = truncateHistory({ history, currentMessage: 'now', budgetTokens: budget, estimate: len });
    expect(ids(r.history)).toEqual(['q0', 'q5', 'q6', 'q7', 'q8', 'q9']);
    expect(r.dropped).toBe(8);
    expect(r.estimatedTokens).toBe(budget);
  });

  it('stays within budget where the seed returned the last 2 turns regardless', () => {
    // first + last 3 do not fit; the seed fell back to history[-2:] without checking them
    const history = conversation(6, 400);
    const budget = base('now') + perExchange(400) + 50;
    const r = truncateHistory({ history, currentMessage: 'now', budgetTokens: budget, estimate: len });
    expect(ids(r.history)).toEqual(['q5']);
    expect(r.estimatedTokens).toBeLessThanOrEqual(budget);
    // and with no room for even one exchange, the history is empty but the request still fits
    const tight = truncateHistory({
      history,
      currentMessage: 'now',
      budgetTokens: base('now') + 10,
      estimate: len,
    });
    expect(tight).toEqual({ history: [], estimatedTokens: base('now'), dropped: 12, fits: true });
  });

  it('says so when the current message alone exceeds the budget', () => {
    const r = truncateHistory({
      history: conversation(2),
      currentMessage: 'x'.repeat(100),
      budgetTokens: 50,
      estimate: len,
    });
    expect(r).toEqual({
      history: [],
      estimatedTokens: 100 + MESSAGE_OVERHEAD_TOKENS,
      dropped: 4,
      fits: false,
      reason: 'CURRENT_MESSAGE_EXCEEDS_BUDGET',
    });
  });

  it('counts the system prompt', () => {
    const r = truncateHistory({
      history: [],
      currentMessage: 'hi',
      system: 's'.repeat(50),
      budgetTokens: 50,
      estimate: len,
    });
    expect(r).toMatchObject({ fits: false, reason: 'CURRENT_MESSAGE_EXCEEDS_BUDGET' });
  });

  it('keeps an assistant answer with its question', () => {
    const history: Turn[] = [
      { role: 'user', content: 'q0' },
      { role: 'assistant', content: 'a0' },
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'a'.repeat(60) },
      { role: 'user', content: 'q2' },
      { role: 'assistant', content: 'a2' },
    ];
    const r = truncateHistory({ history, currentMessage: 'now', budgetTokens: 40, estimate: len });
    expect(r.history).toEqual(history.slice(4));
  });

  it('uses the default estimator (Japanese text)', () => {
    const history = conversation(30).map((t) => ({
      ...t,
      content: `${t.content}${'漫画のおすすめ'.repeat(50)}`,
    }));
    const r = truncateHistory({
      history,
      currentMessage: '次の巻はいつ？',
      system: 'あなたは書店員です。',
      budgetTokens: 6000,
    });
    expect(r.fits).toBe(true);
    expect(r.estimatedTokens).toBeLessThanOrEqual(6000);
    expect(r.estimatedTokens).toBe(
      estimateRequestTokens({
        system: 'あなたは書店員です。',
        messages: [...r.history, { role: 'user', content: '次の巻はいつ？' }],
      }),
    );
    expect(r.history[0]).toBe(history[0]); // the first exchange stays
    expect(r.history.at(-1)).toBe(history.at(-1));
    expect(r.dropped).toBeGreaterThan(0);
    expect(estimateTokens(r.history[0].content)).toBeGreaterThan(0);
  });
});

describe('truncateHistory properties', () => {
  const turn = fc.record({
    role: fc.constantFrom<'user' | 'assistant'>('user', 'assistant'),
    content: fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 80 })),
  });
  const input = fc.record({
    history: fc.array(turn, { maxLength: 30 }),
    currentMessage: fc.string({ maxLength: 300 }),
    system: fc.option(fc.string({ maxLength: 200 }), { nil: undefined }),
    budgetTokens: fc.integer({ min: 0, max: 3000 }),
  });

  it('never exceeds the budget when it fits, and reports exactly what it returns', () => {
    fc.assert(
      fc.property(input, (args) => {
        const r = truncateHistory(args);
        const request = {
          system: args.system,
          messages: [...r.history, { role: 'user' as const, content: args.currentMessage }],
        };
        expect(r.estimatedTokens).toBe(estimateRequestTokens(request));
        if (r.fits) expect(r.estimatedTokens).toBeLessThanOrEqual(args.budgetTokens);
        else {
          expect(r.reason).toBe('CURRENT_MESSAGE_EXCEEDS_BUDGET');
          expect(r.history).toEqual([]);
          expect(r.estimatedTokens).toBeGreaterThan(args.budgetTokens);
        }
        expect(r.dropped).toBe(args.history.length - r.history.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('fits whenever the current message and system alone fit', () => {
    fc.assert(
      fc.property(input, (args) => {
        const alone = estimateRequestTokens({
          system: args.system,
          messages: [{ role: 'user', content: args.currentMessage }],
        });
        expect(truncateHistory(args).fits).toBe(alone <= args.budgetTokens);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps order and whole exchanges: the result is the history minus some user-led exchanges', () => {
    fc.assert(
      fc.property(input, (args) => {
        const history = args.history.map((t, i) => ({ ...t, content: `${i}:${t.content}` }));
        const r = truncateHistory({ ...args, history });
        const positions = r.history.map((t) => history.indexOf(t));
        expect(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]))).toBe(true);
        // an assistant turn is kept only together with the turn before it
        positions.forEach((p, i) => {
          if (history[p].role === 'assistant' && p > 0) expect(positions[i - 1]).toBe(p - 1);
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps everything when everything fits, and always keeps the newest exchange when it fits', () => {
    fc.assert(
      fc.property(input, (args) => {
        const r = truncateHistory(args);
        const full = estimateRequestTokens({
          system: args.system,
          messages: [...args.history, { role: 'user', content: args.currentMessage }],
        });
        if (full <= args.budgetTokens) expect(r.history).toEqual(args.history);
        const lastUser = args.history.map((t) => t.role).lastIndexOf('user');
        const newest = args.history.slice(Math.max(0, lastUser));
        const withNewest = estimateRequestTokens({
          system: args.system,
          messages: [...newest, { role: 'user', content: args.currentMessage }],
        });
        if (newest.length > 0 && withNewest <= args.budgetTokens)
          expect(r.history.slice(-newest.length)).toEqual(newest);
      }),
      { numRuns: 1000 },
    );
  });
});
