import { pino, type Logger, type DestinationStream } from 'pino';
import { tracingEnabled, traceLogFields } from './tracing/tracing';

export type { Logger };

/** Paths whose values never reach a log line (tokens, secrets, signatures, auth headers). */
const REDACTED_PATHS = [
  'authorization',
  'password',
  'secret',
  'token',
  'signature',
  '*.authorization',
  '*.Authorization',
  '*.password',
  '*.secret',
  '*.secrets',
  '*.token',
  '*.accessToken',
  '*.signature',
  '*.apiKey',
  'headers.authorization',
  'headers.cookie',
  'headers["stripe-signature"]',
  'headers["x-webhook-signature"]',
  'headers["x-catalog-signature"]',
  'headers["webhook-signature"]',
  'req.headers.authorization',
  'req.headers.cookie',
];

interface LoggerOptions {
  service: string;
  level?: string;
  /** For tests: where the JSON lines go (default stdout). */
  destination?: DestinationStream;
  /** trace_id / span_id of the active span on every line (default: when tracing is on). */
  traceContext?: boolean;
}

/**
 * An error's message followed by those of its causes, each cause added only when the text so far
 * does not already say it: wrappers that quote their cause ("model call failed: socket hang up")
 * then read once instead of "model call failed: model call failed: socket hang up: socket hang up".
 */
function readableErrorMessage(error: unknown): string {
  const seen = new Set<unknown>();
  let text = '';
  for (let e: unknown = error; e instanceof Error && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const message = e.message || e.name;
    if (!text) text = message;
    else if (message && !text.includes(message)) text += `: ${message}`;
  }
  return text || String(error);
}

const errSerializer = (error: unknown) => {
  if (!(error instanceof Error)) return error;
  return { ...pino.stdSerializers.err(error), message: readableErrorMessage(error) };
};

/**
 * Structured JSON logger: one line per event, `service` on every line, secrets redacted, and with
 * tracing on the active span's trace_id and span_id.
 */
export function createLogger({
  service,
  level = 'info',
  destination,
  traceContext = tracingEnabled(),
}: LoggerOptions): Logger {
  return pino(
    {
      level,
      ...(traceContext ? { mixin: traceLogFields } : {}),
      base: { service },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: errSerializer },
    },
    destination,
  );
}

const LEVEL_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const noop = () => undefined;
/**
 * What a lazy child answers under this key: the built logger its levels come from (its nearest
 * built ancestor), and its builder. Asked of the proxy itself rather than kept in a WeakMap: a
 * WeakMap entry per request (two per chat request) lives in an ephemeron table that only a full GC
 * clears.
 */
const LAZY = Symbol('lazyChild');
interface Lazy {
  levels: Logger;
  build: () => Logger;
}

/**
 * `parent.child(bindings)`, built when it first writes a line or is asked for its state: a
 * request's logger costs nothing before the work that matters (the model call), and nothing at
 * all when the request logs only at disabled levels (a pino child serialises and redacts its
 * bindings when it is made). Its own children are lazy too.
 */
export function lazyChild(parent: Logger, bindings: Record<string, unknown>): Logger {
  const lazyParent = (parent as Logger & { [LAZY]?: Lazy })[LAZY];
  const levels = lazyParent?.levels ?? parent;
  let built: Logger | undefined;
  const real = () => (built ??= (lazyParent?.build() ?? parent).child(bindings));
  const lazy: Lazy = { levels, build: real };
  const proxy: Logger = new Proxy(parent, {
    get(_target, prop) {
      if (prop === LAZY) return lazy;
      if (!built && typeof prop === 'string' && LEVEL_METHODS.has(prop) && !levels.isLevelEnabled(prop))
        return noop;
      if (!built && prop === 'child')
        return (childBindings: Record<string, unknown>, options?: object) =>
          options ? real().child(childBindings, options) : lazyChild(proxy, childBindings);
      const logger = real();
      const value: unknown = Reflect.get(logger, prop, logger);
      return typeof value === 'function' ? value.bind(logger) : value;
    },
    set(_target, prop, value) {
      return Reflect.set(real(), prop, value);
    },
  });
  return proxy;
}
