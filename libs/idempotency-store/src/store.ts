import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { IdempotencyError, isConditionalCheckFailed } from './errors';
import {
  assertKey,
  recordFromAttributeValues,
  parseResult,
  recordState,
  serialiseResult,
  toPublicRecord,
  type IdempotencyRecord,
  type StoredRecord,
} from './record';

type ClaimOutcome<R = unknown> =
  | { status: 'claimed'; token: string }
  | { status: 'completed'; result: R }
  | { status: 'in_progress'; expiresAt: number }
  | { status: 'payload_mismatch' };

interface ClaimOptions {
  /** Hash of the request payload; a later claim of the same key with another hash is a mismatch. */
  payloadHash?: string;
}

export interface IdempotencyStore {
  claim<R = unknown>(key: string, options?: ClaimOptions): Promise<ClaimOutcome<R>>;
  complete(key: string, token: string, result: unknown): Promise<void>;
  release(key: string, token: string): Promise<void>;
  get<R = unknown>(key: string): Promise<IdempotencyRecord<R> | undefined>;
}

interface IdempotencyLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface IdempotencyStoreOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  /** Lifetime of a record (claim or result), seconds. Default 24 h. */
  ttlSeconds?: number;
  /** How long an in-progress claim is honoured before a crashed owner is assumed. Default 60 s. */
  inProgressExpirySeconds?: number;
  /** Cap on the JSON of a stored result, bytes. Default 8 KiB. */
  maxResultBytes?: number;
  /** Clock (epoch ms); every instance compares against the time it writes, so keep clocks synced. */
  now?: () => number;
  logger?: IdempotencyLogger;
}

const KEY = 'idempotency_key';
// A claim whose condition failed is re-read; if the record vanished or expired in between, the
// claim is retried. Bounded: beyond this someone else keeps winning and we say so.
const MAX_CLAIM_ATTEMPTS = 5;

/**
 * Idempotency claims in DynamoDB, after AWS Powertools' idempotency utility: one conditional put
 * claims a key unless a live record exists (expired records and abandoned in-progress claims are
 * overwritten). Works on DynamoDB and on dynalite: no transactions, no reliance on TTL deletion
 * (records past `ttl` count as absent). A failed claim learns the live record from the failure
 * itself (ReturnValuesOnConditionCheckFailure: ALL_OLD, one round trip on DynamoDB); where the
 * failure carries no item (dynalite ignores the option) it reads it with a consistent read.
 */
export function createIdempotencyStore(options: IdempotencyStoreOptions): IdempotencyStore {
  const {
    documentClient,
    tableName,
    ttlSeconds = 86_400,
    inProgressExpirySeconds = 60,
    maxResultBytes = 8192,
    now = Date.now,
    logger,
  } = options;

  const dynamo = async <T>(what: string, key: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (isConditionalCheckFailed(error) || error instanceof IdempotencyError) throw error;
      throw new IdempotencyError('STORE_UNAVAILABLE', `idempotency store ${what} failed for ${key}`, {
        cause: error,
      });
    }
  };

  const read = (key: string) =>
    dynamo('read', key, async () => {
      const { Item } = await documentClient.send(
        new GetCommand({ TableName: tableName, Key: { [KEY]: key }, ConsistentRead: true }),
      );
      return Item as StoredRecord | undefined;
    });

  /** `claimed`, or the record that beat us when the failure carried it (else undefined: read it). */
  const tryPut = async (
    key: string,
    token: string,
    payloadHash: string | undefined,
  ): Promise<{ claimed: true } | { claimed: false; existing: StoredRecord | undefined }> => {
    const nowMs = now();
    const item: StoredRecord = {
      [KEY]: key,
      status: 'IN_PROGRESS',
      token,
      ttl: Math.floor(nowMs / 1000) + ttlSeconds,
      in_progress_expiry: nowMs + inProgressExpirySeconds * 1000,
      created_at: nowMs,
      ...(payloadHash !== undefined ? { payload_hash: payloadHash } : {}),
    };
    try {
      await dynamo('claim', key, () =>
        documentClient.send(
          new PutCommand({
            TableName: tableName,
            Item: item,
            ConditionExpression:
              'attribute_not_exists(#key) OR #ttl <= :nowS OR (#status = :inProgress AND #ipe <= :nowMs)',
            ExpressionAttributeNames: {
              '#key': KEY,
              '#ttl': 'ttl',
              '#status': 'status',
              '#ipe': 'in_progress_expiry',
            },
            ExpressionAttributeValues: {
              ':nowS': Math.floor(nowMs / 1000),
              ':nowMs': nowMs,
              ':inProgress': 'IN_PROGRESS',
            },
            // DynamoDB puts the blocking record in the failure: a duplicate costs one call, not two.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return { claimed: true };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // The DocumentClient does not unmarshall exception fields: Item is in AttributeValue form.
      return { claimed: false, existing: recordFromAttributeValues((error as { Item?: unknown }).Item) };
    }
  };

  return {
    async claim<R>(key: string, { payloadHash }: ClaimOptions = {}): Promise<ClaimOutcome<R>> {
      assertKey(key);
      // A claim race (conditional put lost, record reclaimed), not a retry of a failure: no backoff.
      for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
        const token = randomUUID();
        const put = await tryPut(key, token, payloadHash);
        if (put.claimed) return { status: 'claimed', token };

        const item = put.existing ?? (await read(key));
        const state = recordState(item, now());
        if (!item || state === 'absent' || state === 'expired' || state === 'stale_in_progress') {
          // Released, expired or abandoned between our put and our read: try again.
          logger?.debug({ key, state, attempt }, 'idempotency claim raced; retrying');
          continue;
        }
        if (
          payloadHash !== undefined &&
          item.payload_hash !== undefined &&
          item.payload_hash !== payloadHash
        ) {
          return { status: 'payload_mismatch' };
        }
        if (state === 'completed') return { status: 'completed', result: parseResult<R>(item) };
        return { status: 'in_progress', expiresAt: item.in_progress_expiry ?? item.ttl * 1000 };
      }
      throw new IdempotencyError(
        'STORE_UNAVAILABLE',
        `could not settle a claim on ${key} after ${MAX_CLAIM_ATTEMPTS} attempts`,
      );
    },

    async complete(key: string, token: string, result: unknown): Promise<void> {
      assertKey(key);
      const json = serialiseResult(result, maxResultBytes);
      const nowMs = now();
      try {
        await dynamo('complete', key, () =>
          documentClient.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { [KEY]: key },
              // The TTL restarts at completion: duplicates are recognised for a full window after.
              UpdateExpression:
                'SET #status = :completed, #result = :result, completed_at = :nowMs, #ttl = :ttl REMOVE #ipe',
              ConditionExpression: '#token = :token AND #status = :inProgress',
              ExpressionAttributeNames: {
                '#status': 'status',
                '#result': 'result',
                '#ttl': 'ttl',
                '#ipe': 'in_progress_expiry',
                '#token': 'token',
              },
              ExpressionAttributeValues: {
                ':completed': 'COMPLETED',
                ':inProgress': 'IN_PROGRESS',
                ':result': json,
                ':nowMs': nowMs,
                ':ttl': Math.floor(nowMs / 1000) + ttlSeconds,
                ':token': token,
              },
            }),
          ),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        logger?.warn({ key }, 'idempotency complete rejected: the claim is not held by this token');
        throw new IdempotencyError(
          'CLAIM_LOST',
          `claim on ${key} is not held by this token (reclaimed, released or wrong token)`,
        );
      }
    },

    async release(key: string, token: string): Promise<void> {
      assertKey(key);
      try {
        await dynamo('release', key, () =>
          documentClient.send(
            new DeleteCommand({
              TableName: tableName,
              Key: { [KEY]: key },
              ConditionExpression: '#token = :token AND #status = :inProgress',
              ExpressionAttributeNames: { '#token': 'token', '#status': 'status' },
              ExpressionAttributeValues: { ':token': token, ':inProgress': 'IN_PROGRESS' },
            }),
          ),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
        logger?.warn({ key }, 'idempotency release rejected: the claim is not held by this token');
        throw new IdempotencyError(
          'CLAIM_LOST',
          `claim on ${key} is not held by this token (reclaimed, completed or wrong token)`,
        );
      }
    },

    async get<R>(key: string): Promise<IdempotencyRecord<R> | undefined> {
      assertKey(key);
      const item = await read(key);
      const state = recordState(item, now());
      if (!item || state === 'absent' || state === 'expired') return undefined;
      return toPublicRecord<R>(item);
    },
  };
}
