import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { resolveQueueUrl } from './queue-url';
import type { ResourceNames } from './config';
import { tableDefinitions } from './resources';

/** Readiness check: the table exists and answers. */
export function dynamoTableCheck(dynamodb: DynamoDBClient, tableName: string, critical = true) {
  return {
    name: `dynamodb:${tableName}`,
    critical,
    check: async (abortSignal: AbortSignal) => {
      await dynamodb.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal });
    },
  };
}

/**
 * Readiness check: the queue exists and answers. Takes the queue's name or URL; its URL is asked
 * of SQS (GetQueueUrl) until known, so the check works before a service has resolved its queues.
 */
export function sqsQueueCheck(sqs: SQSClient, nameOrUrl: string, critical = true) {
  let queueUrl: string | undefined;
  return {
    name: `sqs:${nameOrUrl.split('/').pop()}`,
    critical,
    check: async (abortSignal: AbortSignal) => {
      queueUrl ??= await resolveQueueUrl(sqs, nameOrUrl, abortSignal);
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }), {
        abortSignal,
      });
    },
  };
}

interface WriteCheckOptions {
  /** Names the canary items, so a leftover one says who wrote it. */
  service: string;
  /** Called with the one-line reason each time the failure changes (the service logs it). */
  onFailure?: (reason: string, error: unknown) => void;
  /** After a failure, the next readiness probe writes again only after this (a fixed role heals without a restart). */
  retryAfterMs?: number;
  now?: () => number;
}

/**
 * Readiness check proving the service can do its critical writes (seed scenario 5: a wrong role or
 * table name must stop a deployment, not fail jobs silently): a conditional put of a canary item
 * and its conditional delete. Passes once and stays passed; fails with one line saying why.
 */
export function dynamoWriteCheck(
  dynamodb: DynamoDBClient,
  names: ResourceNames,
  table: keyof ResourceNames['tables'],
  { service, onFailure, retryAfterMs = 30_000, now = Date.now }: WriteCheckOptions,
) {
  const tableName = names.tables[table];
  const keyAttribute = tableDefinitions(names)
    .find((t) => t.TableName === tableName)
    ?.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
  if (!keyAttribute) throw new Error(`no key attribute for table ${tableName} in tableDefinitions()`);
  let passed = false;
  let failure: { reason: string; at: number } | undefined;
  let running: Promise<void> | undefined;

  const probe = async (abortSignal: AbortSignal) => {
    const key = { [keyAttribute]: { S: `__canary__#${service}#${randomUUID()}` } };
    const attributeNames = { '#k': keyAttribute };
    await dynamodb.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...key, canary: { BOOL: true }, ttl: { N: String(Math.floor(now() / 1000) + 3600) } },
        ConditionExpression: 'attribute_not_exists(#k)',
        ExpressionAttributeNames: attributeNames,
      }),
      { abortSignal },
    );
    await dynamodb.send(
      new DeleteItemCommand({
        TableName: tableName,
        Key: key,
        ConditionExpression: 'attribute_exists(#k)',
        ExpressionAttributeNames: attributeNames,
      }),
      { abortSignal },
    );
  };

  return {
    name: `dynamodb-write:${tableName}`,
    critical: true,
    check: async (abortSignal: AbortSignal) => {
      if (passed) return;
      if (failure && now() - failure.at < retryAfterMs) throw new Error(failure.reason);
      running ??= probe(abortSignal).finally(() => (running = undefined));
      try {
        await running;
        passed = true;
        failure = undefined;
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        const message = error instanceof Error ? error.message : String(error);
        const reason = `permission check failed: cannot write to table ${tableName} (${name}: ${message}); not ready`;
        if (reason !== failure?.reason) onFailure?.(reason, error);
        // Only an answer from DynamoDB (denied, no such table) waits out the retry window; an
        // unreachable DynamoDB is probed again at the next /readyz, so the service is ready within
        // seconds of it coming up (one start-up behaviour).
        const answered =
          (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== undefined;
        failure = { reason, at: answered ? now() : Number.NEGATIVE_INFINITY };
        throw new Error(reason);
      }
    },
  };
}

/**
 * The start-up permission checks of a service, for its /readyz: one dynamoWriteCheck per table it
 * must write. They run on the first readiness probes (ECS and the ALB probe right after start),
 * and a missing table or a denied write is logged once, in one line each.
 */
export function startupWriteChecks(
  dynamodb: DynamoDBClient,
  names: ResourceNames,
  tables: (keyof ResourceNames['tables'])[],
  { service, logger }: { service: string; logger: { error: (fields: object, message: string) => void } },
) {
  const checks = tables.map((table) =>
    dynamoWriteCheck(dynamodb, names, table, {
      service,
      onFailure: (reason, error) =>
        logger.error(
          {
            table: names.tables[table],
            check: 'startup-write',
            error: error instanceof Error ? error.name : 'Error',
          },
          reason,
        ),
    }),
  );
  return checks;
}
