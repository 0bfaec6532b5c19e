import { waterfall, type AttributeValue, type StoredSpan, type TraceSummary } from './store';

// Server-rendered HTML (no script): the list of recent traces and one trace as a waterfall.

const esc = (text: unknown) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** Attributes worth a glance in the waterfall, in this order; the rest show on hover. */
const KEY_ATTRIBUTES = [
  'http.route',
  'http.response.status_code',
  'session.id',
  'user.hash',
  'gen_ai.request.model',
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.cost_usd',
  'aws.dynamodb.table_names',
  'messaging.destination.name',
  'event.detail_type',
  'event.detail_types',
  'event.id',
  'event.chain_depth',
  'job.id',
  'webhook.source',
  'webhook.delivery_id',
  'review.id',
  'moderation.severity',
  'outbound.target',
];

const COLORS: Record<string, string> = {
  'chat-gateway': '#4e79a7',
  'webhook-receiver': '#f28e2b',
  'enrichment-worker': '#59a14f',
  'moderation-consumer': '#b07aa1',
};
const colorOf = (service: string) => COLORS[service] ?? '#76b7b2';
const fmtMs = (ms: number) =>
  ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
const fmtValue = (v: AttributeValue) =>
  Array.isArray(v)
    ? v.join(',')
    : typeof v === 'number' && !Number.isInteger(v)
      ? v.toPrecision(4)
      : String(v);

const STYLE = `
body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#222}
h1{font-size:18px;margin:0 0 8px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #eee;vertical-align:top;white-space:nowrap}
th{background:#f6f6f6}
a{color:#1a5fb4;text-decoration:none}
.err{color:#c01c28;font-weight:600}
.svc{display:inline-block;width:9px;height:9px;border-radius:2px;margin-right:4px}
.bar{position:relative;height:14px;background:#fafafa;min-width:320px}
.bar span{position:absolute;top:2px;height:10px;border-radius:2px}
.attrs{white-space:normal;color:#555;font-size:12px}
.attrs b{color:#222;font-weight:500}
.muted{color:#888}
`;

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

export function renderTraceList(traces: TraceSummary[]): string {
  const rows = traces
    .map(
      (t) => `<tr>
<td>${esc(new Date(t.startMs).toISOString().slice(11, 23))}</td>
<td><a href="/traces/${esc(t.traceId)}">${esc(t.root)}</a></td>
<td>${t.services.map((s) => `<span class="svc" style="background:${colorOf(s)}"></span>${esc(s)}`).join(' ')}</td>
<td>${t.spans}</td><td>${esc(fmtMs(t.durationMs))}</td>
<td>${t.errors ? `<span class="err">${t.errors} error${t.errors > 1 ? 's' : ''}</span>` : 'ok'}</td>
<td class="muted">${esc(t.traceId)}</td></tr>`,
    )
    .join('');
  return layout(
    'MangaAssist traces',
    `<h1>Recent traces (${traces.length})</h1>
<p class="muted">Spans the services export over OTLP/HTTP to the local stack. Newest first; reload to refresh. JSON: <a href="/api/traces">/api/traces</a></p>
<table><tr><th>start (UTC)</th><th>root operation</th><th>services</th><th>spans</th><th>duration</th><th>status</th><th>trace id</th></tr>${rows}</table>`,
  );
}

export function renderTrace(traceId: string, spans: StoredSpan[]): string {
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.startMs + s.durationMs));
  const total = Math.max(end - start, 0.001);
  const rows = waterfall(spans)
    .map(({ span, depth }) => {
      const left = ((span.startMs - start) / total) * 100;
      const width = Math.max((span.durationMs / total) * 100, 0.3);
      const keys = KEY_ATTRIBUTES.filter((k) => span.attributes[k] !== undefined)
        .map((k) => `<b>${esc(k)}</b>=${esc(fmtValue(span.attributes[k]))}`)
        .join(' ');
      const all = Object.entries(span.attributes)
        .map(([k, v]) => `${k}=${fmtValue(v)}`)
        .join('\n');
      const status =
        span.status === 'error'
          ? `<span class="err">error${span.statusMessage ? `: ${esc(span.statusMessage.slice(0, 80))}` : ''}</span>`
          : span.status;
      return `<tr title="${esc(all)}">
<td><span class="svc" style="background:${colorOf(span.service)}"></span>${esc(span.service)}</td>
<td style="padding-left:${6 + depth * 14}px">${esc(span.name)} <span class="muted">${esc(span.kind)}</span></td>
<td>${esc(fmtMs(span.durationMs))}</td><td>${status}</td>
<td><div class="bar"><span style="left:${left.toFixed(3)}%;width:${width.toFixed(3)}%;background:${span.status === 'error' ? '#c01c28' : colorOf(span.service)}"></span></div></td>
<td class="attrs">${keys}</td></tr>`;
    })
    .join('');
  const services = [...new Set(spans.map((s) => s.service))];
  return layout(
    `trace ${traceId}`,
    `<p><a href="/">&larr; all traces</a></p>
<h1>Trace ${esc(traceId)}</h1>
<p>${spans.length} spans · ${esc(fmtMs(total))} · ${services.map((s) => `<span class="svc" style="background:${colorOf(s)}"></span>${esc(s)}`).join(' ')} · started ${esc(new Date(start).toISOString())} · <a href="/api/traces/${esc(traceId)}">JSON</a></p>
<table><tr><th>service</th><th>operation</th><th>duration</th><th>status</th><th>timeline</th><th>key attributes</th></tr>${rows}</table>`,
  );
}
