/** Typed errors of the consumer. `poison` errors can never succeed on retry: straight to the DLQ. */
export class ConsumerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly poison = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The message is not an event we can ever process (not JSON, not an envelope, invalid detail). */
export class InvalidEventError extends ConsumerError {
  constructor(message: string, cause?: unknown) {
    super('INVALID_EVENT', message, true, { cause });
  }
}

/** The outbound webhook failed AND its DLQ refused the payload: the event must be retried. */
export class OutboundDeadLetterError extends ConsumerError {
  constructor(target: string, cause: unknown) {
    super('OUTBOUND_DLQ_FAILED', `outbound ${target} webhook failed and could not be dead-lettered`, false, {
      cause,
    });
  }
}

export function isPoisonError(error: unknown): boolean {
  return error instanceof ConsumerError && error.poison;
}
