import fc from 'fast-check';
import { DEFAULT_RESOURCE_NAMES } from '@manga-assist/aws-clients';
import { DETAIL_TYPES, EVENT_SOURCES, routingRules } from '@manga-assist/event-schemas';
import { matchesPattern } from './pattern/match';
import { validatePattern } from './pattern/validate';

const names = DEFAULT_RESOURCE_NAMES;
const rules = routingRules(names);
const envelope = (source: string, detailType: string, detail: Record<string, unknown>) => ({
  version: '0',
  id: 'e',
  'detail-type': detailType,
  source,
  account: '000000000000',
  time: '2026-11-01T00:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});
const targetsOf = (event: ReturnType<typeof envelope>) =>
  rules.filter((r) => matchesPattern(r.pattern, event)).map((r) => r.target.queueName);

describe('routing rules', () => {
  it.each(rules.map((r) => [r.name, r] as const))(
    '%s is a valid pattern on the MangaAssist bus',
    (_n, rule) => {
      expect(validatePattern(rule.pattern)).toEqual(rule.pattern);
      expect(rule.eventBusName).toBe('MangaAssist-AI-Events');
    },
  );

  it.each<[string, string, string, Record<string, unknown>, string[]]>([
    [
      'catalog update',
      EVENT_SOURCES.catalog,
      'CatalogUpdate.discontinued',
      { processing_stage: 'raw', _chain_depth: 0 },
      [names.queues.enrichment],
    ],
    [
      'raw review',
      EVENT_SOURCES.webhooks,
      DETAIL_TYPES.ReviewSubmitted,
      { processing_stage: 'raw', _chain_depth: 0 },
      [names.queues.moderation],
    ],
    [
      'raw payment',
      EVENT_SOURCES.webhooks,
      DETAIL_TYPES.PaymentCompleted,
      { processing_stage: 'raw', _chain_depth: 0 },
      [names.queues.moderation],
    ],
    [
      'high flag',
      EVENT_SOURCES.ai,
      DETAIL_TYPES.ModerationFlagged,
      { severity: 'high', processing_stage: 'processed', _chain_depth: 1 },
      [names.queues.moderation],
    ],
    [
      'critical flag',
      EVENT_SOURCES.ai,
      DETAIL_TYPES.ModerationFlagged,
      { severity: 'critical', processing_stage: 'processed', _chain_depth: 2 },
      [names.queues.moderation],
    ],
    ['low flag', EVENT_SOURCES.ai, DETAIL_TYPES.ModerationFlagged, { severity: 'low', _chain_depth: 1 }, []],
    [
      'medium flag',
      EVENT_SOURCES.ai,
      DETAIL_TYPES.ModerationFlagged,
      { severity: 'medium', _chain_depth: 1 },
      [],
    ],
    [
      'critical flag at max depth',
      EVENT_SOURCES.ai,
      DETAIL_TYPES.ModerationFlagged,
      { severity: 'critical', _chain_depth: 3 },
      [],
    ],
    [
      'inference telemetry',
      EVENT_SOURCES.ai,
      DETAIL_TYPES.InferenceCompleted,
      { processing_stage: 'completed', _chain_depth: 0 },
      [],
    ],
    [
      'chat message',
      EVENT_SOURCES.chat,
      DETAIL_TYPES.MessageReceived,
      { processing_stage: 'raw', _chain_depth: 0 },
      [],
    ],
    [
      'processed review',
      EVENT_SOURCES.webhooks,
      DETAIL_TYPES.ReviewSubmitted,
      { processing_stage: 'processed', _chain_depth: 1 },
      [],
    ],
    [
      'review from the ai source',
      EVENT_SOURCES.ai,
      DETAIL_TYPES.ReviewSubmitted,
      { processing_stage: 'raw', _chain_depth: 0 },
      [],
    ],
    [
      'catalog update from the ai source',
      EVENT_SOURCES.ai,
      'CatalogUpdate.new_release',
      { processing_stage: 'raw', _chain_depth: 0 },
      [],
    ],
  ])('%s -> %j', (_name, source, detailType, detail, expected) => {
    expect(targetsOf(envelope(source, detailType, detail))).toEqual(expected);
  });

  it('nothing a consumer publishes (ai source, processed, depth >= 1) reaches a queue except high|critical flags', () => {
    const detailType = fc.constantFrom(...Object.values(DETAIL_TYPES));
    const severity = fc.constantFrom('low', 'medium', 'high', 'critical', undefined);
    fc.assert(
      fc.property(
        detailType,
        severity,
        fc.integer({ min: 1, max: 10 }),
        fc.constantFrom('processed', 'completed'),
        (dt, sev, depth, stage) => {
          const targets = targetsOf(
            envelope(EVENT_SOURCES.ai, dt, { severity: sev, processing_stage: stage, _chain_depth: depth }),
          );
          const allowed =
            dt === DETAIL_TYPES.ModerationFlagged && (sev === 'high' || sev === 'critical') && depth < 3;
          return allowed ? targets.join() === names.queues.moderation : targets.length === 0;
        },
      ),
      { numRuns: 500 },
    );
  });
});
