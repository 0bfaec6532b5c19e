/** Base of every typed error of this lib: `code` is stable, `message` is English + Japanese. */
class EventSchemasError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export interface ValidationIssue {
  path: string;
  message: string;
}

type EventValidationCode =
  | 'UNKNOWN_DETAIL_TYPE'
  | 'INVALID_DETAIL'
  | 'INVALID_ENVELOPE'
  | 'SOURCE_MISMATCH'
  /** A character SQS refuses (U+FFFE, U+FFFF, lone surrogate): it could never be delivered. */
  | 'UNDELIVERABLE_CONTENT';

export class EventValidationError extends EventSchemasError {
  constructor(
    override readonly code: EventValidationCode,
    message: string,
    readonly issues: ValidationIssue[] = [],
    readonly detailType?: string,
    /** Position in a publish() batch, when the error comes from the publisher. */
    readonly index?: number,
  ) {
    super(code, message);
  }
}

export class EventTooLargeError extends EventSchemasError {
  constructor(
    readonly index: number,
    readonly sizeBytes: number,
    readonly maxBytes: number,
    readonly detailType: string,
  ) {
    super(
      'ENTRY_TOO_LARGE',
      `Event #${index} (${detailType}) is ${sizeBytes} bytes, over the ${maxBytes}-byte PutEvents entry limit / ` +
        `イベント #${index} (${detailType}) が ${sizeBytes} バイトで上限 ${maxBytes} バイトを超えています`,
    );
  }
}

export interface FailedEntry {
  index: number;
  detailType: string;
  errorCode: string;
  errorMessage: string;
  attempts: number;
}

export class PublishError extends EventSchemasError {
  constructor(
    readonly failed: FailedEntry[],
    /** Event ids of the entries that did get published (undefined where failed), in input order. */
    readonly eventIds: (string | undefined)[],
  ) {
    const summary = failed
      .slice(0, 5)
      .map((f) => `#${f.index} ${f.detailType}: ${f.errorCode} ${f.errorMessage}`)
      .join('; ');
    super(
      'PUBLISH_FAILED',
      `${failed.length} of ${eventIds.length} events were not published (${summary}) / ` +
        `${eventIds.length} 件中 ${failed.length} 件のイベントを発行できませんでした`,
    );
  }
}
