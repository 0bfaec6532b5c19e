import { estimateTokens } from './estimate';
import { estimateRequestTokens, MESSAGE_OVERHEAD_TOKENS, SYSTEM_OVERHEAD_TOKENS } from './request';
import { adaptiveTimeoutMs } from './timeout';

describe('estimateRequestTokens', () => {
  it('adds system, every message and their framing', () => {
    const system = 'あなたは漫画書店のアシスタントです。';
    const messages = [
      { role: 'user' as const, content: 'おすすめは?' },
      { role: 'assistant' as const, content: '「葬送のフリーレン」はいかがですか。' },
    ];
    expect(estimateRequestTokens({ system, messages })).toBe(
      estimateTokens(system) +
        SYSTEM_OVERHEAD_TOKENS +
        messages.reduce((n, m) => n + estimateTokens(m.content) + MESSAGE_OVERHEAD_TOKENS, 0),
    );
  });

  it('has no system framing without a system prompt', () => {
    expect(estimateRequestTokens({ messages: [{ role: 'user', content: 'hi' }] })).toBe(
      estimateTokens('hi') + MESSAGE_OVERHEAD_TOKENS,
    );
    expect(estimateRequestTokens({ system: '', messages: [] })).toBe(0);
  });

  it('uses a given estimate function', () => {
    expect(
      estimateRequestTokens({ system: 'abc', messages: [{ role: 'user', content: 'de' }] }, (s) => s.length),
    ).toBe(3 + SYSTEM_OVERHEAD_TOKENS + 2 + MESSAGE_OVERHEAD_TOKENS);
  });
});

describe('adaptiveTimeoutMs = min(25, 10 + tokens / 1000) s', () => {
  it.each([
    [0, 10],
    [1500, 11.5],
    [6000, 16],
    [15000, 25],
    [100000, 25],
    [-5, 10],
    [Number.NaN, 10],
  ])('%d tokens -> %d s', (tokens, seconds) => {
    expect(adaptiveTimeoutMs(tokens)).toBe(seconds * 1000);
  });

  it('follows scenario 1 with the cap given (moved from fm-client, which had an unused copy)', () => {
    expect(adaptiveTimeoutMs(0)).toBe(10_000);
    expect(adaptiveTimeoutMs(6_000)).toBe(16_000);
    expect(adaptiveTimeoutMs(20_000)).toBe(25_000);
    expect(adaptiveTimeoutMs(20_000, 12_000)).toBe(12_000);
  });
});
