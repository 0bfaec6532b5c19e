import type { RequestListener } from 'node:http';
import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import type { TracingSettings } from './settings';
import type { TracingSdk } from './sdk';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

export { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Span, type Attributes, type Context, type Link };

let sdk: TracingSdk | undefined;
let xray: AWSXRayPropagator | undefined;

/** True once startTracing registered the SDK in this process. */
export function tracingEnabled(): boolean {
  return sdk !== undefined;
}

/**
 * Loads and registers the OpenTelemetry SDK when settings are given (tracing on); with none, loads
 * nothing and every helper below stays a pass-through.
 */
export async function startTracing(
  settings: TracingSettings | undefined,
  /** Tests pass an in-memory exporter (Jest cannot run the OTLP exporter's own import() calls). */
  exporter?: SpanExporter,
): Promise<TracingSdk | undefined> {
  if (!settings) return undefined;
  if (sdk) return sdk;
  const { startTracingSdk } = await import('./sdk');
  sdk = startTracingSdk(settings, exporter);
  return sdk;
}

/** Flushes and unregisters (shutdown hook; tests). */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  if (!running) return;
  await running.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
}

const NOOP_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  /** Parent context (default: the active one). ROOT_CONTEXT starts a new trace. */
  parent?: Context;
}

/**
 * Runs `fn` inside a new active span named `name`; a thrown error or rejection is recorded on the
 * span (status ERROR, exception type and message only) and rethrown. With tracing off `fn` runs
 * as is with a no-op span.
 */
export function withSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => T): T {
  if (!sdk) return fn(NOOP_SPAN);
  const parent = options.parent ?? context.active();
  const span = trace
    .getTracer('manga-assist')
    .startSpan(
      name,
      { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links },
      parent,
    );
  const fail = (error: unknown) => {
    recordError(span, error);
    span.end();
    throw error;
  };
  let result: T;
  try {
    result = context.with(trace.setSpan(parent, span), fn, undefined, span);
  } catch (error) {
    return fail(error);
  }
  if (result instanceof Promise) {
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error) => fail(error),
    ) as T;
  }
  span.end();
  return result;
}

/** Starts a span the caller ends (for work that outlives a callback: streams, batched sends). */
export function startSpan(name: string, options: SpanOptions = {}): Span {
  if (!sdk) return NOOP_SPAN;
  return trace
    .getTracer('manga-assist')
    .startSpan(
      name,
      { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links },
      options.parent ?? context.active(),
    );
}

/** Status ERROR with the error's name/code and message; never its stack or the data it carried. */
export function recordError(span: Span, error: unknown): void {
  const err = error as { name?: string; code?: string; message?: string } | undefined;
  span.setStatus({ code: SpanStatusCode.ERROR, message: err?.message?.slice(0, 300) });
  span.setAttributes({
    'exception.type': String(err?.code ?? err?.name ?? 'Error'),
    'exception.message': String(err?.message ?? error).slice(0, 300),
  });
}

/** The active span (a no-op one when there is none or tracing is off): to add attributes. */
export function activeSpan(): Span {
  return (sdk && trace.getActiveSpan()) || NOOP_SPAN;
}

/** Runs `fn` with `ctx` active (e.g. a span started with startSpan, via contextWithSpan). */
export function runInContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}

/** Whether a span is active (tracing on and inside a traced operation). */
export function hasActiveSpan(): boolean {
  return Boolean(sdk && trace.getActiveSpan());
}

/** The active context: capture it where work is queued, pass it as `parent` where it runs. */
export function activeContext(): Context {
  return context.active();
}

/** The active context with `span` as its span: a parent for work, or to format as a header. */
export function contextWithSpan(span: Span, ctx: Context = context.active()): Context {
  return trace.setSpan(ctx, span);
}

/** trace_id / span_id of the active span, for log lines; empty when there is none. */
export function traceLogFields(): { trace_id?: string; span_id?: string } {
  const span = sdk && trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** Adds the active trace context to outgoing HTTP headers (W3C traceparent and X-Amzn-Trace-Id). */
export function injectTraceHeaders(
  headers: Record<string, string>,
  ctx: Context = context.active(),
): Record<string, string> {
  if (sdk) propagation.inject(ctx, headers, defaultTextMapSetter);
  return headers;
}

function xrayPropagator(): AWSXRayPropagator {
  xray ??= new AWSXRayPropagator();
  return xray;
}

/**
 * The context as an X-Ray trace header (`Root=1-…;Parent=…;Sampled=1`), as PutEvents' TraceHeader
 * and SQS's AWSTraceHeader carry it; undefined with tracing off or no span.
 */
export function xrayTraceHeader(ctx: Context = context.active()): string | undefined {
  if (!sdk || !trace.getSpan(ctx)) return undefined;
  const carrier: Record<string, string> = {};
  xrayPropagator().inject(ctx, carrier, defaultTextMapSetter);
  return carrier['x-amzn-trace-id'];
}

/** The remote parent an X-Ray trace header names (ROOT_CONTEXT when absent or malformed). */
export function contextFromXrayHeader(header: string | undefined): Context {
  if (!sdk || !header) return ROOT_CONTEXT;
  return xrayPropagator().extract(ROOT_CONTEXT, { 'x-amzn-trace-id': header }, defaultTextMapGetter);
}

const XRAY_ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const XRAY_PARENT = /^[0-9a-f]{16}$/;

/**
 * Whether a string is a well-formed X-Ray trace header: `Root=1-<8 hex>-<24 hex>` required,
 * `Parent=<16 hex>` and `Sampled=0|1|?` when present, other `key=value` fields allowed, 2,000
 * characters at most. EventBridge drops headers that are not valid and still routes the event.
 */
export function isValidXrayTraceHeader(header: unknown): header is string {
  if (typeof header !== 'string' || header.length === 0 || header.length > 2000) return false;
  let root = false;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return false;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 'Root') root = XRAY_ROOT.test(value);
    else if (key === 'Parent' && !XRAY_PARENT.test(value)) return false;
    else if (key === 'Sampled' && !['0', '1', '?'].includes(value)) return false;
  }
  return root;
}

const UNTRACED_PATHS = /^\/(healthz|readyz|metrics)(\/|$)/;

/**
 * Wraps a Node request listener so each request (ops endpoints excepted) runs in a SERVER span that
 * continues the caller's traceparent / X-Amzn-Trace-Id. The request emitter is bound to the span's
 * context, so body parsing stays inside it. Named after the
 * Express route once matched (`POST /webhooks/:source`), not the raw path.
 */
export function traceHttpRequests(handler: RequestListener): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (!sdk || UNTRACED_PATHS.test(path)) return handler(req, res);
    const parent = propagation.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const method = req.method ?? 'GET';
    const span = trace
      .getTracer('manga-assist')
      .startSpan(
        `${method} ${path}`,
        { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.path': path } },
        parent,
      );
    const ctx = trace.setSpan(parent, span);
    // Body parsers read the request through its 'data'/'end' events, which Node emits outside the
    // handler's context: binding the request keeps them inside. The response's listeners (ours,
    // the client-gone abort) need no context, so it is not bound (binding costs per request).
    context.bind(ctx, req);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const matched = req as { route?: { path?: unknown }; baseUrl?: string };
      if (typeof matched.route?.path === 'string') {
        const route = `${matched.baseUrl ?? ''}${matched.route.path}`;
        span.updateName(`${method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!res.writableFinished) span.setAttribute('http.aborted', true);
      span.end();
    };
    res.once('finish', end);
    res.once('close', end);
    context.with(ctx, () => handler(req, res));
  };
}
