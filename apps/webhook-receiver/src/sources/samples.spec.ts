import { nowSeconds, post, secretFor, startHarness, type Harness } from '../test-support/harness';
import { SOURCES } from './index';
import type { SampleOption } from './types';

// The registry's promise, end to end: every registered source's sample delivery, signed by its own
// scheme with the harness's secret, passes the real receiver (local stack, idempotency table, bus).
describe('every registered source: its sample is accepted and processed by the real receiver', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ SENTIMENT_ENABLED: 'false' });
  });
  afterAll(() => h.stop());

  it.each(SOURCES.map((s) => [s.name, s] as const))(
    '%s: 200 processed, at least one event on the bus, and the same delivery again is a duplicate',
    async (name, source) => {
      const defaults = Object.entries(source.sample.options as Record<string, SampleOption>).map(
        ([key, option]) => [key, option.default],
      );
      const body = JSON.stringify(source.sample.build(Object.fromEntries(defaults)));
      const headers = source.verification.scheme.sign({
        secret: secretFor(name),
        timestampSeconds: nowSeconds(),
        rawBody: body,
      });
      const archivedBefore = h.stack.router?.archived().length ?? 0;

      const first = await post(`${h.url}/webhooks/${name}`, headers, body);
      expect(first).toMatchObject({ status: 200, body: { status: 'processed' } });
      expect(h.stack.router?.archived().length ?? 0).toBeGreaterThan(archivedBefore);

      const again = await post(`${h.url}/webhooks/${name}`, headers, body);
      expect(again).toMatchObject({ status: 200, body: { status: 'already_processed' } });
    },
  );
});
