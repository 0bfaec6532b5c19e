/** Lower-cased request headers (Node's IncomingHttpHeaders shape). */
export type Headers = Record<string, string | string[] | undefined>;

export interface VerifyInput {
  headers: Headers;
  /** The request body exactly as received. */
  rawBody: Buffer;
  /** Every active secret of the source (rotation: any one may have signed). */
  secrets: readonly string[];
  /** Current time, epoch seconds. */
  nowSeconds: number;
  /** Accepted clock difference, both ways, seconds. */
  toleranceSeconds: number;
}

/**
 * Why a delivery was refused, in the order the checks run:
 * missing_header (401) -> malformed / bad_signature (403) -> stale (403).
 */
export type VerifyFailure = 'missing_header' | 'malformed' | 'bad_signature' | 'stale';

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: VerifyFailure };

export interface SignInput {
  secret: string;
  /** Epoch seconds. */
  timestampSeconds: number;
  rawBody: string | Buffer;
  /** Standard Webhooks' `webhook-id` (a fresh `msg_` id when absent); the other schemes ignore it. */
  id?: string;
}

export interface SignatureScheme {
  readonly name: 'stripe' | 'partner' | 'standard';
  /** Headers the scheme needs; any one absent answers 401 before the body is looked at. */
  readonly requiredHeaders: readonly string[];
  verify(input: VerifyInput): VerifyResult;
  /** The headers a sender of this scheme sends with the body (tests, samples, the dev CLI). */
  sign(input: SignInput): Record<string, string>;
}

export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}
