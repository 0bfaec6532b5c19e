export { startLocalStack, type LocalStack, type LocalStackOptions } from './stack';
export {
  provision,
  eventBridgeQueuePolicy,
  type ProvisionResult,
  type ProvisionOptions,
  type ResourceChange,
  type ResourceKind,
  type ResourceStatus,
} from './provision';
export { startTtlSweep, ttlSweepSecondsFromEnv, type TtlSweep, type TtlSweepOptions } from './ttl-sweep';
export {
  probeRedis,
  findRedisServer,
  ephemeralRedisArgs,
  startEphemeralRedis,
  DEFAULT_REDIS_URL,
  type EphemeralRedis,
} from './redis';
export {
  BASE_PORTS,
  LOCAL_HOST,
  freePort,
  localPorts,
  portOffsetFromEnv,
  type LocalPorts,
  type PortName,
} from './ports';
export {
  LOCAL_JWT_SECRET,
  LOCAL_OUTBOUND_SECRET,
  LOCAL_WEBHOOK_SECRETS,
  localServices,
  type LocalService,
} from './services';
export { startWebhookSink, type WebhookSink, type SinkDelivery } from './webhook-sink';
export { startTraceCollector, type TraceCollector } from './traces/server';
export { decodeOtlpJson, waterfall, type StoredSpan, type TraceSummary } from './traces/store';
