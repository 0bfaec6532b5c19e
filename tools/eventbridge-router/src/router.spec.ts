import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, ListArchivesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DEFAULT_RESOURCE_NAMES } from '@manga-assist/aws-clients';
import {
  createEventPublisher,
  EventTooLargeError,
  PublishError,
  routingRules,
  type PublishEvent,
} from '@manga-assist/event-schemas';
import { startEventBridgeRouter, type EventBridgeRouter } from './router';
import { putRoutingRules } from './test-support/rules';
import { drainQueue, startTestSqs } from './test-support/sqs';

const names = DEFAULT_RESOURCE_NAMES;
const BUS = names.eventBusName;
const ENRICHMENT = names.queues.enrichment;
const MODERATION = names.queues.moderation;
const EVENTS_DLQ = names.queues.eventsDlq;

const catalogEvent = (i: number): PublishEvent => ({
  detailType: 'CatalogUpdate.new_release',
  detail: { product_id: `manga-${i}`, title: `Volume ${i}`, update_type: 'new_release', data: { volume: i } },
});

describe('EventBridge local router', () => {
  let sqs: Awaited<ReturnType<typeof startTestSqs>>;
  let router: EventBridgeRouter;
  let eventBridge: EventBridgeClient;
  let archiveDir: string;

  beforeAll(async () => {
    sqs = await startTestSqs([ENRICHMENT, MODERATION, EVENTS_DLQ, 'orphan-target']);
    archiveDir = mkdtempSync(join(tmpdir(), 'eb-archive-'));
    router = await startEventBridgeRouter({
      sqs: sqs.sqs,
      queueUrls: sqs.queueUrls,
      archivePath: join(archiveDir, 'archive.jsonl'),
    });
    eventBridge = new EventBridgeClient({
      region: 'us-east-1',
      endpoint: router.url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    await putRoutingRules(eventBridge, routingRules(names), { deadLetterQueue: EVENTS_DLQ });
  });
  afterEach(async () => {
    await drainQueue(sqs.sqs, sqs.queueUrls[ENRICHMENT]);
    await drainQueue(sqs.sqs, sqs.queueUrls[MODERATION]);
  });
  const cleanup: (() => void)[] = [];
  afterAll(async () => {
    cleanup.forEach((f) => f());
    eventBridge.destroy();
    await router.stop();
    await sqs.stop();
    rmSync(archiveDir, { recursive: true, force: true });
  });

  const raw = (target: string, body: unknown) =>
    fetch(router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
      body: JSON.stringify(body),
    });

  it('answers operations it does not serve with an AWS-style error the SDK understands', async () => {
    await expect(eventBridge.send(new ListArchivesCommand({}))).rejects.toMatchObject({
      name: 'UnknownOperationException',
    });
    const response = await raw('AWSEvents.ListArchives', {});
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('refuses a request with more than 10 entries as a ValidationException', async () => {
    const entries = Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' }));
    await expect(eventBridge.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('answers bad entries with per-entry error codes and accepts the good ones', async () => {
    const response = await raw('AWSEvents.PutEvents', {
      Entries: [
        { DetailType: 'X', Detail: '{}', EventBusName: BUS },
        { Source: 'a', DetailType: 'X', EventBusName: BUS },
        { Source: 'a', DetailType: 'X', Detail: '{not json', EventBusName: BUS },
        { Source: 'a', DetailType: 'X', Detail: '[1,2]', EventBusName: BUS },
        {
          Source: 'a',
          DetailType: 'X',
          Detail: JSON.stringify({ big: 'x'.repeat(256 * 1024) }),
          EventBusName: BUS,
        },
        { Source: 'a', DetailType: 'X', Detail: '{"ok":true}', EventBusName: BUS },
      ],
    });
    const body = (await response.json()) as { FailedEntryCount: number; Entries: Record<string, string>[] };
    expect(body.FailedEntryCount).toBe(5);
    expect(body.Entries.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'InvalidArgument',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
      'ok',
    ]);
    expect(body.Entries[4].ErrorMessage).toMatch(/over the limit/);
    expect(body.Entries[5].EventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("fills the envelope and delivers a CatalogUpdate to the FIFO queue with the target's constant group id", async () => {
    const { Entries } = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'mangaassist.catalog',
            DetailType: 'CatalogUpdate.price_change',
            Detail: JSON.stringify({
              product_id: 'manga-42',
              title: 'T',
              update_type: 'price_change',
              processing_stage: 'raw',
              _chain_depth: 0,
            }),
            EventBusName: BUS,
            Resources: ['arn:aws:catalog:manga-42'],
            Time: new Date('2026-11-01T00:00:00Z'),
          },
        ],
      }),
    );
    const [message] = await drainQueue(sqs.sqs, sqs.queueUrls[ENRICHMENT]);
    const envelope = JSON.parse(message.Body!);
    expect(envelope).toEqual({
      version: '0',
      id: Entries![0].EventId,
      'detail-type': 'CatalogUpdate.price_change',
      source: 'mangaassist.catalog',
      account: '000000000000',
      time: '2026-11-01T00:00:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:catalog:manga-42'],
      detail: expect.objectContaining({ product_id: 'manga-42' }),
    });
    // SqsParameters.MessageGroupId is a constant on AWS: every event of the rule is one group.
    expect(message.Attributes).toMatchObject({
      MessageGroupId: 'catalog-updates',
      MessageDeduplicationId: Entries![0].EventId,
    });
    expect(await drainQueue(sqs.sqs, sqs.queueUrls[MODERATION])).toEqual([]);
  });

  /** A router whose moderation queue URL points nowhere, with the routing rules put through the API. */
  async function brokenRouter(withDeadLetter: boolean) {
    const broken = await startEventBridgeRouter({
      sqs: sqs.sqs,
      queueUrls: {
        ...sqs.queueUrls,
        [MODERATION]: sqs.queueUrls[MODERATION].replace(MODERATION, 'no-such-queue'),
      },
      deliveryAttempts: 2,
    });
    const client = new EventBridgeClient({
      region: 'us-east-1',
      endpoint: broken.url,
      credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
    });
    cleanup.push(() => client.destroy());
    await putRoutingRules(client, routingRules(names), { deadLetterQueue: EVENTS_DLQ, withDeadLetter });
    return { broken, client };
  }
  const review: PublishEvent = {
    detailType: 'ReviewSubmitted',
    detail: { review_id: 'r-1', product_id: 'p-1', review_text: 'よかった', rating: 5 },
  };

  it('answers InternalFailure (not silently lost) when delivery to a target without a DLQ keeps failing, and does not archive the event', async () => {
    const { broken, client } = await brokenRouter(false);
    try {
      const publisher = createEventPublisher({ client, eventBusName: BUS, maxAttempts: 2, baseDelayMs: 1 });
      const error = await publisher.publish([review]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PublishError);
      expect((error as PublishError).failed).toEqual([
        expect.objectContaining({ index: 0, errorCode: 'InternalFailure', attempts: 2 }),
      ]);
      expect(broken.stats.deliveryRetries).toBe(2);
      expect(broken.archived()).toEqual([]);
    } finally {
      await broken.stop();
    }
  });

  it("sends an event it cannot deliver to the target's dead-letter queue, with the reason, as EventBridge does", async () => {
    const { broken, client } = await brokenRouter(true);
    try {
      const publisher = createEventPublisher({ client, eventBusName: BUS, maxAttempts: 1 });
      const { eventIds } = await publisher.publish([review]);
      const [dead] = await drainQueue(sqs.sqs, sqs.queueUrls[EVENTS_DLQ], ['All']);
      expect(JSON.parse(dead.Body!)).toMatchObject({ id: eventIds[0], 'detail-type': 'ReviewSubmitted' });
      expect(dead.MessageAttributes).toMatchObject({
        RULE_ARN: { StringValue: `arn:aws:events:us-east-1:000000000000:rule/${BUS}/reviews-to-moderation` },
        TARGET_ARN: { StringValue: `arn:aws:sqs:us-east-1:000000000000:${MODERATION}` },
        EXHAUSTED_RETRY_CONDITION: { StringValue: 'MaximumRetryAttempts' },
        ERROR_MESSAGE: { StringValue: expect.any(String) },
      });
      expect(broken.stats.deadLettered).toBe(1);
      expect(broken.archived().map((e) => e.id)).toEqual(eventIds);
    } finally {
      await broken.stop();
    }
  });

  describe('with the publisher', () => {
    const makePublisher = () =>
      createEventPublisher({ client: eventBridge, eventBusName: BUS, baseDelayMs: 1 });

    it('publishes 35 events in 4 PutEvents calls and every one lands in the FIFO queue', async () => {
      const publisher = makePublisher();
      const before = router.stats.putEventsCalls;
      const { eventIds } = await publisher.publish(Array.from({ length: 35 }, (_, i) => catalogEvent(i)));
      expect(publisher.stats.putEventsCalls).toBe(4);
      expect(router.stats.putEventsCalls - before).toBe(4);
      expect(new Set(eventIds).size).toBe(35);
      const messages = await drainQueue(sqs.sqs, sqs.queueUrls[ENRICHMENT]);
      expect(messages.map((m) => JSON.parse(m.Body!).id).sort()).toEqual([...eventIds].sort());
    });

    it('retries only the failed entries', async () => {
      const publisher = makePublisher();
      router.injectFailures({
        count: 2,
        match: (entry) =>
          String(entry.Detail).includes('"manga-1"') || String(entry.Detail).includes('"manga-3"'),
      });
      const { eventIds } = await publisher.publish([0, 1, 2, 3, 4].map(catalogEvent));
      expect(publisher.stats).toEqual({ putEventsCalls: 2, entryAttempts: 7, retriedEntries: 2 });
      const messages = await drainQueue(sqs.sqs, sqs.queueUrls[ENRICHMENT]);
      expect(messages).toHaveLength(5); // no duplicates of the entries that had succeeded
      expect(messages.map((m) => JSON.parse(m.Body!).id).sort()).toEqual([...eventIds].sort());
    });

    it('does not retry an entry rejected as malformed and names it in PublishError', async () => {
      const publisher = makePublisher();
      router.injectFailures({
        count: 1,
        errorCode: 'MalformedDetail',
        errorMessage: 'Detail is malformed.',
        match: (e) => String(e.Detail).includes('"manga-7"'),
      });
      const error = (await publisher
        .publish([6, 7, 8].map(catalogEvent))
        .catch((e: unknown) => e)) as PublishError;
      expect(error).toBeInstanceOf(PublishError);
      expect(error.code).toBe('PUBLISH_FAILED');
      expect(error.failed).toEqual([
        {
          index: 1,
          detailType: 'CatalogUpdate.new_release',
          errorCode: 'MalformedDetail',
          errorMessage: 'Detail is malformed.',
          attempts: 1,
        },
      ]);
      expect(error.eventIds[0]).toBeDefined();
      expect(error.eventIds[1]).toBeUndefined();
      expect(publisher.stats.putEventsCalls).toBe(1);
      expect(await drainQueue(sqs.sqs, sqs.queueUrls[ENRICHMENT])).toHaveLength(2);
    });

    it('gives up after maxAttempts on a persistent fault', async () => {
      const publisher = makePublisher();
      router.injectFailures({ count: 4, match: (e) => String(e.Detail).includes('"manga-9"') });
      const error = (await publisher.publish([catalogEvent(9)]).catch((e: unknown) => e)) as PublishError;
      expect(error.failed).toEqual([expect.objectContaining({ errorCode: 'InternalFailure', attempts: 4 })]);
      expect(publisher.stats.putEventsCalls).toBe(4);
    });

    it('rejects an entry over 256 KB before sending anything', async () => {
      const publisher = makePublisher();
      const big: PublishEvent = {
        detailType: 'CatalogUpdate.metadata_update',
        detail: {
          product_id: 'm',
          title: 't',
          update_type: 'metadata_update',
          data: { blob: 'あ'.repeat(90_000) },
        },
      };
      const error = await publisher.publish([catalogEvent(1), big]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventTooLargeError);
      expect(error).toMatchObject({ code: 'ENTRY_TOO_LARGE', index: 1 });
      expect(publisher.stats.putEventsCalls).toBe(0);
    });
  });

  it('archives accepted events to JSONL and replays them into the queues', async () => {
    const publisher = createEventPublisher({ client: eventBridge, eventBusName: BUS });
    const { eventIds } = await publisher.publish([
      {
        detailType: 'ReviewSubmitted',
        detail: { review_id: 'r-9', product_id: 'p-9', review_text: 'good', rating: 4 },
      },
    ]);
    await drainQueue(sqs.sqs, sqs.queueUrls[MODERATION]);
    const lines = readFileSync(join(archiveDir, 'archive.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toContain(eventIds[0]);
    expect(router.archived().map((e) => e.id)).toContain(eventIds[0]);

    const replayed = await router.replay({
      pattern: { 'detail-type': ['ReviewSubmitted'] },
      replayName: 'r1',
    });
    expect(replayed).toBeGreaterThanOrEqual(1);
    const messages = await drainQueue(sqs.sqs, sqs.queueUrls[MODERATION]);
    const again = messages.map((m) => JSON.parse(m.Body!)).find((e) => e.id === eventIds[0]);
    expect(again).toMatchObject({ 'replay-name': 'r1', 'detail-type': 'ReviewSubmitted' });
  });
});
