// The OpenTelemetry SDK proper. Loaded with import() only when tracing is on, so a service that
// runs without OTEL_TRACES_EXPORTER never evaluates any of it.
import { CompositePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { TracingSettings } from './settings';

export interface TracingSdk {
  /** Flushes buffered spans and stops exporting. */
  shutdown(): Promise<void>;
  /** Exports what is buffered now (tests, before reading spans). */
  flush(): Promise<void>;
}

function samplerFor(settings: Pick<TracingSettings, 'sampler' | 'ratio'>): Sampler {
  switch (settings.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(settings.ratio);
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.ratio) });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * Registers the global tracer provider: X-Ray-compatible trace ids (the first 8 hex digits are the
 * epoch seconds, as X-Ray requires), W3C traceparent and X-Ray (X-Amzn-Trace-Id) propagation,
 * batched OTLP/HTTP export (JSON encoding) to the collector.
 */
export function startTracingSdk(settings: TracingSettings, exporterOverride?: SpanExporter): TracingSdk {
  const exporter: SpanExporter =
    exporterOverride ??
    (settings.exporter === 'console'
      ? new ConsoleSpanExporter()
      : new OTLPTraceExporter({ url: settings.tracesUrl, timeoutMillis: 5000 }));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    idGenerator: new AWSXRayIdGenerator(),
    sampler: samplerFor(settings),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        maxQueueSize: 4096,
        maxExportBatchSize: 512,
        scheduledDelayMillis: 1000,
      }),
    ],
  });
  provider.register({
    propagator: new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new AWSXRayPropagator()],
    }),
  });
  return {
    shutdown: () => provider.shutdown(),
    flush: () => provider.forceFlush(),
  };
}
