export { loadConfig, ConfigError, env } from './config';
export {
  createLogger,
  readableErrorMessage,
  REDACTED_PATHS,
  type Logger,
  type LoggerOptions,
} from './logger';
export {
  createMetricsRegistry,
  getOrCreateMetric,
  counter,
  gauge,
  histogram,
  Registry,
  Counter,
  Gauge,
  Histogram,
  type MetricOptions,
  type HistogramOptions,
} from './metrics';
export {
  createOpsRouter,
  runReadinessChecks,
  type ReadinessCheck,
  type ReadinessReport,
  type CheckStatus,
} from './health';
export { createShutdown, type Shutdown, type ShutdownOptions } from './shutdown';
export { startHttpServer, type RunningHttpServer } from './http-server';
export { waitForDependency, type DependencyWait, type DependencyWaitOptions } from './dependency-wait';
export { requestContext, requestLocals, resolveRequestId, type RequestLocals } from './request-context';
export { runMain, runService, type MainHooks, type RunServiceHooks, type RuntimeConfig } from './main';
export { createServiceRuntime, type ServiceRuntime, type ServiceRuntimeOptions } from './runtime';
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
  traceLogFields,
  injectTraceHeaders,
  xrayTraceHeader,
  contextFromXrayHeader,
  isValidXrayTraceHeader,
  traceHttpRequests,
  SpanKind,
  SpanStatusCode,
  ROOT_CONTEXT,
  type Span,
  type SpanOptions,
  type Attributes,
  type Context,
  type Link,
} from './tracing/tracing';
export { tracingSettingsFromEnv, type TracingSettings, type SamplerName } from './tracing/settings';
export { hashUserId } from './tracing/attributes';
export { createServiceShell, type ServiceShell, type ServeOptions } from './service-shell';
export {
  HttpError,
  httpError,
  isHttpError,
  toHttpError,
  errorBody,
  sendHttpError,
  sendLocalizedError,
  errorResponder,
  notFound,
  requestLanguage,
  COMMON_ERRORS,
  type ErrorBody,
  type Messages,
  type ErrorResponderOptions,
} from './http-error';
export { retryPolicy, retryBatch, type RetryOptions } from './retry';
export { startEmfExporter, emfSettingsFromEnv, emfEnv, type EmfExporter, type EmfSettings } from './emf';
