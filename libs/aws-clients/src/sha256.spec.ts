import { createHash, createHmac } from 'node:crypto';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { KeyCachingSha256 } from './sha256';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('KeyCachingSha256 (the SDK clients’ sha256)', () => {
  it('hashes and HMACs as node:crypto does, for string and binary keys, again and again', async () => {
    const binary = new Uint8Array([1, 2, 3, 250, 251]);
    for (let round = 0; round < 3; round++) {
      const plain = new KeyCachingSha256();
      plain.update('日本語 ');
      plain.update(new Uint8Array([0, 255]));
      expect(hex(await plain.digest())).toBe(
        createHash('sha256')
          .update('日本語 ')
          .update(Buffer.from([0, 255]))
          .digest('hex'),
      );
      for (const key of ['AWS4secret', binary]) {
        const mac = new KeyCachingSha256(key);
        mac.update('string to sign');
        expect(hex(await mac.digest())).toBe(
          createHmac('sha256', typeof key === 'string' ? key : Buffer.from(key))
            .update('string to sign')
            .digest('hex'),
        );
        expect(() => mac.update('more')).toThrow(/finished/);
        mac.reset();
        mac.update('again');
        expect(hex(await mac.digest())).toBe(
          createHmac('sha256', typeof key === 'string' ? key : Buffer.from(key))
            .update('again')
            .digest('hex'),
        );
      }
    }
  });

  it('follows the key’s content: a key buffer written to after use signs with its new bytes', async () => {
    const key = new Uint8Array([9, 9, 9]);
    const first = new KeyCachingSha256(key);
    first.update('x');
    const before = hex(await first.digest());
    key[0] = 1;
    const second = new KeyCachingSha256(key);
    second.update('x');
    const after = hex(await second.digest());
    expect(after).toBe(
      createHmac('sha256', Buffer.from([1, 9, 9]))
        .update('x')
        .digest('hex'),
    );
    expect(after).not.toBe(before);
  });

  it('gives an SDK client the same SigV4 signature as its default', async () => {
    // The request stops at the handler, after signing: no server needed.
    const signed = async (sha256?: typeof KeyCachingSha256) => {
      let headers: Record<string, string> = {};
      const client = new DynamoDBClient({
        region: 'ap-northeast-1',
        credentials: {
          accessKeyId: 'AKIDEXAMPLE',
          secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        },
        maxAttempts: 1,
        ...(sha256 ? { sha256 } : {}),
        requestHandler: {
          handle: async (request: { headers: Record<string, string> }) => {
            headers = request.headers;
            throw new Error('captured');
          },
        },
      });
      // The invocation id is signed and random per call: the same one for both clients.
      type Middleware = Parameters<typeof client.middlewareStack.addRelativeTo>[0];
      client.middlewareStack.addRelativeTo(
        ((next: (args: unknown) => Promise<unknown>) =>
          (args: { request: { headers: Record<string, string> } }) => {
            args.request.headers['amz-sdk-invocation-id'] = '00000000-0000-4000-8000-000000000000';
            return next(args);
          }) as unknown as Middleware,
        { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'fixedInvocationId' },
      );
      await expect(
        client.send(new PutItemCommand({ TableName: 'Sessions', Item: { sessionId: { S: '日本-1' } } })),
      ).rejects.toThrow('captured');
      client.destroy();
      return headers;
    };
    // Both signed within one second (x-amz-date), else again.
    for (let attempt = 0; ; attempt++) {
      const ours = await signed(KeyCachingSha256);
      const reference = await signed();
      if (ours['x-amz-date'] !== reference['x-amz-date'] && attempt < 5) continue;
      expect(ours.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
      expect(ours.authorization).toBe(reference.authorization);
      break;
    }
  });
});
