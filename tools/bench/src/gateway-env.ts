// The environment a bench starts chat-gateway with: pointed at a local stack, local mode (a dev
// token issuer with a fixed secret), on 127.0.0.1, the response cache off so every message reaches
// the model. Each bench adds what it measures by (port, log level, limits).
const BENCH_JWT_SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';

/** As benchGatewayEnv, for a gateway whose CPU and latency are measured: warn logs, a rate limit no bench reaches, no trace export. */
export function measuredGatewayEnv(
  stack: { env: Record<string, string>; redisKeyPrefix?: string },
  overrides: Record<string, string>,
): NodeJS.ProcessEnv {
  return benchGatewayEnv(stack, {
    LOG_LEVEL: 'warn',
    RATE_LIMIT_POINTS: '10000000',
    OTEL_TRACES_EXPORTER: 'none',
    ...overrides,
  });
}

export function benchGatewayEnv(
  stack: { env: Record<string, string>; redisKeyPrefix?: string },
  overrides: Record<string, string>,
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...stack.env,
    ...(stack.redisKeyPrefix ? { REDIS_KEY_PREFIX: stack.redisKeyPrefix } : {}),
    HOST: '127.0.0.1',
    AUTH_JWT_SECRET: BENCH_JWT_SECRET,
    AUTH_DEV_ISSUER: 'true',
    FM_CACHE_ENABLED: 'false',
    ...overrides,
  };
}
