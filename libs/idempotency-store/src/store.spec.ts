import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createAwsClients } from '@manga-assist/aws-clients';
import { startLocalStack, type LocalStack } from '@manga-assist/local-stack';
import { createIdempotencyStore, IdempotencyError } from './index';
import type { IdempotencyStoreOptions } from './store';
import { recordFromAttributeValues } from './record';

describe('idempotency store (against dynalite)', () => {
  let stack: LocalStack;
  let keySeq = 0;
  const key = (label: string) => `test:${label}:${++keySeq}:${Date.now()}`;

  beforeAll(async () => {
    stack = await startLocalStack({ redis: false });
  });
  afterAll(() => stack.stop());

  const storeWith = (overrides: Partial<IdempotencyStoreOptions> = {}) =>
    createIdempotencyStore({
      documentClient: stack.clients.documentClient,
      tableName: stack.names.tables.idempotency,
      ...overrides,
    });

  /** A clock the test moves by hand. */
  const manualClock = (start = Date.now()) => {
    let t = start;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('grants exactly one of 50 concurrent claims of one key', async () => {
    const store = storeWith();
    const k = key('race');
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => store.claim(k)));
    const counts = outcomes.reduce<Record<string, number>>(
      (acc, o) => ({ ...acc, [o.status]: (acc[o.status] ?? 0) + 1 }),
      {},
    );
    expect(counts).toEqual({ claimed: 1, in_progress: 49 });
  });

  it('answers duplicates of a completed key with the stored result', async () => {
    const store = storeWith();
    const k = key('complete');
    const first = await store.claim(k);
    if (first.status !== 'claimed') throw new Error(`expected claimed, got ${first.status}`);
    await store.complete(k, first.token, { published: 3, note: '処理済み' });
    const duplicates = await Promise.all([store.claim(k), store.claim(k)]);
    for (const d of duplicates)
      expect(d).toEqual({ status: 'completed', result: { published: 3, note: '処理済み' } });
    expect(await store.get(k)).toMatchObject({
      key: k,
      status: 'completed',
      result: { published: 3, note: '処理済み' },
    });
  });

  it('reports in_progress with the claim expiry while the first claim is held', async () => {
    const clock = manualClock();
    const store = storeWith({ now: clock.now, inProgressExpirySeconds: 30 });
    const k = key('inprogress');
    expect((await store.claim(k)).status).toBe('claimed');
    expect(await store.claim(k)).toEqual({ status: 'in_progress', expiresAt: clock.now() + 30_000 });
  });

  it('makes a released key claimable again', async () => {
    const store = storeWith();
    const k = key('release');
    const first = await store.claim(k);
    if (first.status !== 'claimed') throw new Error('expected claimed');
    await store.release(k, first.token);
    expect(await store.get(k)).toBeUndefined();
    const second = await store.claim(k);
    expect(second.status).toBe('claimed');
  });

  it('rejects complete and release with a wrong token, leaving the claim intact', async () => {
    const store = storeWith();
    const k = key('token');
    const first = await store.claim(k);
    if (first.status !== 'claimed') throw new Error('expected claimed');
    await expect(store.complete(k, 'not-the-token', { ok: true })).rejects.toMatchObject({
      code: 'CLAIM_LOST',
    });
    await expect(store.release(k, 'not-the-token')).rejects.toMatchObject({ code: 'CLAIM_LOST' });
    expect(await store.get(k)).toMatchObject({ status: 'in_progress' });
    await store.complete(k, first.token, 'done');
    // A completed record cannot be released, not even by its own token.
    await expect(store.release(k, first.token)).rejects.toBeInstanceOf(IdempotencyError);
    expect(await store.claim(k)).toEqual({ status: 'completed', result: 'done' });
  });

  it('treats a record past its TTL as absent even though dynalite never deletes it', async () => {
    const clock = manualClock();
    const store = storeWith({ now: clock.now, ttlSeconds: 60 });
    const k = key('ttl');
    const first = await store.claim(k);
    if (first.status !== 'claimed') throw new Error('expected claimed');
    await store.complete(k, first.token, { v: 1 });
    clock.advance(61_000);
    const raw = await stack.clients.documentClient.send(
      new GetCommand({ TableName: stack.names.tables.idempotency, Key: { idempotency_key: k } }),
    );
    expect(raw.Item).toBeDefined(); // still physically there
    expect(await store.get(k)).toBeUndefined();
    const again = await store.claim(k);
    expect(again.status).toBe('claimed');
    // The old token no longer owns anything.
    await expect(store.complete(k, first.token, { v: 2 })).rejects.toMatchObject({ code: 'CLAIM_LOST' });
  });

  it('lets a claim abandoned by a crashed process be reclaimed after the in-progress bound, not before', async () => {
    const clock = manualClock();
    const store = storeWith({ now: clock.now, inProgressExpirySeconds: 60 });
    const k = key('crash');
    const crashed = await store.claim(k);
    if (crashed.status !== 'claimed') throw new Error('expected claimed');
    clock.advance(59_000);
    expect((await store.claim(k)).status).toBe('in_progress');
    clock.advance(1_000);
    const reclaimed = await store.claim(k);
    expect(reclaimed.status).toBe('claimed');
    // The crashed owner waking up late cannot overwrite the new owner's work.
    await expect(store.complete(k, crashed.token, { late: true })).rejects.toMatchObject({
      code: 'CLAIM_LOST',
    });
    if (reclaimed.status === 'claimed') await store.complete(k, reclaimed.token, { fresh: true });
    expect(await store.claim(k)).toEqual({ status: 'completed', result: { fresh: true } });
  });

  it('grants exactly one of 50 concurrent reclaims of an expired record', async () => {
    const clock = manualClock();
    const store = storeWith({ now: clock.now, ttlSeconds: 10 });
    const k = key('reclaim-race');
    const first = await store.claim(k);
    if (first.status !== 'claimed') throw new Error('expected claimed');
    await store.complete(k, first.token, 'old');
    clock.advance(11_000);
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => store.claim(k)));
    expect(outcomes.filter((o) => o.status === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'in_progress')).toHaveLength(49);
  });

  it('answers payload_mismatch when the same key comes with another payload hash', async () => {
    const store = storeWith();
    const k = key('hash');
    const first = await store.claim(k, { payloadHash: 'sha256:aaa' });
    if (first.status !== 'claimed') throw new Error('expected claimed');
    expect(await store.claim(k, { payloadHash: 'sha256:bbb' })).toEqual({ status: 'payload_mismatch' });
    expect((await store.claim(k, { payloadHash: 'sha256:aaa' })).status).toBe('in_progress');
    await store.complete(k, first.token, 1);
    expect(await store.claim(k, { payloadHash: 'sha256:bbb' })).toEqual({ status: 'payload_mismatch' });
    expect(await store.claim(k, { payloadHash: 'sha256:aaa' })).toEqual({ status: 'completed', result: 1 });
  });

  it('refuses a result over the size cap with a typed error and keeps the claim', async () => {
    const store = storeWith({ maxResultBytes: 100 });
    const k = key('big');
    const first = await store.claim(k);
    if (first.status !== 'claimed') throw new Error('expected claimed');
    // 40 kanji = 120 UTF-8 bytes: the cap counts bytes, not characters.
    await expect(store.complete(k, first.token, '漫'.repeat(40))).rejects.toMatchObject({
      code: 'RESULT_TOO_LARGE',
    });
    expect(await store.get(k)).toMatchObject({ status: 'in_progress' });
    await store.complete(k, first.token, '漫'.repeat(10));
    expect(await store.claim(k)).toEqual({ status: 'completed', result: '漫'.repeat(10) });
  });

  it('rejects an empty key and wraps DynamoDB failures as STORE_UNAVAILABLE', async () => {
    const store = storeWith();
    await expect(store.claim('')).rejects.toMatchObject({ code: 'INVALID_KEY' });
    const missingTable = storeWith({ tableName: 'no-such-table' });
    await expect(missingTable.claim(key('missing'))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('answers a duplicate from the failed conditional write when DynamoDB returns the item (ALL_OLD), reading only when it does not', async () => {
    // dynalite ignores ReturnValuesOnConditionCheckFailure; DynamoDB puts the blocking item in the
    // ConditionalCheckFailedException. A middleware adds it the way DynamoDB does, read from
    // dynalite through another client, and every GetItem the store sends is counted.
    const aws = createAwsClients({
      region: 'us-east-1',
      endpoints: { dynamodb: stack.env.DYNAMODB_ENDPOINT },
      maxSockets: 8,
    });
    const sent: string[] = [];
    let returnItem = true;
    aws.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName));
        try {
          return await next(args);
        } catch (error) {
          const input = args.input as {
            ReturnValuesOnConditionCheckFailure?: string;
            TableName: string;
            Item?: { idempotency_key?: string | { S?: string } };
          };
          if (
            returnItem &&
            (error as Error).name === 'ConditionalCheckFailedException' &&
            input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD'
          ) {
            // At this step the DocumentClient's input may not be marshalled yet.
            const raw = input.Item?.idempotency_key;
            const key = { idempotency_key: { S: String(typeof raw === 'string' ? raw : raw?.S) } };
            const { Item } = await stack.clients.dynamodb.send(
              new GetItemCommand({ TableName: input.TableName, Key: key, ConsistentRead: true }),
            );
            Object.assign(error as object, { Item });
          }
          throw error;
        }
      },
      { step: 'initialize', priority: 'low', name: 'emulateAllOldOnConditionFailure' },
    );
    try {
      const store = storeWith({ documentClient: DynamoDBDocumentClient.from(aws.dynamodb) });
      const k = key('all-old');
      const first = await store.claim(k, { payloadHash: 'h1' });
      if (first.status !== 'claimed') throw new Error('expected claimed');
      expect((await store.claim(k, { payloadHash: 'h1' })).status).toBe('in_progress');
      expect(await store.claim(k, { payloadHash: 'h2' })).toEqual({ status: 'payload_mismatch' });
      await store.complete(k, first.token, { n: 1 });
      sent.length = 0;
      expect(await store.claim(k, { payloadHash: 'h1' })).toEqual({ status: 'completed', result: { n: 1 } });
      expect(sent).toEqual(['PutItemCommand']); // one round trip for a duplicate

      returnItem = false; // as dynalite: no item in the failure -> one consistent read
      sent.length = 0;
      expect(await store.claim(k, { payloadHash: 'h1' })).toEqual({ status: 'completed', result: { n: 1 } });
      expect(sent).toEqual(['PutItemCommand', 'GetItemCommand']);
    } finally {
      aws.destroy();
    }
  });
});

describe('records in DynamoDB wire form', () => {
  it('reads the attributes this library writes and refuses shapes it does not know', () => {
    expect(
      recordFromAttributeValues({
        idempotency_key: { S: 'stripe:evt_1' },
        status: { S: 'COMPLETED' },
        token: { S: 't' },
        ttl: { N: '1700000000' },
        created_at: { N: '1699999999000' },
        result: { S: '{"ok":true}' },
        extra: { BOOL: true },
      }),
    ).toEqual({
      idempotency_key: 'stripe:evt_1',
      status: 'COMPLETED',
      token: 't',
      ttl: 1700000000,
      created_at: 1699999999000,
      result: '{"ok":true}',
    });
    expect(recordFromAttributeValues(undefined)).toBeUndefined();
    expect(
      recordFromAttributeValues({ idempotency_key: 'plain', status: 'COMPLETED', ttl: 1 }),
    ).toBeUndefined();
    expect(
      recordFromAttributeValues({
        idempotency_key: { S: 'k' },
        status: { S: 'IN_PROGRESS' },
        ttl: { N: 'soon' },
      }),
    ).toBeUndefined();
    expect(
      recordFromAttributeValues({ idempotency_key: { S: 'k' }, status: { S: 'IN_PROGRESS' } }),
    ).toBeUndefined();
  });
});
