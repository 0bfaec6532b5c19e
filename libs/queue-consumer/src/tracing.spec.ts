import { activeSpan, startTracing, stopTracing, tracingSettingsFromEnv } from '@manga-assist/service-runtime';
import type { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { processSqsEvent } from './lambda';

// The Lambda adapter (and the long-running consumer, through the same core) continues the trace an
// SQS message carries in its AWSTraceHeader system attribute, as Lambda's SQS event delivers it.
describe('consumer spans continue AWSTraceHeader', () => {
  let exporter: InMemorySpanExporter;
  let flush: () => Promise<void>;
  beforeAll(async () => {
    exporter = new (await import('@opentelemetry/sdk-trace-base')).InMemorySpanExporter();
    flush = (await startTracing(
      tracingSettingsFromEnv('consumer', { OTEL_TRACES_EXPORTER: 'otlp' }),
      exporter,
    ))!.flush;
  });
  afterAll(() => stopTracing());

  it('a message with a header is a CONSUMER child of its producer; one without starts a new trace', async () => {
    const header = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const seen: Record<string, string> = {};
    const result = await processSqsEvent(
      {
        Records: [
          {
            messageId: 'traced',
            body: '{}',
            attributes: { ApproximateReceiveCount: '2', AWSTraceHeader: header },
          },
          { messageId: 'plain', body: '{}', attributes: { ApproximateReceiveCount: '1' } },
        ],
      },
      async (m) => {
        seen[m.id] = activeSpan().spanContext().traceId;
      },
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(seen.traced).toBe('5759e988bd862e3fe1be46a994272793');
    expect(seen.plain).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.plain).not.toBe(seen.traced);
    await flush();
    const spans = exporter.getFinishedSpans();
    const traced = spans.find((s) => s.attributes['messaging.message.id'] === 'traced')!;
    expect(traced.name).toBe('process message');
    expect(traced.parentSpanContext?.spanId).toBe('53995c3f42cd8ad8');
    expect(traced.attributes['messaging.sqs.receive_count']).toBe(2);
  });

  it('a failing handler marks its span ERROR', async () => {
    await processSqsEvent({ Records: [{ messageId: 'bad', body: '{}' }] }, async () => {
      throw new Error('cannot');
    });
    await flush();
    const bad = exporter.getFinishedSpans().find((s) => s.attributes['messaging.message.id'] === 'bad')!;
    expect(bad.status.code).toBe(2);
  });
});
