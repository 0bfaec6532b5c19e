import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DescribeTableCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

export interface TtlSweepOptions {
  dynamodb: DynamoDBClient;
  /** Table name -> the attribute holding its epoch-seconds expiry (ttlAttributes()). */
  tables: Record<string, string>;
  /** Time between sweeps (default 60 s: DynamoDB itself deletes "within a few days", usually minutes). */
  intervalMs?: number;
  /** At most this many deletions per table per sweep, so one sweep stays short. */
  maxDeletesPerTable?: number;
  now?: () => number;
  onSweep?: (result: { table: string; deleted: number }) => void;
  onError?: (error: Error) => void;
}

export interface TtlSweep {
  /** One sweep now (also what the timer runs); resolves to the number of items deleted. */
  sweep(): Promise<number>;
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/** DynamoDB ignores TTL values more than five years in the past (they are not treated as expiries). */
const FIVE_YEARS_S = 5 * 365 * 24 * 3600;

/**
 * DynamoDB TTL for endpoints without it (dynalite): on an interval, deletes the items whose TTL
 * attribute is a number of epoch seconds in the past, as DynamoDB does. Each delete is conditional
 * on the item still being expired, so an item refreshed meanwhile survives.
 */
export function startTtlSweep(options: TtlSweepOptions): TtlSweep {
  const { dynamodb, tables } = options;
  const intervalMs = options.intervalMs ?? 60_000;
  const maxDeletes = options.maxDeletesPerTable ?? 1000;
  const now = options.now ?? Date.now;
  const keysOf = new Map<string, string[]>();
  let running: Promise<number> | undefined;
  let stopped = false;

  async function keyAttributes(table: string): Promise<string[]> {
    let keys = keysOf.get(table);
    if (!keys) {
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: table }));
      keys = (Table?.KeySchema ?? []).map((k) => k.AttributeName as string);
      keysOf.set(table, keys);
    }
    return keys;
  }

  async function sweepTable(table: string, attribute: string): Promise<number> {
    const keys = await keyAttributes(table);
    const nowS = Math.floor(now() / 1000);
    const bounds = { ':now': { N: String(nowS) }, ':oldest': { N: String(nowS - FIVE_YEARS_S) } };
    const names = { '#ttl': attribute, ...Object.fromEntries(keys.map((k, i) => [`#k${i}`, k])) };
    let deleted = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await dynamodb.send(
        new ScanCommand({
          TableName: table,
          FilterExpression: '#ttl BETWEEN :oldest AND :now',
          ProjectionExpression: keys.map((_, i) => `#k${i}`).join(', '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: bounds,
          ExclusiveStartKey: startKey,
          Limit: 500,
        }),
      );
      for (const key of page.Items ?? []) {
        if (deleted >= maxDeletes || stopped) return deleted;
        try {
          await dynamodb.send(
            new DeleteItemCommand({
              TableName: table,
              Key: key,
              ConditionExpression: '#ttl BETWEEN :oldest AND :now',
              ExpressionAttributeNames: { '#ttl': attribute },
              ExpressionAttributeValues: bounds,
            }),
          );
          deleted++;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && !stopped);
    return deleted;
  }

  async function sweepAll(): Promise<number> {
    let total = 0;
    for (const [table, attribute] of Object.entries(tables)) {
      const deleted = await sweepTable(table, attribute);
      options.onSweep?.({ table, deleted });
      total += deleted;
    }
    return total;
  }

  const sweep = () => {
    // One sweep at a time: a timer tick during a long sweep joins it.
    running ??= sweepAll().finally(() => {
      running = undefined;
    });
    return running;
  };

  const timer = setInterval(() => {
    sweep().catch((error: Error) => options.onError?.(error));
  }, intervalMs);
  timer.unref();

  return {
    sweep,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

/** `LOCAL_TTL_SWEEP_SECONDS` (npm start): seconds between sweeps, 1-3600, default 60. */
export function ttlSweepSecondsFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env.LOCAL_TTL_SWEEP_SECONDS?.trim();
  if (!raw) return 60;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
    throw new Error(`LOCAL_TTL_SWEEP_SECONDS must be an integer from 1 to 3600, got "${raw}"`);
  }
  return seconds;
}
