export { startLocalStack, type LocalStack, type LocalStackOptions } from './stack';
export { provision, type ProvisionResult } from './provision';
export { probeRedis, DEFAULT_REDIS_URL } from './redis';
