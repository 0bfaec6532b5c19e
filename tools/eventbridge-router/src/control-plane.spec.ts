import {
  CreateEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { DEFAULT_RESOURCE_NAMES } from '@manga-assist/aws-clients';
import { DETAIL_TYPES, EVENT_SOURCES, routingRules } from '@manga-assist/event-schemas';
import { startEventBridgeRouter, type EventBridgeRouter } from './router';
import { queueArn } from './test-support/rules';
import { drainQueue, startTestSqs } from './test-support/sqs';

const names = DEFAULT_RESOURCE_NAMES;

/** The control plane through the real @aws-sdk/client-eventbridge (AWS JSON 1.1, as the SDK sends it). */
describe('EventBridge control plane of the local router', () => {
  let sqs: Awaited<ReturnType<typeof startTestSqs>>;
  let router: EventBridgeRouter;
  let eb: EventBridgeClient;
  const QUEUE = 'cp-queue';
  const FIFO = 'cp-queue.fifo';
  const DLQ = 'cp-dlq';

  beforeAll(async () => {
    sqs = await startTestSqs([QUEUE, FIFO, DLQ, 'cp-dlq.fifo']);
    router = await startEventBridgeRouter({ sqs: sqs.sqs, queueUrls: sqs.queueUrls });
    eb = new EventBridgeClient({
      region: 'us-east-1',
      endpoint: router.url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    eb.destroy();
    await router.stop();
    await sqs.stop();
  });

  const error = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (e: Error & { $metadata: { httpStatusCode?: number } }) => ({
        name: e.name,
        message: e.message,
        status: e.$metadata.httpStatusCode,
      }),
    );

  it('creates and describes a bus; a second CreateEventBus is ResourceAlreadyExistsException', async () => {
    const { EventBusArn } = await eb.send(
      new CreateEventBusCommand({ Name: 'cp-bus', Description: 'test bus' }),
    );
    expect(EventBusArn).toBe('arn:aws:events:us-east-1:000000000000:event-bus/cp-bus');
    const described = await eb.send(new DescribeEventBusCommand({ Name: 'cp-bus' }));
    expect(described).toMatchObject({ Name: 'cp-bus', Arn: EventBusArn, Description: 'test bus' });
    expect(described.CreationTime).toBeInstanceOf(Date);
    expect((await eb.send(new DescribeEventBusCommand({ Name: EventBusArn }))).Name).toBe('cp-bus');
    expect((await eb.send(new DescribeEventBusCommand({}))).Name).toBe('default');
    expect(await error(eb.send(new CreateEventBusCommand({ Name: 'cp-bus' })))).toEqual({
      name: 'ResourceAlreadyExistsException',
      message: 'Event bus cp-bus already exists.',
      status: 400,
    });
    expect(await error(eb.send(new DescribeEventBusCommand({ Name: 'nope' })))).toEqual({
      name: 'ResourceNotFoundException',
      message: 'Event bus nope does not exist.',
      status: 400,
    });
  });

  it('puts, describes, lists (with prefix and pages) and deletes rules', async () => {
    const pattern = JSON.stringify({ source: ['a'] });
    const { RuleArn } = await eb.send(
      new PutRuleCommand({ Name: 'r-1', EventBusName: 'cp-bus', EventPattern: pattern, Description: 'd' }),
    );
    expect(RuleArn).toBe('arn:aws:events:us-east-1:000000000000:rule/cp-bus/r-1');
    for (const n of ['r-2', 'r-3', 'other']) {
      await eb.send(
        new PutRuleCommand({
          Name: n,
          EventBusName: 'cp-bus',
          EventPattern: pattern,
          State: n === 'r-3' ? 'DISABLED' : 'ENABLED',
        }),
      );
    }
    expect(await eb.send(new DescribeRuleCommand({ Name: 'r-1', EventBusName: 'cp-bus' }))).toMatchObject({
      Name: 'r-1',
      Arn: RuleArn,
      EventPattern: pattern,
      State: 'ENABLED',
      Description: 'd',
      EventBusName: 'cp-bus',
    });
    const first = await eb.send(new ListRulesCommand({ EventBusName: 'cp-bus', NamePrefix: 'r-', Limit: 2 }));
    expect(first.Rules?.map((r) => r.Name)).toEqual(['r-1', 'r-2']);
    const second = await eb.send(
      new ListRulesCommand({
        EventBusName: 'cp-bus',
        NamePrefix: 'r-',
        Limit: 2,
        NextToken: first.NextToken,
      }),
    );
    expect(second.Rules?.map((r) => [r.Name, r.State])).toEqual([['r-3', 'DISABLED']]);
    expect(second.NextToken).toBeUndefined();
    expect(await error(eb.send(new DescribeRuleCommand({ Name: 'r-1' })))).toEqual({
      name: 'ResourceNotFoundException',
      message: 'Rule r-1 does not exist on EventBus default.',
      status: 400,
    });
    await eb.send(new DeleteRuleCommand({ Name: 'other', EventBusName: 'cp-bus' }));
    await eb.send(new DeleteRuleCommand({ Name: 'other', EventBusName: 'cp-bus' })); // gone already: still success
    expect(
      (await eb.send(new ListRulesCommand({ EventBusName: 'cp-bus' }))).Rules?.map((r) => r.Name),
    ).toEqual(['r-1', 'r-2', 'r-3']);
  });

  it('refuses invalid patterns with InvalidEventPatternException and bad names with ValidationException', async () => {
    const invalid = await error(
      eb.send(
        new PutRuleCommand({
          Name: 'bad',
          EventBusName: 'cp-bus',
          EventPattern: JSON.stringify({ source: [{ nope: 1 }] }),
        }),
      ),
    );
    expect(invalid).toMatchObject({
      name: 'InvalidEventPatternException',
      message: expect.stringMatching(/^Event pattern is not valid\. Reason: /),
    });
    expect(
      await error(
        eb.send(new PutRuleCommand({ Name: 'bad', EventBusName: 'cp-bus', EventPattern: '{not json' })),
      ),
    ).toMatchObject({
      name: 'InvalidEventPatternException',
    });
    expect(
      await error(eb.send(new PutRuleCommand({ Name: 'bad name!', EventPattern: '{"source":["a"]}' }))),
    ).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'name' failed to satisfy constraint"),
    });
    expect(await error(eb.send(new PutRuleCommand({ Name: 'no-pattern', EventBusName: 'cp-bus' })))).toEqual({
      name: 'ValidationException',
      message: 'Parameter(s) EventPattern or ScheduleExpression must be specified.',
      status: 400,
    });
    expect(
      await error(
        eb.send(
          new PutRuleCommand({ Name: 'x', EventBusName: 'missing-bus', EventPattern: '{"source":["a"]}' }),
        ),
      ),
    ).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Event bus missing-bus does not exist.',
    });
  });

  it('puts, lists and removes SQS targets with SqsParameters, DeadLetterConfig, RetryPolicy and InputPath', async () => {
    const targets = [
      {
        Id: 'fifo',
        Arn: queueArn(FIFO),
        SqsParameters: { MessageGroupId: 'group-a' },
        DeadLetterConfig: { Arn: queueArn(DLQ) },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      },
      { Id: 'detail-only', Arn: queueArn(QUEUE), InputPath: '$.detail' },
    ];
    expect(
      await eb.send(new PutTargetsCommand({ Rule: 'r-1', EventBusName: 'cp-bus', Targets: targets })),
    ).toMatchObject({
      FailedEntryCount: 0,
      FailedEntries: [],
    });
    expect(
      (await eb.send(new ListTargetsByRuleCommand({ Rule: 'r-1', EventBusName: 'cp-bus' }))).Targets,
    ).toEqual(targets);

    const { Entries } = await eb.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: 'cp-bus', Source: 'a', DetailType: 't', Detail: '{"k":"𠮷野家 🍜"}' }],
      }),
    );
    const [fifo] = await drainQueue(sqs.sqs, sqs.queueUrls[FIFO]);
    expect(JSON.parse(fifo.Body!).id).toBe(Entries![0].EventId);
    expect(fifo.Attributes).toMatchObject({
      MessageGroupId: 'group-a',
      MessageDeduplicationId: Entries![0].EventId,
    });
    const [detail] = await drainQueue(sqs.sqs, sqs.queueUrls[QUEUE]);
    expect(JSON.parse(detail.Body!)).toEqual({ k: '𠮷野家 🍜' });

    // A rule with targets cannot be deleted; RemoveTargets first, as on AWS.
    expect(await error(eb.send(new DeleteRuleCommand({ Name: 'r-1', EventBusName: 'cp-bus' })))).toEqual({
      name: 'ValidationException',
      message: "Rule can't be deleted since it has targets.",
      status: 400,
    });
    await eb.send(
      new RemoveTargetsCommand({ Rule: 'r-1', EventBusName: 'cp-bus', Ids: ['fifo', 'detail-only'] }),
    );
    expect(
      (await eb.send(new ListTargetsByRuleCommand({ Rule: 'r-1', EventBusName: 'cp-bus' }))).Targets,
    ).toEqual([]);
    await eb.send(new DeleteRuleCommand({ Name: 'r-1', EventBusName: 'cp-bus' }));
  });

  it('refuses targets as EventBridge does', async () => {
    const put = (target: Record<string, unknown>, rule = 'r-2') =>
      error(
        eb.send(
          new PutTargetsCommand({
            Rule: rule,
            EventBusName: 'cp-bus',
            Targets: [{ Id: 't', Arn: queueArn(QUEUE), ...target }],
          }),
        ),
      );
    expect(await put({}, 'nope')).toEqual({
      name: 'ResourceNotFoundException',
      message: 'Rule nope does not exist on EventBus cp-bus.',
      status: 400,
    });
    expect(await put({ Arn: queueArn(FIFO) })).toEqual({
      name: 'ValidationException',
      message: 'Parameter(s) SqsParameters must be specified for target: t.',
      status: 400,
    });
    expect(await put({ DeadLetterConfig: { Arn: queueArn('cp-dlq.fifo') } })).toMatchObject({
      name: 'ValidationException',
      message: 'SQS FIFO is not supported by Dead Letter Queues.',
    });
    expect(await put({ Arn: 'not-an-arn' })).toMatchObject({
      name: 'ValidationException',
      message: 'Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.',
    });
    expect(await put({ RetryPolicy: { MaximumRetryAttempts: 186 } })).toMatchObject({
      name: 'ValidationException',
    });
    expect(await put({ RetryPolicy: { MaximumEventAgeInSeconds: 59 } })).toMatchObject({
      name: 'ValidationException',
    });
    expect(await put({ Arn: 'arn:aws:lambda:us-east-1:000000000000:function:f' })).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('SQS queues only'),
    });
    const six = Array.from({ length: 6 }, (_, i) => ({ Id: `t${i}`, Arn: queueArn(QUEUE) }));
    expect(
      await error(eb.send(new PutTargetsCommand({ Rule: 'r-2', EventBusName: 'cp-bus', Targets: six }))),
    ).toMatchObject({
      name: 'LimitExceededException',
    });
  });

  it('does not deliver through a DISABLED rule', async () => {
    await eb.send(
      new PutTargetsCommand({
        Rule: 'r-3',
        EventBusName: 'cp-bus',
        Targets: [{ Id: 'q', Arn: queueArn(QUEUE) }],
      }),
    );
    await eb.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: 'cp-bus', Source: 'a', DetailType: 't', Detail: '{}' }],
      }),
    );
    // r-2 has no targets, r-3 is disabled: nothing arrives.
    expect(await drainQueue(sqs.sqs, sqs.queueUrls[QUEUE])).toEqual([]);
  });

  describe('TestEventPattern', () => {
    const event = (source: string, detailType: string, detail: Record<string, unknown>) =>
      JSON.stringify({
        version: '0',
        id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
        'detail-type': detailType,
        source,
        account: '111122223333',
        time: '2026-11-01T00:00:00Z',
        region: 'us-east-1',
        resources: [],
        detail,
      });
    const test = async (pattern: unknown, e: string) =>
      (await eb.send(new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: e })))
        .Result;
    const rule = (name: string) => routingRules(names).find((r) => r.name === name)!.pattern;

    it.each<[string, string, string, string, Record<string, unknown>, boolean]>([
      [
        'catalog update',
        'catalog-updates-to-enrichment',
        EVENT_SOURCES.catalog,
        'CatalogUpdate.new_release',
        { processing_stage: 'raw', _chain_depth: 0 },
        true,
      ],
      [
        'catalog update at max depth',
        'catalog-updates-to-enrichment',
        EVENT_SOURCES.catalog,
        'CatalogUpdate.new_release',
        { processing_stage: 'raw', _chain_depth: 3 },
        false,
      ],
      [
        'catalog update from ai',
        'catalog-updates-to-enrichment',
        EVENT_SOURCES.ai,
        'CatalogUpdate.new_release',
        { processing_stage: 'raw', _chain_depth: 0 },
        false,
      ],
      [
        'raw review',
        'reviews-to-moderation',
        EVENT_SOURCES.webhooks,
        DETAIL_TYPES.ReviewSubmitted,
        { processing_stage: 'raw', _chain_depth: 0 },
        true,
      ],
      [
        'processed review',
        'reviews-to-moderation',
        EVENT_SOURCES.webhooks,
        DETAIL_TYPES.ReviewSubmitted,
        { processing_stage: 'processed', _chain_depth: 1 },
        false,
      ],
      [
        'review without a stage',
        'reviews-to-moderation',
        EVENT_SOURCES.webhooks,
        DETAIL_TYPES.ReviewSubmitted,
        { _chain_depth: 0 },
        false,
      ],
      [
        'raw payment',
        'payments-to-moderation',
        EVENT_SOURCES.webhooks,
        DETAIL_TYPES.PaymentCompleted,
        { processing_stage: 'raw', _chain_depth: 0 },
        true,
      ],
      [
        'critical flag',
        'severe-flags-to-moderation',
        EVENT_SOURCES.ai,
        DETAIL_TYPES.ModerationFlagged,
        { severity: 'critical', _chain_depth: 2 },
        true,
      ],
      [
        'medium flag',
        'severe-flags-to-moderation',
        EVENT_SOURCES.ai,
        DETAIL_TYPES.ModerationFlagged,
        { severity: 'medium', _chain_depth: 1 },
        false,
      ],
      [
        'depth as a string',
        'severe-flags-to-moderation',
        EVENT_SOURCES.ai,
        DETAIL_TYPES.ModerationFlagged,
        { severity: 'high', _chain_depth: '1' },
        false,
      ],
    ])('%s against %s -> %s', async (_case, ruleName, source, detailType, detail, expected) => {
      expect(await test(rule(ruleName), event(source, detailType, detail))).toBe(expected);
    });

    it('refuses an invalid pattern and an event without the required envelope fields', async () => {
      expect(
        await error(
          eb.send(
            new TestEventPatternCommand({
              EventPattern: '{"source":[{"numeric":[">"]}]}',
              Event: event('a', 'b', {}),
            }),
          ),
        ),
      ).toMatchObject({
        name: 'InvalidEventPatternException',
        message: expect.stringMatching(/^Event pattern is not valid\. Reason: /),
      });
      expect(
        await error(
          eb.send(new TestEventPatternCommand({ EventPattern: '{"source":["a"]}', Event: '{"source":"a"}' })),
        ),
      ).toMatchObject({
        name: 'ValidationException',
        message: expect.stringMatching(/^Parameter Event is not valid\./),
      });
    });
  });
});
