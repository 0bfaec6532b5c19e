import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException as TableNotFound,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import {
  queueDefinitions,
  tableDefinitions,
  ttlAttributes,
  type AwsClients,
  type ResourceNames,
} from '@manga-assist/aws-clients';
import { eventBridgeRuleRequests, routingRules } from '@manga-assist/event-schemas';

export type ResourceKind = 'table' | 'ttl' | 'queue' | 'event-bus' | 'rule' | 'target' | 'queue-policy';
/** created: did not exist; updated: existed and differed; unchanged: as wanted; skipped: the endpoint cannot do it. */
export type ResourceStatus = 'created' | 'updated' | 'unchanged' | 'skipped';

export interface ResourceChange {
  kind: ResourceKind;
  name: string;
  status: ResourceStatus;
  note?: string;
}

export interface ProvisionResult {
  tables: string[];
  /** Queue name -> URL exactly as CreateQueue returned it. */
  queueUrls: Record<string, string>;
  /** Every resource, in the order it was checked, with what provisioning did to it. */
  changes: ResourceChange[];
}

export interface ProvisionOptions {
  maxReceiveCount?: number;
  /** Create the bus, the rules, their targets and the queue policies (default true). */
  eventBridge?: boolean;
  /** One call per resource (provision-cli prints them). */
  onChange?: (change: ResourceChange) => void;
}

const DLQ_RETENTION_SECONDS = '1209600'; // 14 days, SQS's maximum
const EVENTS_PRINCIPAL = 'events.amazonaws.com';

/**
 * Creates everything the services need, against AWS or any AWS-compatible endpoint, through the
 * same SDK calls either way: tables (+ TTL), queues with redrive, and, unless `eventBridge: false`,
 * the bus, every routing rule with its target, and the queue policies that let EventBridge deliver.
 * Idempotent: what exists as wanted is left alone and reported `unchanged`.
 */
export async function provision(
  clients: Pick<AwsClients, 'dynamodb' | 'sqs' | 'eventBridge'>,
  names: ResourceNames,
  { maxReceiveCount = 5, eventBridge = true, onChange }: ProvisionOptions = {},
): Promise<ProvisionResult> {
  const changes: ResourceChange[] = [];
  const record = (change: ResourceChange) => {
    changes.push(change);
    onChange?.(change);
  };

  const tables: string[] = [];
  for (const definition of tableDefinitions(names)) {
    const name = definition.TableName as string;
    const exists = await describeTable(clients, name);
    if (!exists) await clients.dynamodb.send(new CreateTableCommand(definition));
    await waitForTable(clients, name);
    record({ kind: 'table', name, status: exists ? 'unchanged' : 'created' });
    tables.push(name);
  }
  for (const [table, attribute] of Object.entries(ttlAttributes(names))) {
    record(await ensureTtl(clients, table, attribute));
  }

  const queueUrls: Record<string, string> = {};
  const queueArns: Record<string, string> = {};
  const ensure = async (name: string, attributes: Record<string, string>) => {
    const { url, arn, status } = await ensureQueue(clients, name, attributes);
    queueUrls[name] = url;
    queueArns[name] = arn;
    record({ kind: 'queue', name, status });
  };
  for (const queue of queueDefinitions(names, { maxReceiveCount })) {
    const fifo: Record<string, string> = queue.fifo ? { FifoQueue: 'true' } : {};
    await ensure(queue.dlq, { ...fifo, MessageRetentionPeriod: DLQ_RETENTION_SECONDS });
    await ensure(queue.name, {
      ...fifo,
      VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: queueArns[queue.dlq],
        maxReceiveCount: queue.maxReceiveCount,
      }),
    });
  }
  if (!eventBridge) return { tables, queueUrls, changes };

  // Events EventBridge could not deliver to a target (a standard queue: FIFO DLQs are refused).
  await ensure(names.queues.eventsDlq, { MessageRetentionPeriod: DLQ_RETENTION_SECONDS });

  record(await ensureBus(clients, names.eventBusName));
  const senders = new Map<string, string[]>(); // queue name -> ARNs of the rules that send to it
  const addSender = (queue: string, ruleArn: string) =>
    senders.set(queue, [...(senders.get(queue) ?? []), ruleArn]);
  for (const rule of routingRules(names)) {
    const { putRule, putTargets } = eventBridgeRuleRequests(rule, {
      queueArn: (name) => {
        if (!queueArns[name])
          throw new Error(`rule ${rule.name} targets queue ${name}, which provisioning did not create`);
        return queueArns[name];
      },
      deadLetterQueueArn: queueArns[names.queues.eventsDlq],
    });
    const { arn, status } = await ensureRule(clients, putRule);
    record({ kind: 'rule', name: rule.name, status });
    for (const target of putTargets.Targets ?? []) {
      record({
        kind: 'target',
        name: `${rule.name}/${target.Id}`,
        status: await ensureTarget(clients, putTargets.Rule!, rule.eventBusName, target),
      });
    }
    addSender(rule.target.queueName, arn);
    addSender(names.queues.eventsDlq, arn);
  }
  for (const [queue, ruleArns] of senders) {
    const policy = eventBridgeQueuePolicy(queueArns[queue], ruleArns);
    record({
      kind: 'queue-policy',
      name: queue,
      status: await ensureQueuePolicy(clients, queueUrls[queue], policy),
    });
  }
  return { tables, queueUrls, changes };
}

/** Lets EventBridge send to the queue, only on behalf of the given rules (aws:SourceArn). */
export function eventBridgeQueuePolicy(queueArn: string, ruleArns: string[]): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowEventBridgeRules',
        Effect: 'Allow',
        Principal: { Service: EVENTS_PRINCIPAL },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': [...new Set(ruleArns)].sort() } },
      },
    ],
  };
}

async function describeTable(clients: Pick<AwsClients, 'dynamodb'>, TableName: string): Promise<boolean> {
  try {
    await clients.dynamodb.send(new DescribeTableCommand({ TableName }));
    return true;
  } catch (error) {
    if (error instanceof TableNotFound) return false;
    throw error;
  }
}

async function waitForTable(clients: Pick<AwsClients, 'dynamodb'>, TableName: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, attempt < 20 ? 50 : 1000));
  }
  throw new Error(`table ${TableName} did not become ACTIVE`);
}

async function ensureTtl(
  clients: Pick<AwsClients, 'dynamodb'>,
  TableName: string,
  AttributeName: string,
): Promise<ResourceChange> {
  const name = `${TableName}.${AttributeName}`;
  try {
    const { TimeToLiveDescription: ttl } = await clients.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName }),
    );
    if (
      (ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING') &&
      ttl.AttributeName === AttributeName
    ) {
      return { kind: 'ttl', name, status: 'unchanged' };
    }
    await clients.dynamodb.send(
      new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { AttributeName, Enabled: true } }),
    );
    return { kind: 'ttl', name, status: ttl?.AttributeName ? 'updated' : 'created' };
  } catch (error) {
    // dynalite has no TTL API at all; the local stack's TTL sweep does the deleting there.
    if ((error as Error).name === 'UnknownOperationException') {
      return {
        kind: 'ttl',
        name,
        status: 'skipped',
        note: 'endpoint has no TTL API (dynalite): the local stack TTL sweep deletes expired items',
      };
    }
    throw error;
  }
}

async function ensureQueue(
  clients: Pick<AwsClients, 'sqs'>,
  QueueName: string,
  wanted: Record<string, string>,
): Promise<{ url: string; arn: string; status: ResourceStatus }> {
  let url: string | undefined;
  try {
    url = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName }))).QueueUrl;
  } catch (error) {
    if (
      !(error instanceof QueueDoesNotExist) &&
      (error as Error).name !== 'AWS.SimpleQueueService.NonExistentQueue'
    )
      throw error;
  }
  let status: ResourceStatus = 'unchanged';
  if (!url) {
    url = (await clients.sqs.send(new CreateQueueCommand({ QueueName, Attributes: wanted })))
      .QueueUrl as string;
    status = 'created';
  }
  const { Attributes = {} } = (await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
  )) as {
    Attributes?: Record<string, string>;
  };
  if (status === 'unchanged') {
    // FifoQueue cannot change after creation; the others are brought to what is wanted.
    const { FifoQueue: _fifo, ...mutable } = wanted;
    const differ = Object.entries(mutable).filter(
      ([key, value]) => !sameAttribute(key, Attributes[key], value),
    );
    if (differ.length > 0) {
      await clients.sqs.send(
        new SetQueueAttributesCommand({ QueueUrl: url, Attributes: Object.fromEntries(differ) }),
      );
      status = 'updated';
    }
  }
  return { url, arn: Attributes.QueueArn as string, status };
}

function sameAttribute(key: string, current: string | undefined, wanted: string): boolean {
  if (current === undefined) return false;
  if (key === 'RedrivePolicy' || key === 'Policy') return sameJson(current, wanted);
  return current === wanted;
}

function sameJson(a: string, b: string): boolean {
  try {
    return JSON.stringify(canonical(JSON.parse(a))) === JSON.stringify(canonical(JSON.parse(b)));
  } catch {
    return false;
  }
}

/** Sorted keys, numbers-as-strings equal to numbers (SQS answers maxReceiveCount either way). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

async function ensureBus(clients: Pick<AwsClients, 'eventBridge'>, Name: string): Promise<ResourceChange> {
  try {
    await clients.eventBridge.send(new DescribeEventBusCommand({ Name }));
    return { kind: 'event-bus', name: Name, status: 'unchanged' };
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  await clients.eventBridge.send(new CreateEventBusCommand({ Name }));
  return { kind: 'event-bus', name: Name, status: 'created' };
}

async function ensureRule(
  clients: Pick<AwsClients, 'eventBridge'>,
  putRule: ReturnType<typeof eventBridgeRuleRequests>['putRule'],
): Promise<{ arn: string; status: ResourceStatus }> {
  let existing: { Arn?: string; EventPattern?: string; State?: string; Description?: string } | undefined;
  try {
    existing = await clients.eventBridge.send(
      new DescribeRuleCommand({ Name: putRule.Name, EventBusName: putRule.EventBusName }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  if (
    existing?.Arn &&
    sameJson(existing.EventPattern ?? '', putRule.EventPattern ?? '') &&
    existing.State === putRule.State &&
    (existing.Description ?? '') === (putRule.Description ?? '')
  ) {
    return { arn: existing.Arn, status: 'unchanged' };
  }
  const { RuleArn } = await clients.eventBridge.send(new PutRuleCommand(putRule));
  return { arn: RuleArn as string, status: existing ? 'updated' : 'created' };
}

async function ensureTarget(
  clients: Pick<AwsClients, 'eventBridge'>,
  Rule: string,
  EventBusName: string,
  wanted: Target,
): Promise<ResourceStatus> {
  const { Targets = [] } = await clients.eventBridge.send(
    new ListTargetsByRuleCommand({ Rule, EventBusName }),
  );
  const current = Targets.find((t) => t.Id === wanted.Id);
  if (current && sameTarget(current, wanted)) return 'unchanged';
  const { FailedEntryCount, FailedEntries } = await clients.eventBridge.send(
    new PutTargetsCommand({ Rule, EventBusName, Targets: [wanted] }),
  );
  if (FailedEntryCount)
    throw new Error(`PutTargets ${Rule}/${wanted.Id} failed: ${JSON.stringify(FailedEntries)}`);
  return current ? 'updated' : 'created';
}

/** Compares the members provisioning sets (an endpoint may answer others, e.g. defaults). */
function sameTarget(current: Target, wanted: Target): boolean {
  const pick = (t: Target) => ({
    Arn: t.Arn,
    MessageGroupId: t.SqsParameters?.MessageGroupId,
    DeadLetter: t.DeadLetterConfig?.Arn,
    Retries: t.RetryPolicy?.MaximumRetryAttempts,
    MaxAge: t.RetryPolicy?.MaximumEventAgeInSeconds,
    Input: t.Input,
    InputPath: t.InputPath,
  });
  return JSON.stringify(pick(current)) === JSON.stringify(pick(wanted));
}

async function ensureQueuePolicy(
  clients: Pick<AwsClients, 'sqs'>,
  QueueUrl: string,
  policy: Record<string, unknown>,
): Promise<ResourceStatus> {
  const { Attributes = {} } = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['Policy'] }),
  );
  const wanted = JSON.stringify(policy);
  if (Attributes.Policy && sameJson(Attributes.Policy, wanted)) return 'unchanged';
  await clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: wanted } }));
  return Attributes.Policy ? 'updated' : 'created';
}
