import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventValidationError } from './errors';
import { createEventPublisher, type PublishEvent } from './publisher';
import { cleanUndeliverable, findUndeliverable } from './deliverable';
import { toContentPreview, toResponseSummary, truncateForEvent } from './truncate';

describe('content SQS and EventBridge can deliver', () => {
  it('finds U+FFFE, U+FFFF and lone surrogates anywhere, values and keys, with their path', () => {
    expect(findUndeliverable({ items: [{ title: 'ok' }, { title: 'bad\uFFFF' }] })).toEqual({
      path: 'items[1].title',
      codePoint: 'U+FFFF',
    });
    expect(findUndeliverable({ a: { 'k\uFFFE': 1 } })).toEqual({
      path: 'a.k\uFFFE (key)',
      codePoint: 'U+FFFE',
    });
    expect(findUndeliverable(['x', 'lone \uD800 high'])).toEqual({ path: '[1]', codePoint: 'U+D800' });
    expect(findUndeliverable({ t: 'lone \uDC00 low' })).toEqual({ path: 't', codePoint: 'U+DC00' });
  });

  it('accepts what SQS carries: emoji, 𠮷, CJK, tabs and newlines, private use, U+FFFD, noncharacters SQS allows', () => {
    expect(
      findUndeliverable({
        m: '新刊マンガ🎉 𠮷野家\t\n\r \uE000 \uFFFD \uFDD0 \u{1FFFE}',
        n: 1,
        b: true,
        z: null,
      }),
    ).toBeUndefined();
  });

  it('cleans by replacing each undeliverable character with U+FFFD and leaves pairs alone', () => {
    expect(cleanUndeliverable('a\uFFFFb\uD800c🎉')).toBe('a\uFFFDb\uFFFDc🎉');
  });
});

describe('the publisher refuses undeliverable content before sending anything', () => {
  it('throws UNDELIVERABLE_CONTENT naming the field, and PutEvents is never called', async () => {
    const sent: unknown[] = [];
    const publisher = createEventPublisher({
      client: {
        send: async (c: unknown) => (sent.push(c), { Entries: [{ EventId: '1' }] }),
      } as unknown as EventBridgeClient,
      eventBusName: 'bus',
    });
    const error = await publisher
      .publish([
        {
          detailType: 'PaymentCompleted',
          detail: { order_id: 'o\uFFFF1', amount_minor: 100, currency: 'JPY' },
        } as PublishEvent,
      ])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(EventValidationError);
    expect(error).toMatchObject({
      code: 'UNDELIVERABLE_CONTENT',
      issues: [{ path: 'order_id', message: 'contains U+FFFF' }],
    });
    expect(sent).toHaveLength(0);
  });
});

describe('free-text copies in events are cleaned, not refused', () => {
  it('truncateForEvent, toResponseSummary and toContentPreview replace undeliverable characters with U+FFFD', () => {
    expect(truncateForEvent('おすすめ\uFFFF', 100)).toBe('おすすめ\uFFFD');
    expect(toResponseSummary('answer \uD800 text')).toBe('answer \uFFFD text');
    expect(toContentPreview('\uFFFEreview')).toBe('\uFFFDreview');
    expect(findUndeliverable({ message: truncateForEvent('a\uFFFFb', 10) })).toBeUndefined();
  });
});
