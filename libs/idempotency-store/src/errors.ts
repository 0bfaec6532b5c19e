type IdempotencyErrorCode =
  /** The result passed to complete() serialises to more than maxResultBytes. */
  | 'RESULT_TOO_LARGE'
  /** complete()/release() with a token that does not own the claim (wrong token, reclaimed, gone). */
  | 'CLAIM_LOST'
  /** The key is empty or longer than DynamoDB allows for a partition key. */
  | 'INVALID_KEY'
  /** The stored record is not one this library wrote (corrupt or foreign item). */
  | 'CORRUPT_RECORD'
  /** DynamoDB failed (network, throttling after the SDK's retries, missing table...). */
  | 'STORE_UNAVAILABLE';

export class IdempotencyError extends Error {
  override readonly name = 'IdempotencyError';
  constructor(
    readonly code: IdempotencyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}
