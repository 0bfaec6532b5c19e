import { createServer, request } from 'node:http';
import type { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { ConfigError } from '../config';
import { createLogger } from '../logger';
import { tracingSettingsFromEnv } from './settings';
import {
  contextFromXrayHeader,
  injectTraceHeaders,
  isValidXrayTraceHeader,
  startSpan,
  startTracing,
  stopTracing,
  traceHttpRequests,
  tracingEnabled,
  withSpan,
  xrayTraceHeader,
  contextWithSpan,
} from './tracing';
import type { TracingSdk } from './sdk';

describe('tracing settings from OTEL_* variables', () => {
  it('is off unless OTEL_TRACES_EXPORTER names an exporter or a collector endpoint is set', () => {
    expect(tracingSettingsFromEnv('svc', {})).toBeUndefined();
    expect(
      tracingSettingsFromEnv('svc', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' }),
    ).toMatchObject({ exporter: 'otlp' });
    expect(
      tracingSettingsFromEnv('svc', {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
        OTEL_TRACES_EXPORTER: 'none',
      }),
    ).toBeUndefined();
    expect(tracingSettingsFromEnv('svc', { OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(
      tracingSettingsFromEnv('svc', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }),
    ).toBeUndefined();
  });

  it('reads service name, endpoint (+ /v1/traces) and sampler', () => {
    expect(
      tracingSettingsFromEnv('svc', {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }),
    ).toEqual({
      serviceName: 'svc',
      exporter: 'otlp',
      tracesUrl: 'http://127.0.0.1:4318/v1/traces',
      sampler: 'parentbased_traceidratio',
      ratio: 0.25,
    });
    expect(
      tracingSettingsFromEnv('svc', {
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_SERVICE_NAME: 'gw',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:9/x',
      }),
    ).toMatchObject({
      serviceName: 'gw',
      tracesUrl: 'http://c:9/x',
      sampler: 'parentbased_always_on',
      ratio: 1,
    });
    expect(tracingSettingsFromEnv('svc', { OTEL_TRACES_EXPORTER: 'otlp' })?.tracesUrl).toBe(
      'http://localhost:4318/v1/traces',
    );
  });

  it('names every malformed variable at once', () => {
    const read = () =>
      tracingSettingsFromEnv('svc', {
        OTEL_TRACES_EXPORTER: 'zipkin',
        OTEL_TRACES_SAMPLER: 'sometimes',
        OTEL_TRACES_SAMPLER_ARG: '2',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x',
      });
    expect(read).toThrow(ConfigError);
    try {
      read();
    } catch (error) {
      expect((error as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual([
        'OTEL_EXPORTER_OTLP_ENDPOINT',
        'OTEL_TRACES_EXPORTER',
        'OTEL_TRACES_SAMPLER',
        'OTEL_TRACES_SAMPLER_ARG',
      ]);
    }
  });
});

describe('X-Ray trace headers', () => {
  it('accepts what X-Ray writes and refuses the rest', () => {
    expect(
      isValidXrayTraceHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'),
    ).toBe(true);
    expect(isValidXrayTraceHeader('Root=1-5759e988-bd862e3fe1be46a994272793')).toBe(true);
    expect(isValidXrayTraceHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Lineage=a:1')).toBe(true);
    expect(isValidXrayTraceHeader('Parent=53995c3f42cd8ad8;Sampled=1')).toBe(false);
    expect(isValidXrayTraceHeader('Root=1-xyz-bd862e3fe1be46a994272793')).toBe(false);
    expect(isValidXrayTraceHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=short')).toBe(false);
    expect(isValidXrayTraceHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=yes')).toBe(false);
    expect(isValidXrayTraceHeader(42)).toBe(false);
  });
});

describe('with tracing off', () => {
  it('loads no SDK and every helper passes through', async () => {
    expect(await startTracing(undefined)).toBeUndefined();
    expect(tracingEnabled()).toBe(false);
    expect(withSpan('x', {}, () => 7)).toBe(7);
    expect(xrayTraceHeader()).toBeUndefined();
    expect(injectTraceHeaders({ a: 'b' })).toEqual({ a: 'b' });
    expect(Object.keys(require.cache).some((k) => k.includes('sdk-trace-base'))).toBe(false);
  });
});

// The OTLP/HTTP exporter itself is exercised end to end by tools/e2e (traces.spec.ts): it loads
// node:http with import(), which Jest's CommonJS runtime cannot do, so spans are read in memory here.
describe('with tracing on', () => {
  let exporter: InMemorySpanExporter;
  let sdk: TracingSdk;
  const spans = () =>
    exporter.getFinishedSpans().map((s) => ({
      name: s.name,
      traceId: s.spanContext().traceId,
      spanId: s.spanContext().spanId,
      parentSpanId: s.parentSpanContext?.spanId,
      kind: s.kind,
      status: s.status,
      resource: s.resource.attributes,
    }));

  beforeAll(async () => {
    // Loaded here, not at the top: the test above checks that nothing loads the SDK while off.
    exporter = new (await import('@opentelemetry/sdk-trace-base')).InMemorySpanExporter();
    const settings = tracingSettingsFromEnv('svc', { OTEL_TRACES_EXPORTER: 'otlp' });
    sdk = (await startTracing(settings, exporter))!;
  });
  afterAll(() => stopTracing());

  it('ids are X-Ray compatible and X-Ray headers round-trip', async () => {
    const header = withSpan('outer', {}, () => xrayTraceHeader())!;
    expect(isValidXrayTraceHeader(header)).toBe(true);
    const child = startSpan('child', { parent: contextFromXrayHeader(header) });
    const traceId = child.spanContext().traceId;
    child.end();
    expect(header).toContain(`Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)}`);
    // The first 8 hex digits are the start time in epoch seconds, as X-Ray requires.
    expect(Math.abs(parseInt(traceId.slice(0, 8), 16) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('a request continues the caller traceparent; log lines inside carry trace_id and span_id', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      service: 'svc',
      destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }),
    });
    const server = createServer(
      traceHttpRequests((req, res) => {
        req.resume();
        req.on('end', () => {
          logger.info('inside the request');
          res.end(JSON.stringify(injectTraceHeaders({})));
        });
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const echoed = await new Promise<Record<string, string>>((resolve, reject) => {
      const req = request(
        {
          port: (server.address() as AddressInfo).port,
          host: '127.0.0.1',
          method: 'POST',
          path: '/things/1?x=1',
          headers: { traceparent },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(JSON.parse(text)));
        },
      );
      req.on('error', reject);
      req.end('body');
    });
    await new Promise((r) => server.close(r));
    await sdk.flush();
    const server_span = spans().find((s) => s.name === 'POST /things/1')!;
    expect(server_span).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      parentSpanId: 'b7ad6b7169203331',
      kind: 1,
    });
    expect(server_span.resource['service.name']).toBe('svc');
    expect(echoed.traceparent).toContain('0af7651916cd43dd8448eb211c80319c');
    expect(echoed['x-amzn-trace-id']).toContain('Root=1-0af76519-16cd43dd8448eb211c80319c');
    const line = JSON.parse(lines.find((l) => l.includes('inside the request'))!);
    expect(line).toMatchObject({ trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: server_span.spanId });
    logger.info('outside');
    expect(JSON.parse(lines.at(-1)!).trace_id).toBeUndefined();
  });

  it('a failed operation marks its span ERROR with the error type and message only', async () => {
    const failing = withSpan('failing', {}, async () => {
      throw Object.assign(new Error('table gone'), { code: 'RESOURCE_MISSING' });
    });
    await expect(failing).rejects.toThrow('table gone');
    const parent = startSpan('parent');
    withSpan('kid', { parent: contextWithSpan(parent) }, () => undefined);
    parent.end();
    await sdk.flush();
    const failed = spans().find((s) => s.name === 'failing')!;
    expect(failed.status).toMatchObject({ code: 2, message: 'table gone' });
    const kid = spans().find((s) => s.name === 'kid')!;
    expect(kid.parentSpanId).toBe(parent.spanContext().spanId);
  });
});
