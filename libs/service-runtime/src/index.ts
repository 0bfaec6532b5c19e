export { loadConfig, ConfigError, env } from './config';
export { createLogger, lazyChild, type Logger } from './logger';
export {
  createMetricsRegistry,
  counter,
  gauge,
  histogram,
  Registry,
  Counter,
  Gauge,
  Histogram,
} from './metrics';
export { runReadinessChecks } from './health';
export { createShutdown } from './shutdown';
export { waitForDependency } from './dependency-wait';
export { requestLocals } from './request-context';
export { jsonBody, type JsonBodyOptions } from './json-body';
export { sendJson } from './send-json';
export { runMain, runService } from './main';
export { createServiceRuntime, type ServiceRuntime } from './runtime';
export {
  tracingEnabled,
  startTracing,
  stopTracing,
  withSpan,
  startSpan,
  recordError,
  activeSpan,
  hasActiveSpan,
  activeContext,
  contextWithSpan,
  runInContext,
  injectTraceHeaders,
  xrayTraceHeader,
  contextFromXrayHeader,
  isValidXrayTraceHeader,
  SpanKind,
  ROOT_CONTEXT,
  type Span,
  type Attributes,
  type Context,
  type Link,
} from './tracing/tracing';
export { tracingSettingsFromEnv } from './tracing/settings';
export { hashUserId } from './tracing/attributes';
export { createServiceShell } from './service-shell';
export {
  HttpError,
  httpError,
  errorBody,
  sendHttpError,
  sendLocalizedError,
  requestLanguage,
  COMMON_ERRORS,
  type ErrorResponderOptions,
} from './http-error';
export { retryPolicy, retryBatch } from './retry';
