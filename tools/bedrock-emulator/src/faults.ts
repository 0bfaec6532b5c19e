export const ERROR_TYPES = [
  'ThrottlingException',
  'ValidationException',
  'ModelTimeoutException',
  'InternalServerException',
  'ServiceUnavailableException',
  'ModelNotReadyException',
  'ModelErrorException',
  'AccessDeniedException',
  'ResourceNotFoundException',
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

export const ERROR_STATUS: Record<ErrorType | 'ModelStreamErrorException', number> = {
  ThrottlingException: 429,
  ValidationException: 400,
  ModelTimeoutException: 408,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
  ModelNotReadyException: 429,
  ModelErrorException: 424,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelStreamErrorException: 424,
};

/** Faults, all settable at runtime. Probabilities are 0..1 and drawn from the seeded generator. */
export interface Faults {
  /** Probability of answering ThrottlingException (429). */
  throttleRate: number;
  /** Probability of answering a server error (`serverErrorType`). */
  serverErrorRate: number;
  serverErrorType: 'InternalServerException' | 'ServiceUnavailableException' | 'ModelTimeoutException';
  /** Probability of never answering (the request hangs until the client aborts). */
  hangRate: number;
  /** Streams: after this many text deltas, send a ModelStreamErrorException frame. null = off. */
  streamErrorAfterDeltas: number | null;
  /** Added before the first token (milliseconds, multiplied by timeScale like every delay). */
  extraLatencyMs: number;
  /** Concurrent requests allowed per model id; beyond it ThrottlingException. null = unlimited. */
  concurrencyLimit: number | null;
  /** Per-model overrides of concurrencyLimit, keyed by a model id substring (e.g. "sonnet"). */
  concurrencyLimits: Record<string, number>;
  /** Requests admitted per second per model id (sliding second); beyond it ThrottlingException. null = unlimited. */
  rateLimit: number | null;
  /** The next `count` model requests fail with `type` (deterministic, for breaker tests). */
  failNext: { type: ErrorType; count: number } | null;
  /** Replies used (one each, in order) by the next model requests instead of the computed answer. */
  nextReplies: string[];
  /** When non-empty, faults apply only to model ids containing one of these substrings. */
  onlyModels: string[];
}

/** What callers may pass: any subset of Faults, plus `nextReply` (appends one forced reply). */
export type FaultsPatch = Partial<Faults> & { nextReply?: string };

export const NO_FAULTS: Faults = {
  throttleRate: 0,
  serverErrorRate: 0,
  serverErrorType: 'InternalServerException',
  hangRate: 0,
  streamErrorAfterDeltas: null,
  extraLatencyMs: 0,
  concurrencyLimit: null,
  concurrencyLimits: {},
  rateLimit: null,
  failNext: null,
  nextReplies: [],
  onlyModels: [],
};

export class FaultInputError extends Error {
  readonly code = 'EMULATOR_BAD_FAULTS';
}

const rate = (name: string, value: unknown): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new FaultInputError(`${name} must be a number in 0..1`);
  return n;
};
const nonNegative = (name: string, value: unknown): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new FaultInputError(`${name} must be a number >= 0`);
  return n;
};

/** Validates a partial update (from the admin API, env or code) and merges it over `current`. */
export function mergeFaults(current: Faults, patch: Record<string, unknown>): Faults {
  const next: Faults = {
    ...current,
    concurrencyLimits: { ...current.concurrencyLimits },
    nextReplies: [...current.nextReplies],
  };
  for (const [key, value] of Object.entries(patch)) {
    switch (key) {
      case 'throttleRate':
      case 'serverErrorRate':
      case 'hangRate':
        next[key] = rate(key, value);
        break;
      case 'serverErrorType':
        if (
          value !== 'InternalServerException' &&
          value !== 'ServiceUnavailableException' &&
          value !== 'ModelTimeoutException'
        ) {
          throw new FaultInputError(
            'serverErrorType must be InternalServerException, ServiceUnavailableException or ModelTimeoutException',
          );
        }
        next.serverErrorType = value;
        break;
      case 'streamErrorAfterDeltas':
        next.streamErrorAfterDeltas = value === null ? null : Math.floor(nonNegative(key, value));
        break;
      case 'extraLatencyMs':
        next.extraLatencyMs = nonNegative(key, value);
        break;
      case 'concurrencyLimit':
        next.concurrencyLimit = value === null ? null : Math.floor(nonNegative(key, value));
        break;
      case 'rateLimit':
        next.rateLimit = value === null ? null : nonNegative(key, value);
        break;
      case 'concurrencyLimits':
        if (typeof value !== 'object' || value === null)
          throw new FaultInputError('concurrencyLimits must be an object');
        next.concurrencyLimits = Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k, Math.floor(nonNegative(`concurrencyLimits.${k}`, v))]),
        );
        break;
      case 'failNext':
        if (value === null) {
          next.failNext = null;
          break;
        }
        if (typeof value !== 'object' || !ERROR_TYPES.includes((value as { type: ErrorType }).type)) {
          throw new FaultInputError(`failNext must be {type: one of ${ERROR_TYPES.join('|')}, count}`);
        }
        next.failNext = {
          type: (value as { type: ErrorType }).type,
          count: Math.floor(nonNegative('failNext.count', (value as { count?: unknown }).count ?? 1)),
        };
        break;
      case 'nextReply':
        if (typeof value !== 'string') throw new FaultInputError('nextReply must be a string');
        next.nextReplies.push(value);
        break;
      case 'nextReplies':
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
          throw new FaultInputError('nextReplies must be strings');
        next.nextReplies = [...value];
        break;
      case 'onlyModels':
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
          throw new FaultInputError('onlyModels must be strings');
        next.onlyModels = [...value];
        break;
      default:
        throw new FaultInputError(`unknown fault "${key}"`);
    }
  }
  return next;
}

/** Reads faults from the CLI environment (BEDROCK_EMULATOR_FAULT_*). */
export function faultsFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const map: [string, string, (v: string) => unknown][] = [
    ['FAULT_THROTTLE_RATE', 'throttleRate', Number],
    ['FAULT_SERVER_ERROR_RATE', 'serverErrorRate', Number],
    ['FAULT_SERVER_ERROR_TYPE', 'serverErrorType', String],
    ['FAULT_HANG_RATE', 'hangRate', Number],
    ['FAULT_STREAM_ERROR_AFTER', 'streamErrorAfterDeltas', Number],
    ['FAULT_EXTRA_LATENCY_MS', 'extraLatencyMs', Number],
    ['FAULT_CONCURRENCY_LIMIT', 'concurrencyLimit', Number],
    ['FAULT_CONCURRENCY_LIMITS', 'concurrencyLimits', (v) => JSON.parse(v)],
    ['FAULT_RATE_LIMIT', 'rateLimit', Number],
    [
      'FAULT_ONLY_MODELS',
      'onlyModels',
      (v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
    ],
  ];
  for (const [suffix, key, parse] of map) {
    const raw = env[`BEDROCK_EMULATOR_${suffix}`];
    if (raw !== undefined && raw !== '') patch[key] = parse(raw);
  }
  return patch;
}

export function appliesTo(faults: Faults, modelId: string): boolean {
  return faults.onlyModels.length === 0 || faults.onlyModels.some((s) => modelId.includes(s));
}

export function concurrencyLimitFor(faults: Faults, modelId: string): number | null {
  for (const [substring, limit] of Object.entries(faults.concurrencyLimits)) {
    if (modelId.includes(substring)) return limit;
  }
  return faults.concurrencyLimit;
}

/** Small seeded PRNG (mulberry32): the same seed replays the same fault sequence. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
