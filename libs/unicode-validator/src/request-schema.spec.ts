import { chatRequestSchema, MAX_MESSAGE_UTF16_UNITS, type ChatRequest } from './request-schema';

describe('chatRequestSchema', () => {
  it('parses the three actions', () => {
    const send: ChatRequest = chatRequestSchema.parse({
      action: 'sendMessage',
      data: { message: 'おすすめは?' },
      lang: 'ja',
    });
    expect(send).toEqual({ action: 'sendMessage', data: { message: 'おすすめは?' }, lang: 'ja' });
    expect(
      chatRequestSchema.parse({ action: 'getHistory', data: { sessionId: 's-1', limit: 20 } }),
    ).toMatchObject({
      action: 'getHistory',
    });
    expect(chatRequestSchema.parse({ action: 'clearSession', data: { sessionId: 's-1' } })).toMatchObject({
      action: 'clearSession',
    });
  });

  it('narrows data by action', () => {
    const req = chatRequestSchema.parse({ action: 'sendMessage', data: { sessionId: 'abc', message: 'hi' } });
    if (req.action === 'sendMessage') expect(req.data.message).toBe('hi');
    else throw new Error('expected sendMessage');
  });

  it.each([
    ['unknown action', { action: 'deleteEverything', data: {} }],
    ['missing data', { action: 'sendMessage' }],
    ['empty message', { action: 'sendMessage', data: { message: '' } }],
    ['message not a string', { action: 'sendMessage', data: { message: 5 } }],
    ['getHistory without sessionId', { action: 'getHistory', data: {} }],
    ['bad sessionId', { action: 'clearSession', data: { sessionId: '../../etc' } }],
    ['unsupported lang', { action: 'clearSession', data: { sessionId: 'a' }, lang: 'fr' }],
    ['limit out of range', { action: 'getHistory', data: { sessionId: 'a', limit: 0 } }],
  ])('rejects %s', (_name, body) => {
    expect(chatRequestSchema.safeParse(body).success).toBe(false);
  });

  it('is the coarse API Gateway filter: maxLength counts UTF-16 code units', () => {
    const ok = (message: string) =>
      chatRequestSchema.safeParse({ action: 'sendMessage', data: { message } }).success;
    expect(ok('🎉'.repeat(4000))).toBe(true); // 8,000 units
    expect(ok('🎉'.repeat(4000) + 'a')).toBe(false);
    expect(ok('a'.repeat(MAX_MESSAGE_UTF16_UNITS))).toBe(true);
  });

  it('strips unknown keys', () => {
    expect(chatRequestSchema.parse({ action: 'clearSession', data: { sessionId: 'a', x: 1 }, y: 2 })).toEqual(
      {
        action: 'clearSession',
        data: { sessionId: 'a' },
      },
    );
  });
});
