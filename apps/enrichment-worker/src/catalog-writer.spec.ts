import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CatalogWriteError, createCatalogWriter } from './catalog-writer';

const awsError = (name: string) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } });

/** A scripted document client: each send() takes the next outcome (unit test of the retry policy only). */
const scripted = (outcomes: (Error | 'ok')[]) => {
  const calls: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      calls.push(command);
      const next = outcomes.shift() ?? 'ok';
      if (next !== 'ok') throw next;
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, calls };
};

describe('catalog writer retry policy', () => {
  it('retries throttling with backoff and then succeeds', async () => {
    const { client, calls } = scripted([
      awsError('ProvisionedThroughputExceededException'),
      awsError('ThrottlingException'),
      'ok',
    ]);
    const retries: number[] = [];
    const writer = createCatalogWriter({
      documentClient: client,
      tableName: 'Catalog',
      maxAttempts: 5,
      baseDelayMs: 1,
      onRetry: (r) => retries.push(r.attempt),
    });
    await writer.write('m-1', { synopsis: 'x' });
    expect(retries).toEqual([1, 2]);
    expect(calls).toHaveLength(3);
  });

  it('surfaces critical errors at once with code, severity and table', async () => {
    const { client, calls } = scripted([awsError('AccessDeniedException')]);
    const writer = createCatalogWriter({
      documentClient: client,
      tableName: 'Catalog',
      maxAttempts: 5,
      baseDelayMs: 1,
    });
    await expect(writer.write('m-1', { synopsis: 'x' })).rejects.toMatchObject({
      constructor: CatalogWriteError,
      code: 'AccessDeniedException',
      severity: 'critical',
      table: 'Catalog',
      attempts: 1,
    });
    expect(calls).toHaveLength(1);
  });

  it('gives up on throttling after maxAttempts, as retryable', async () => {
    const { client } = scripted(Array(5).fill(awsError('ThrottlingException')));
    const writer = createCatalogWriter({
      documentClient: client,
      tableName: 'Catalog',
      maxAttempts: 3,
      baseDelayMs: 1,
    });
    await expect(writer.write('m-1', { tags: [] })).rejects.toMatchObject({
      severity: 'retryable',
      attempts: 3,
    });
  });
});
