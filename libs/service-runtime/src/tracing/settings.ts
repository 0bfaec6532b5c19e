import { ConfigError } from '../config';

type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';

const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

export interface TracingSettings {
  serviceName: string;
  exporter: 'otlp' | 'console';
  /** Full URL spans are POSTed to (OTLP/HTTP, JSON encoding). */
  tracesUrl: string;
  sampler: SamplerName;
  /** Ratio for the *traceidratio samplers (0..1). */
  ratio: number;
}

/**
 * Reads the OpenTelemetry SDK's own environment variables (OTEL_* conventions). Tracing is on when
 * OTEL_TRACES_EXPORTER names an exporter (`otlp` or `console`), or is unset while a collector
 * endpoint (OTEL_EXPORTER_OTLP[_TRACES]_ENDPOINT) is configured, as in the ECS task definitions; and
 * OTEL_SDK_DISABLED is not true. With neither, tracing is off and no SDK is loaded at all. Returns
 * undefined when off; throws ConfigError naming every malformed variable.
 */
export function tracingSettingsFromEnv(
  service: string,
  env: Record<string, string | undefined> = process.env,
): TracingSettings | undefined {
  const problems: string[] = [];
  const disabled = (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true';
  const endpointSet = Boolean(
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim(),
  );
  const exporter = (env.OTEL_TRACES_EXPORTER?.trim() || (endpointSet ? 'otlp' : 'none')).toLowerCase();
  if (!['none', 'otlp', 'console'].includes(exporter)) {
    problems.push(`OTEL_TRACES_EXPORTER: expected one of none, otlp, console (got "${exporter}")`);
  }
  const sampler = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').trim().toLowerCase() as SamplerName;
  if (!SAMPLERS.includes(sampler)) {
    problems.push(`OTEL_TRACES_SAMPLER: expected one of ${SAMPLERS.join(', ')} (got "${sampler}")`);
  }
  const ratioText = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  const ratio = ratioText === undefined || ratioText === '' ? 1 : Number(ratioText);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    problems.push(`OTEL_TRACES_SAMPLER_ARG: expected a ratio between 0 and 1 (got "${ratioText}")`);
  }
  const tracesUrl = resolveTracesUrl(env, problems);
  if (problems.length) throw new ConfigError(service, problems);
  if (disabled || exporter === 'none') return undefined;
  return {
    serviceName: env.OTEL_SERVICE_NAME?.trim() || service,
    exporter: exporter as 'otlp' | 'console',
    tracesUrl,
    sampler,
    ratio,
  };
}

// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is; OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/traces
// appended (the specification's rule). Default: the collector sidecar on localhost:4318.
function resolveTracesUrl(env: Record<string, string | undefined>, problems: string[]): string {
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const url =
    specific || (base ? `${base.replace(/\/+$/, '')}/v1/traces` : 'http://localhost:4318/v1/traces');
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    const name = specific ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
    problems.push(`${name}: expected an http(s) URL (got "${url}")`);
  }
  return url;
}
