import createClient from 'openapi-fetch';
import type { LocalStack } from '@manga-assist/local-stack';
import type { paths as ChatGatewayPaths } from './test-support/chat-api.generated';
import { ContractViolation } from '@manga-assist/contract-testing';
import { chatGatewayOpenApi } from './openapi';
import { chatContract, contractFetch, startGateway, startStack, type Gateway } from './test-support/harness';

describe('chat-gateway OpenAPI contract (real gateway on the local stack)', () => {
  let stack: LocalStack;
  let gw: Gateway;
  let token: string;

  beforeAll(async () => {
    stack = await startStack();
    gw = await startGateway(stack, { REDIS_KEY_PREFIX: stack.redisKeyPrefix, BODY_LIMIT_BYTES: '2048' });
    token = await gw.token('contract-user');
  });
  afterAll(async () => {
    await gw.stop();
    await stack.stop();
  });

  it('serves its document at /openapi.json', async () => {
    const res = await contractFetch(`${gw.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(chatGatewayOpenApi());
  });

  it('a client generated from the document (openapi-typescript + openapi-fetch) sends a message and reads the answer', async () => {
    const client = createClient<ChatGatewayPaths>({
      baseUrl: gw.url,
      headers: { authorization: `Bearer ${token}` },
    });
    const sent = await client.POST('/v1/chat', {
      body: { action: 'sendMessage', data: { message: 'おすすめの漫画を教えて' } },
    });
    expect(sent.response.status).toBe(200);
    const answer = sent.data as { sessionId: string; text: string; path: string };
    expect(answer.text.length).toBeGreaterThan(0);
    expect(answer.path).toBe('primary');

    const history = await client.POST('/v1/chat', {
      body: { action: 'getHistory', data: { sessionId: answer.sessionId } },
    });
    expect(history.data).toMatchObject({
      sessionId: answer.sessionId,
      turns: [{ role: 'user' }, { role: 'assistant', content: answer.text }],
    });

    const refused = await client.POST('/v1/chat', {
      body: { action: 'getHistory', data: { sessionId: 'no-such-session' } },
    });
    expect(refused.response.status).toBe(404);
    expect(refused.error).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
  });

  it('answers every documented chat status the way the document says', async () => {
    const sent = await gw.post(token, { action: 'sendMessage', data: { message: 'hello' } });
    expect(sent.status).toBe(200);
    const sessionId = sent.body.sessionId as string;
    expect((await gw.post(token, { action: 'getHistory', data: { sessionId, limit: 1 } })).status).toBe(200);
    expect((await gw.post(token, { action: 'clearSession', data: { sessionId } })).status).toBe(200);
    expect((await gw.post(token, { action: 'clearSession', data: { sessionId: 'gone' } })).status).toBe(404);
    expect((await gw.post(token, { action: 'nope', data: {} })).body.error.code).toBe('INVALID_REQUEST');
    expect((await gw.post(token, { action: 'sendMessage', data: { message: 'a\u0007b' } })).status).toBe(400);
    expect((await gw.post(token, '{not json')).body.error.code).toBe('INVALID_JSON');
    expect((await gw.post(undefined, { action: 'sendMessage', data: { message: 'hi' } })).status).toBe(401);
    expect(
      (await gw.post(token, { action: 'sendMessage', data: { message: 'x'.repeat(4000) } })).status,
    ).toBe(413);
    for (const status of [200, 400, 401, 404, 413])
      expect(chatContract().seen.has(`post /v1/chat ${status}`)).toBe(true);
  });

  it('answers the ops routes and unknown paths as documented', async () => {
    expect((await contractFetch(`${gw.url}/healthz`)).status).toBe(200);
    expect((await contractFetch(`${gw.url}/readyz`)).status).toBe(200);
    expect((await contractFetch(`${gw.url}/metrics`)).body).toMatch(/# HELP/);
    expect((await contractFetch(`${gw.url}/`)).status).toBe(200);
    expect((await contractFetch(`${gw.url}/no/such/route`)).status).toBe(404);
  });

  it('the contract check fails on an answer the document does not describe', () => {
    const check = (observed: Partial<Parameters<ReturnType<typeof chatContract>['check']>[0]>) => () =>
      chatContract().check({
        method: 'POST',
        path: '/v1/chat',
        status: 200,
        contentType: 'application/json',
        body: {},
        ...observed,
      });
    expect(check({ status: 418, body: { error: { code: 'TEAPOT', message: 'x' } } })).toThrow(
      /status 418 is not documented/,
    );
    expect(check({ body: { sessionId: 's', cleared: true, extra: 1 } })).toThrow(ContractViolation);
    expect(check({ status: 409, body: { error: { code: 'SOMETHING_ELSE', message: 'x' } } })).toThrow(
      /does not match the documented schema/,
    );
    expect(check({ status: 400, body: { message: 'not the error shape' } })).toThrow(ContractViolation);
    expect(check({ path: '/v2/unknown', status: 200 })).toThrow(/no route of the document matches/);
    expect(check({ body: { sessionId: 's', cleared: true } })).not.toThrow();
  });
});
