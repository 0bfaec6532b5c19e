import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line (tokens, secrets, signatures, auth headers). */
export const REDACTED_PATHS = [
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

export interface LoggerOptions {
  service: string;
  level?: string;
  /** For tests: where the JSON lines go (default stdout). */
  destination?: DestinationStream;
}

/** Structured JSON logger: one line per event, `service` on every line, secrets redacted. */
export function createLogger({ service, level = 'info', destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}
