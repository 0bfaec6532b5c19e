import { createDispatcher, type Route } from './dispatcher';
import { InvalidEventError, isPoisonError } from './errors';
import { envelope } from './test-support/harness';
import { counterValue, silentLogger, testMetrics } from './test-support/fakes';

const reviewDetail = (extra: Record<string, unknown> = {}) => ({
  review_id: 'r-1',
  product_id: 'p-1',
  review_text: 'good',
  rating: 5,
  ...extra,
});

function setup() {
  const { registry, metrics } = testMetrics();
  const seen: unknown[] = [];
  const route = (detailType: string, acceptOwnSource: boolean, stages: string[]): Route => ({
    detailType,
    acceptOwnSource,
    stages,
    handle: async (ctx) => {
      seen.push(ctx);
      return 'handled';
    },
  });
  const dispatch = createDispatcher({
    routes: [route('ReviewSubmitted', false, ['raw']), route('ModerationFlagged', true, ['processed'])],
    ownSource: 'mangaassist.ai',
    metrics,
    logger: silentLogger,
  });
  const send = (body: unknown) =>
    dispatch({
      id: 'm-1',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      receiveCount: 1,
      signal: new AbortController().signal,
    });
  return { registry, seen, send };
}

describe('dispatcher', () => {
  it('routes a valid event by detail type with its validated detail and depth', async () => {
    const s = setup();
    expect(
      await s.send(envelope('ReviewSubmitted', 'mangaassist.webhooks', reviewDetail({ _chain_depth: 1 }))),
    ).toEqual({
      detailType: 'ReviewSubmitted',
      outcome: 'handled',
    });
    expect(s.seen[0]).toMatchObject({ depth: 1, detail: { review_id: 'r-1', processing_stage: 'raw' } });
  });

  it('acknowledges and counts unknown detail types under one label', async () => {
    const s = setup();
    expect((await s.send(envelope('Shipment.Dispatched', 'x', {}))).outcome).toBe('unhandled');
    expect(
      await counterValue(s.registry, 'moderation_events_total', {
        detail_type: 'unknown',
        outcome: 'unhandled',
      }),
    ).toBe(1);
    expect(s.seen).toHaveLength(0);
  });

  it.each([
    [
      'chain depth 3',
      envelope('ReviewSubmitted', 'mangaassist.webhooks', reviewDetail({ _chain_depth: 3 })),
      'chain_depth',
    ],
    [
      'its own source re-publishing an input type',
      envelope('ReviewSubmitted', 'mangaassist.ai', reviewDetail()),
      'own_source',
    ],
    [
      'a processed input',
      envelope('ReviewSubmitted', 'mangaassist.webhooks', reviewDetail({ processing_stage: 'processed' })),
      'processing_stage',
    ],
  ])('rejects %s without calling the handler, and counts it', async (_name, event, reason) => {
    const s = setup();
    expect((await s.send(event)).outcome).toBe('loop_rejected');
    expect(s.seen).toHaveLength(0);
    expect(await counterValue(s.registry, 'moderation_loop_rejections_total', { reason })).toBe(1);
  });

  it('accepts its own ModerationFlagged (the one deliberate own-source route)', async () => {
    const s = setup();
    const flag = {
      review_id: 'r',
      content_hash: 'a'.repeat(64),
      content_preview: 'x',
      severity: 'high',
      flagged_categories: [],
      model_id: 'm',
      _chain_depth: 1,
    };
    expect((await s.send(envelope('ModerationFlagged', 'mangaassist.ai', flag))).outcome).toBe('handled');
  });

  it.each([
    ['a body that is not JSON', '{"oops"'],
    ['JSON that is not an envelope', { hello: 'world' }],
    ['an invalid detail', envelope('ReviewSubmitted', 'mangaassist.webhooks', { review_id: 'r' })],
  ])('treats %s as poison (straight to the DLQ with the reason)', async (_name, body) => {
    const s = setup();
    const error = await s.send(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(isPoisonError(error)).toBe(true);
  });

  it('lets handler errors propagate for SQS to retry', async () => {
    const { metrics, registry } = testMetrics();
    const dispatch = createDispatcher({
      routes: [
        {
          detailType: 'ReviewSubmitted',
          acceptOwnSource: false,
          stages: ['raw'],
          handle: async () => {
            throw new Error('dynamo down');
          },
        },
      ],
      ownSource: 'mangaassist.ai',
      metrics,
      logger: silentLogger,
    });
    const body = JSON.stringify(envelope('ReviewSubmitted', 'mangaassist.webhooks', reviewDetail()));
    const error = await dispatch({
      id: 'm',
      body,
      receiveCount: 1,
      signal: new AbortController().signal,
    }).catch((e: unknown) => e);
    expect(isPoisonError(error)).toBe(false);
    expect(await counterValue(registry, 'moderation_events_total', { outcome: 'error' })).toBe(1);
  });
});
