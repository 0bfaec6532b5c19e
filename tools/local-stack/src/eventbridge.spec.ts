import { DeleteMessageCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import {
  DescribeEventBusCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import {
  createEventPublisher,
  routingRules,
  TARGET_RETRY_POLICY,
  withChainMetadata,
  type PublishEvent,
} from '@manga-assist/event-schemas';
import { startLocalStack, type LocalStack } from './stack';

/** Acceptance: PutEvents through the real EventBridge client lands in exactly the queues whose rules match. */
describe('local stack EventBridge router', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ redis: false });
  });
  afterAll(() => stack.stop());
  afterEach(async () => {
    await drain(stack.names.queues.moderation);
    await drain(stack.names.queues.enrichment);
  });

  async function drain(queueName: string): Promise<Message[]> {
    const url = stack.queueUrls[queueName];
    const all: Message[] = [];
    for (;;) {
      const { Messages = [] } = await stack.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['MessageGroupId'],
        }),
      );
      if (Messages.length === 0) return all;
      for (const m of Messages) {
        all.push(m);
        await stack.clients.sqs.send(
          new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }),
        );
      }
    }
  }
  const ids = (messages: Message[]) => messages.map((m) => JSON.parse(m.Body!).id as string).sort();

  it('exposes the router endpoint to services', () => {
    expect(stack.env.EVENTBRIDGE_ENDPOINT).toBe(stack.router!.url);
  });

  it('got its bus, rules and targets through the EventBridge API (the provisioning path AWS gets)', async () => {
    const eb = stack.clients.eventBridge;
    const bus = stack.names.eventBusName;
    expect((await eb.send(new DescribeEventBusCommand({ Name: bus }))).Name).toBe(bus);
    const { Rules = [] } = await eb.send(new ListRulesCommand({ EventBusName: bus }));
    const wanted = routingRules(stack.names);
    expect(Rules.map((r) => r.Name).sort()).toEqual(wanted.map((r) => r.name).sort());
    for (const rule of wanted) {
      expect(JSON.parse(Rules.find((r) => r.Name === rule.name)!.EventPattern!)).toEqual(rule.pattern);
      const { Targets = [] } = await eb.send(
        new ListTargetsByRuleCommand({ Rule: rule.name, EventBusName: bus }),
      );
      expect(Targets).toEqual([
        expect.objectContaining({
          Arn: expect.stringMatching(new RegExp(`:${rule.target.queueName.replace('.', '\\.')}$`)),
          RetryPolicy: TARGET_RETRY_POLICY,
          DeadLetterConfig: { Arn: expect.stringMatching(new RegExp(`:${stack.names.queues.eventsDlq}$`)) },
          ...(rule.target.messageGroupId
            ? { SqsParameters: { MessageGroupId: rule.target.messageGroupId } }
            : {}),
        }),
      ]);
    }
    expect(stack.provisioned.filter((c) => c.kind === 'rule').map((c) => c.status)).toEqual(
      wanted.map(() => 'created'),
    );
    // TestEventPattern on a stored rule's pattern answers as matching would route.
    const pattern = Rules.find((r) => r.Name === 'reviews-to-moderation')!.EventPattern!;
    const event = (stage: string) =>
      JSON.stringify({
        version: '0',
        id: '1',
        'detail-type': 'ReviewSubmitted',
        source: 'mangaassist.webhooks',
        account: '000000000000',
        time: '2026-11-01T00:00:00Z',
        region: 'us-east-1',
        resources: [],
        detail: { processing_stage: stage, _chain_depth: 0 },
      });
    expect(
      (await eb.send(new TestEventPatternCommand({ EventPattern: pattern, Event: event('raw') }))).Result,
    ).toBe(true);
    expect(
      (await eb.send(new TestEventPatternCommand({ EventPattern: pattern, Event: event('processed') })))
        .Result,
    ).toBe(false);
  });

  it('routes each event to exactly the queues whose rules match', async () => {
    const publisher = createEventPublisher({
      client: stack.clients.eventBridge,
      eventBusName: stack.names.eventBusName,
    });
    const flag = (severity: 'low' | 'medium' | 'high' | 'critical', review: string): PublishEvent => ({
      detailType: 'ModerationFlagged',
      detail: withChainMetadata(
        {
          review_id: review,
          content_hash: 'a'.repeat(64),
          content_preview: 'ひどいレビュー',
          severity,
          flagged_categories: ['harassment'],
          model_id: 'anthropic.claude-3-haiku-20240307-v1:0',
        },
        { parentDepth: 0, sourceEventId: `evt-${review}` },
      ),
    });
    const events: PublishEvent[] = [
      flag('low', 'r-low'), // 0 -> nowhere
      flag('high', 'r-high'), // 1 -> moderation
      flag('critical', 'r-crit'), // 2 -> moderation
      {
        detailType: 'ReviewSubmitted',
        detail: { review_id: 'r-1', product_id: 'p-1', review_text: '最高の漫画 🎉', rating: 5 },
      }, // 3 -> moderation
      { detailType: 'PaymentCompleted', detail: { order_id: 'o-1', amount_minor: 1500, currency: 'JPY' } }, // 4 -> moderation
      {
        detailType: 'CatalogUpdate.new_release',
        detail: { product_id: 'manga-77', title: '新刊', update_type: 'new_release' },
      }, // 5 -> enrichment
      {
        detailType: 'InferenceCompleted',
        detail: {
          session_id: 's-1',
          model_id: 'anthropic.claude-3-haiku-20240307-v1:0',
          status: 'success',
          metrics: { input_tokens: 100, output_tokens: 50, latency_ms: 900, estimated_cost_usd: 0.0000875 },
        },
      }, // 6 -> nowhere (archived)
      {
        detailType: 'MessageReceived',
        detail: { session_id: 's-1', user_id: 'u-1', message: 'こんにちは', language: 'ja', channel: 'web' },
      }, // 7 -> nowhere
      flag('medium', 'r-med'), // 8 -> nowhere
    ];
    const { eventIds } = await publisher.publish(events);

    const moderation = await drain(stack.names.queues.moderation);
    const enrichment = await drain(stack.names.queues.enrichment);
    expect(ids(moderation)).toEqual([eventIds[1], eventIds[2], eventIds[3], eventIds[4]].sort());
    expect(ids(enrichment)).toEqual([eventIds[5]]);
    // The rule target's constant SqsParameters.MessageGroupId, as on AWS (not taken from the event).
    expect(enrichment[0].Attributes?.MessageGroupId).toBe('catalog-updates');
    // Emoji survive the trip (escaped in the body for fauxqs, identical after JSON.parse).
    const review = moderation.map((m) => JSON.parse(m.Body!)).find((e) => e.id === eventIds[3]);
    expect(review.detail.review_text).toBe('最高の漫画 🎉');
    // Everything accepted is archived, including the events no queue wanted.
    const archived = stack.router!.archived().map((e) => e.id);
    for (const id of eventIds) expect(archived).toContain(id);
  });

  it('does not route a consumer re-publishing a review or payment as processed / from the ai source (loop guard)', async () => {
    const detail = (stage: string, depth = 1) =>
      JSON.stringify({
        review_id: 'r-2',
        product_id: 'p',
        review_text: 'x',
        rating: 3,
        processing_stage: stage,
        _chain_depth: depth,
      });
    const bus = stack.names.eventBusName;
    const { FailedEntryCount } = await stack.clients.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'mangaassist.webhooks',
            DetailType: 'ReviewSubmitted',
            Detail: detail('processed'),
            EventBusName: bus,
          },
          {
            Source: 'mangaassist.ai',
            DetailType: 'ReviewSubmitted',
            Detail: detail('raw'),
            EventBusName: bus,
          },
          {
            Source: 'mangaassist.webhooks',
            DetailType: 'ReviewSubmitted',
            Detail: detail('raw', 3),
            EventBusName: bus,
          },
          {
            Source: 'mangaassist.ai',
            DetailType: 'ModerationFlagged',
            Detail: JSON.stringify({ severity: 'critical', processing_stage: 'processed', _chain_depth: 3 }),
            EventBusName: bus,
          },
        ],
      }),
    );
    expect(FailedEntryCount).toBe(0);
    expect(await drain(stack.names.queues.moderation)).toEqual([]);
    expect(await drain(stack.names.queues.enrichment)).toEqual([]);
  });

  it('can be left out', async () => {
    const bare = await startLocalStack({ eventbridge: false, redis: false });
    try {
      expect(bare.router).toBeUndefined();
      expect(bare.env.EVENTBRIDGE_ENDPOINT).toBeUndefined();
    } finally {
      await bare.stop();
    }
  });
});
