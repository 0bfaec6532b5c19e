import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from './ports';
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import {
  DescribeEventBusCommand,
  DescribeRuleCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  createAwsClients,
  DEFAULT_RESOURCE_NAMES,
  queueDefinitions,
  tableDefinitions,
  ttlAttributes,
  type AwsClients,
} from '@manga-assist/aws-clients';
import { routingRules, TARGET_RETRY_POLICY } from '@manga-assist/event-schemas';
import { provision, type ResourceChange } from './provision';

/**
 * provision() against a fresh AWS-compatible endpoint that is not ours: moto's server (pip
 * `moto[server]`), one endpoint for DynamoDB, SQS and EventBridge, with TTL and queue policies.
 * Without python3 + moto the suite is skipped locally with a warning and FAILS in CI.
 */
const motoAvailable =
  spawnSync('python3', ['-c', 'import moto.server, flask'], { stdio: 'ignore' }).status === 0;
const inCi = process.env.CI === 'true';
if (!motoAvailable && !inCi) {
  process.stderr.write(
    'provision.spec: python3 with moto[server] not found: skipped here (it fails in CI)\n',
  );
}
const describeWithMoto = motoAvailable || inCi ? describe : describe.skip;

async function startMoto(): Promise<{ url: string; process: ChildProcess }> {
  if (!motoAvailable)
    throw new Error('python3 with moto[server] is required for this test (pip install "moto[server]")');
  const port = await freePort();
  const child = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto server exited with code ${child.exitCode}`);
    const up = await fetch(`${url}/moto-api/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { url, process: child };
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error('moto server did not answer within 30 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

describeWithMoto('provision against moto (a fresh AWS-compatible endpoint), run twice', () => {
  const names = DEFAULT_RESOURCE_NAMES;
  let moto: Awaited<ReturnType<typeof startMoto>> | undefined;
  let clients: AwsClients;
  let first: ResourceChange[];
  let second: ResourceChange[];

  beforeAll(async () => {
    moto = await startMoto();
    clients = createAwsClients({
      region: 'us-east-1',
      endpoints: { dynamodb: moto.url, sqs: moto.url, eventbridge: moto.url },
      maxSockets: 16,
    });
    first = (await provision(clients, names)).changes;
    second = (await provision(clients, names)).changes;
  }, 60_000);
  afterAll(async () => {
    clients?.destroy();
    if (moto && moto.process.exitCode === null) {
      const exited = new Promise((resolve) => moto!.process.once('exit', resolve));
      moto.process.kill('SIGTERM');
      await exited;
    }
  });

  it('creates everything on the first run and changes nothing on the second', () => {
    const summary = (changes: ResourceChange[]) =>
      changes.reduce<Record<string, number>>(
        (acc, c) => ({ ...acc, [c.status]: (acc[c.status] ?? 0) + 1 }),
        {},
      );
    process.stdout.write(
      `first run: ${JSON.stringify(summary(first))}\nsecond run: ${JSON.stringify(summary(second))}\n`,
    );
    expect(first.every((c) => c.status === 'created')).toBe(true);
    expect(second.map((c) => [c.kind, c.name, c.status])).toEqual(
      first.map((c) => [c.kind, c.name, 'unchanged']),
    );
    const kinds = first.map((c) => c.kind);
    // 5 tables, 3 TTLs, 5 queues (2 + their DLQs + the events DLQ), the bus, 4 rules, 4 targets, and
    // 3 queue policies (enrichment, moderation, events DLQ).
    expect(kinds.filter((k) => k === 'table')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'ttl')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'queue')).toHaveLength(5);
    expect(kinds.filter((k) => k === 'event-bus')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'rule')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'target')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'queue-policy')).toHaveLength(3);
  });

  it('tables have their keys and TTL on the ttl attribute', async () => {
    for (const definition of tableDefinitions(names)) {
      const { Table } = await clients.dynamodb.send(
        new DescribeTableCommand({ TableName: definition.TableName }),
      );
      expect(Table?.KeySchema).toEqual(definition.KeySchema);
      expect(Table?.BillingModeSummary?.BillingMode ?? 'PAY_PER_REQUEST').toBe('PAY_PER_REQUEST');
    }
    for (const [table, attribute] of Object.entries(ttlAttributes(names))) {
      const { TimeToLiveDescription } = await clients.dynamodb.send(
        new DescribeTimeToLiveCommand({ TableName: table }),
      );
      expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: attribute });
    }
  });

  const attributesOf = async (name: string) => {
    const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    return (
      (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] })))
        .Attributes ?? {}
    );
  };

  it('queues redrive to their DLQs; FIFO where defined; the events DLQ is standard', async () => {
    for (const queue of queueDefinitions(names)) {
      const main = await attributesOf(queue.name);
      const dlq = await attributesOf(queue.dlq);
      expect(JSON.parse(main.RedrivePolicy!)).toEqual({
        deadLetterTargetArn: dlq.QueueArn,
        maxReceiveCount: queue.maxReceiveCount,
      });
      expect(main.VisibilityTimeout).toBe(String(queue.visibilityTimeoutSeconds));
      expect(main.FifoQueue === 'true').toBe(queue.fifo);
      expect(dlq.FifoQueue === 'true').toBe(queue.fifo);
      expect(dlq.MessageRetentionPeriod).toBe('1209600');
    }
    const events = await attributesOf(names.queues.eventsDlq);
    expect(events.FifoQueue).toBeUndefined();
  });

  it('the bus and every routing rule exist with identical patterns and their SQS target', async () => {
    const bus = names.eventBusName;
    expect((await clients.eventBridge.send(new DescribeEventBusCommand({ Name: bus }))).Name).toBe(bus);
    const eventsDlqArn = (await attributesOf(names.queues.eventsDlq)).QueueArn;
    for (const rule of routingRules(names)) {
      const described = await clients.eventBridge.send(
        new DescribeRuleCommand({ Name: rule.name, EventBusName: bus }),
      );
      expect(JSON.parse(described.EventPattern!)).toEqual(rule.pattern);
      expect(described.State).toBe('ENABLED');
      const { Targets = [] } = await clients.eventBridge.send(
        new ListTargetsByRuleCommand({ Rule: rule.name, EventBusName: bus }),
      );
      expect(Targets).toHaveLength(1);
      expect(Targets[0]).toMatchObject({
        Arn: (await attributesOf(rule.target.queueName)).QueueArn,
        RetryPolicy: TARGET_RETRY_POLICY,
        DeadLetterConfig: { Arn: eventsDlqArn },
      });
      if (rule.target.queueName.endsWith('.fifo')) {
        expect(Targets[0].SqsParameters).toEqual({ MessageGroupId: rule.target.messageGroupId });
      }
    }
  });

  it('target queues and the events DLQ let events.amazonaws.com send, only for the rules that use them', async () => {
    const bus = names.eventBusName;
    const ruleArn = async (name: string) =>
      (await clients.eventBridge.send(new DescribeRuleCommand({ Name: name, EventBusName: bus }))).Arn!;
    const rules = routingRules(names);
    const expected = new Map<string, string[]>();
    for (const rule of rules) {
      const arn = await ruleArn(rule.name);
      expected.set(rule.target.queueName, [...(expected.get(rule.target.queueName) ?? []), arn]);
      expected.set(names.queues.eventsDlq, [...(expected.get(names.queues.eventsDlq) ?? []), arn]);
    }
    for (const [queue, arns] of expected) {
      const attributes = await attributesOf(queue);
      const policy = JSON.parse(attributes.Policy!);
      expect(policy.Statement).toEqual([
        {
          Sid: 'AllowEventBridgeRules',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: attributes.QueueArn,
          Condition: { ArnEquals: { 'aws:SourceArn': [...arns].sort() } },
        },
      ]);
    }
  });

  // Last: it changes the endpoint's state.
  it('puts back what drifted (queue attribute, rule pattern, removed target) and reports it updated/created', async () => {
    const bus = names.eventBusName;
    const { QueueUrl } = await clients.sqs.send(
      new GetQueueUrlCommand({ QueueName: names.queues.moderation }),
    );
    await clients.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '5' } }),
    );
    await clients.eventBridge.send(
      new PutRuleCommand({
        Name: 'reviews-to-moderation',
        EventBusName: bus,
        EventPattern: '{"source":["someone-else"]}',
      }),
    );
    await clients.eventBridge.send(
      new RemoveTargetsCommand({
        Rule: 'payments-to-moderation',
        EventBusName: bus,
        Ids: ['manga-moderation-queue'],
      }),
    );
    const third = (await provision(clients, names)).changes.filter((c) => c.status !== 'unchanged');
    // moto's SetQueueAttributes also drops the queue's Policy: provisioning puts that back too.
    expect(third.filter((c) => c.kind !== 'queue-policy').map((c) => [c.kind, c.name, c.status])).toEqual([
      ['queue', names.queues.moderation, 'updated'],
      ['rule', 'reviews-to-moderation', 'updated'],
      ['target', 'payments-to-moderation/manga-moderation-queue', 'created'],
    ]);
    expect(third.filter((c) => c.kind === 'queue-policy').map((c) => c.name)).toEqual(
      third.some((c) => c.kind === 'queue-policy') ? [names.queues.moderation] : [],
    );
    const moderation = await attributesOf(names.queues.moderation);
    expect(moderation.VisibilityTimeout).toBe('60');
    expect(JSON.parse(moderation.Policy!).Statement[0].Principal).toEqual({
      Service: 'events.amazonaws.com',
    });
    const rule = await clients.eventBridge.send(
      new DescribeRuleCommand({ Name: 'reviews-to-moderation', EventBusName: bus }),
    );
    expect(JSON.parse(rule.EventPattern!)).toEqual(
      routingRules(names).find((r) => r.name === 'reviews-to-moderation')!.pattern,
    );
  });
});
