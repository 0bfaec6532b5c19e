// Spans as the local trace page shows them, decoded from OTLP/HTTP JSON (what
// @opentelemetry/exporter-trace-otlp-http sends), and a bounded store of recent traces.

export type AttributeValue = string | number | boolean | (string | number | boolean)[];

export interface StoredSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  service: string;
  /** Epoch ms (fractional). */
  startMs: number;
  durationMs: number;
  status: 'unset' | 'ok' | 'error';
  statusMessage?: string;
  attributes: Record<string, AttributeValue>;
  links: { traceId: string; spanId: string }[];
}

export interface TraceSummary {
  traceId: string;
  root: string;
  rootService: string;
  services: string[];
  spans: number;
  startMs: number;
  durationMs: number;
  errors: number;
}

const KINDS: StoredSpan['kind'][] = ['internal', 'internal', 'server', 'client', 'producer', 'consumer'];

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpValue;
}
interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: OtlpKeyValue[];
  status?: { code?: number; message?: string };
  links?: { traceId?: string; spanId?: string }[];
}
export interface OtlpTraceRequest {
  resourceSpans?: { resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

function scalar(value: OtlpValue | undefined): string | number | boolean | undefined {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  return undefined;
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) {
    if (value?.arrayValue) {
      out[key] = (value.arrayValue.values ?? []).map(scalar).filter((v) => v !== undefined);
    } else {
      const v = scalar(value);
      if (v !== undefined) out[key] = v;
    }
  }
  return out;
}

// OTLP/JSON ids are hex; base64 is accepted too (some exporters send the protobuf JSON mapping).
function hexId(id: string | undefined): string {
  if (!id) return '';
  if (/^[0-9a-fA-F]+$/.test(id) && (id.length === 32 || id.length === 16)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

const nanosToMs = (n: string | number | undefined) =>
  n === undefined ? 0 : Number(BigInt(n) / 1000n) / 1000;

/** Decodes an OTLP/HTTP JSON ExportTraceServiceRequest; throws on a body that is not one. */
export function decodeOtlpJson(body: unknown): StoredSpan[] {
  const request = body as OtlpTraceRequest;
  if (!request || typeof request !== 'object' || !Array.isArray(request.resourceSpans)) {
    throw new Error('not an OTLP ExportTraceServiceRequest (resourceSpans missing)');
  }
  const spans: StoredSpan[] = [];
  for (const rs of request.resourceSpans) {
    const service = String(attributesOf(rs.resource?.attributes)['service.name'] ?? 'unknown');
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const startMs = nanosToMs(s.startTimeUnixNano);
        const parent = hexId(s.parentSpanId);
        spans.push({
          traceId: hexId(s.traceId),
          spanId: hexId(s.spanId),
          ...(parent ? { parentSpanId: parent } : {}),
          name: s.name ?? '',
          kind: KINDS[s.kind ?? 1] ?? 'internal',
          service,
          startMs,
          durationMs: Math.max(0, nanosToMs(s.endTimeUnixNano) - startMs),
          status: s.status?.code === 2 ? 'error' : s.status?.code === 1 ? 'ok' : 'unset',
          ...(s.status?.message ? { statusMessage: s.status.message } : {}),
          attributes: attributesOf(s.attributes),
          links: (s.links ?? []).map((l) => ({ traceId: hexId(l.traceId), spanId: hexId(l.spanId) })),
        });
      }
    }
  }
  return spans;
}

export interface TraceStore {
  add(spans: StoredSpan[]): void;
  /** Most recent first (by latest span start). */
  list(limit?: number): TraceSummary[];
  get(traceId: string): StoredSpan[] | undefined;
  readonly size: number;
}

/** Keeps the `maxTraces` most recently updated traces, each up to `maxSpansPerTrace` spans. */
export function createTraceStore({ maxTraces = 500, maxSpansPerTrace = 2000 } = {}): TraceStore {
  const traces = new Map<string, StoredSpan[]>();
  return {
    add(spans) {
      for (const span of spans) {
        let trace = traces.get(span.traceId);
        if (trace)
          traces.delete(span.traceId); // re-insert: most recently updated last
        else trace = [];
        if (trace.length < maxSpansPerTrace) trace.push(span);
        traces.set(span.traceId, trace);
        if (traces.size > maxTraces) traces.delete(traces.keys().next().value as string);
      }
    },
    list(limit = 100) {
      return [...traces.entries()]
        .map(([traceId, spans]) => summarize(traceId, spans))
        .sort((a, b) => b.startMs - a.startMs)
        .slice(0, limit);
    },
    get: (traceId) => traces.get(traceId.toLowerCase()),
    get size() {
      return traces.size;
    },
  };
}

export function summarize(traceId: string, spans: StoredSpan[]): TraceSummary {
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans
    .filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId))
    .sort((a, b) => a.startMs - b.startMs);
  const root = roots[0] ?? spans[0];
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.startMs + s.durationMs));
  return {
    traceId,
    root: root?.name ?? '',
    rootService: root?.service ?? '',
    services: [...new Set(spans.map((s) => s.service))],
    spans: spans.length,
    startMs: start,
    durationMs: end - start,
    errors: spans.filter((s) => s.status === 'error').length,
  };
}

/** Spans in waterfall order: depth-first from the roots, siblings by start time, with their depth. */
export function waterfall(spans: StoredSpan[]): { span: StoredSpan; depth: number }[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, StoredSpan[]>();
  const roots: StoredSpan[] = [];
  for (const s of spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId)) {
      const list = children.get(s.parentSpanId) ?? [];
      list.push(s);
      children.set(s.parentSpanId, list);
    } else roots.push(s);
  }
  const out: { span: StoredSpan; depth: number }[] = [];
  const visit = (s: StoredSpan, depth: number) => {
    out.push({ span: s, depth });
    for (const c of (children.get(s.spanId) ?? []).sort((a, b) => a.startMs - b.startMs)) visit(c, depth + 1);
  };
  for (const r of roots.sort((a, b) => a.startMs - b.startMs)) visit(r, 0);
  return out;
}
