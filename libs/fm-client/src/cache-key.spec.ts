import { responseCacheKey, type ResolvedRequest } from './cache-key';

const base: ResolvedRequest = {
  modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
  system: 'あなたは漫画書店のアシスタントです。',
  messages: [{ role: 'user', content: 'ワンピースの最新巻は？' }],
  maxTokens: 1024,
  temperature: 0.3,
  topP: undefined,
  stopSequences: undefined,
};

describe('response cache key', () => {
  it('is a stable sha256 hex of the request', () => {
    expect(responseCacheKey(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(responseCacheKey({ ...base, messages: [{ ...base.messages[0] }] })).toBe(responseCacheKey(base));
  });

  it.each<[string, Partial<ResolvedRequest>]>([
    ['model id', { modelId: 'anthropic.claude-3-sonnet-20240229-v1:0' }],
    ['system prompt', { system: 'other' }],
    ['no system prompt', { system: undefined }],
    ['message text', { messages: [{ role: 'user', content: 'ワンピースの最新巻は?' }] }],
    [
      'history',
      { messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, ...base.messages] },
    ],
    ['max tokens', { maxTokens: 1023 }],
    ['temperature', { temperature: 0.31 }],
    ['top p', { topP: 0.9 }],
    ['stop sequences', { stopSequences: ['\n\n'] }],
  ])('changes with the %s', (_what, change) => {
    expect(responseCacheKey({ ...base, ...change })).not.toBe(responseCacheKey(base));
  });

  it('does not confuse where one message ends and the next begins', () => {
    const a = {
      ...base,
      messages: [
        { role: 'user' as const, content: 'ab' },
        { role: 'assistant' as const, content: 'c' },
      ],
    };
    const b = {
      ...base,
      messages: [
        { role: 'user' as const, content: 'a' },
        { role: 'assistant' as const, content: 'bc' },
      ],
    };
    expect(responseCacheKey(a)).not.toBe(responseCacheKey(b));
  });
});
