type FmErrorCode = 'THROTTLED' | 'TIMEOUT' | 'CIRCUIT_OPEN' | 'INVALID_REQUEST' | 'MODEL_ERROR' | 'ABORTED';

/** Text a caller may show a user for each code (it never contains model or request details). */
const FM_ERROR_MESSAGES: Record<FmErrorCode, { ja: string; en: string }> = {
  THROTTLED: {
    ja: 'ただいま混み合っています。少し時間をおいてもう一度お試しください。',
    en: 'The assistant is busy right now. Please try again in a moment.',
  },
  TIMEOUT: {
    ja: '応答に時間がかかりすぎています。もう一度お試しください。',
    en: 'The answer took too long. Please try again.',
  },
  CIRCUIT_OPEN: {
    ja: 'AIアシスタントは一時的に利用できません。しばらくしてからお試しください。',
    en: 'The assistant is temporarily unavailable. Please try again later.',
  },
  INVALID_REQUEST: {
    ja: 'リクエストを処理できませんでした。',
    en: 'The request could not be processed.',
  },
  MODEL_ERROR: {
    ja: 'AIアシスタントでエラーが発生しました。もう一度お試しください。',
    en: 'The assistant ran into an error. Please try again.',
  },
  ABORTED: { ja: 'リクエストは中止されました。', en: 'The request was cancelled.' },
};

const RETRYABLE: Record<FmErrorCode, boolean> = {
  THROTTLED: true,
  TIMEOUT: true,
  CIRCUIT_OPEN: true,
  INVALID_REQUEST: false,
  MODEL_ERROR: true,
  ABORTED: false,
};

interface FmErrorDetails {
  modelId?: string;
  cause?: unknown;
  retryable?: boolean;
  /** The AWS error name behind it (ThrottlingException, ValidationException...). */
  awsCode?: string;
}

/** The one error type fm-client throws: `code` says what a caller can do about it. */
export class FmError extends Error {
  readonly retryable: boolean;
  readonly modelId: string | undefined;
  readonly awsCode: string | undefined;

  constructor(
    readonly code: FmErrorCode,
    message: string,
    details: FmErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'FmError';
    this.retryable = details.retryable ?? RETRYABLE[code];
    this.modelId = details.modelId;
    this.awsCode = details.awsCode;
  }

  get userMessage(): { ja: string; en: string } {
    return FM_ERROR_MESSAGES[this.code];
  }
}

export function isFmError(err: unknown, code?: FmErrorCode): err is FmError {
  return err instanceof FmError && (code === undefined || err.code === code);
}

/** Failures that say the model is unhealthy and so count toward opening its circuit. */
export function countsForBreaker(err: unknown): boolean {
  return (
    err instanceof FmError &&
    (err.code === 'THROTTLED' || err.code === 'TIMEOUT' || err.code === 'MODEL_ERROR')
  );
}

const THROTTLE_NAMES = new Set([
  'ThrottlingException',
  'ServiceQuotaExceededException',
  'TooManyRequestsException',
]);
const INVALID_NAMES = new Set(['ValidationException']);
// Not transient: retrying the same call cannot help, but they do mean the model is unusable.
const PERMANENT_MODEL_NAMES = new Set([
  'AccessDeniedException',
  'ResourceNotFoundException',
  'UnrecognizedClientException',
]);

interface AbortContext {
  /** True when the call's own deadline fired (as opposed to the caller's signal). */
  deadlineExceeded: boolean;
  /** True when the caller's signal aborted. */
  callerAborted: boolean;
  deadlineMs?: number;
}

/** Maps whatever the SDK (or the network) threw into an FmError. */
export function toFmError(err: unknown, modelId: string, abort: AbortContext): FmError {
  if (err instanceof FmError) return err;
  const name = (err as { name?: string } | null)?.name ?? '';
  const message = (err as { message?: string } | null)?.message ?? String(err);
  if (abort.deadlineExceeded) {
    return new FmError('TIMEOUT', `model call exceeded its ${abort.deadlineMs ?? '?'} ms deadline`, {
      modelId,
      cause: err,
    });
  }
  if (abort.callerAborted || name === 'AbortError') {
    return new FmError('ABORTED', 'model call aborted by the caller', { modelId, cause: err });
  }
  if (THROTTLE_NAMES.has(name)) {
    return new FmError('THROTTLED', `model throttled: ${message}`, { modelId, cause: err, awsCode: name });
  }
  if (INVALID_NAMES.has(name)) {
    return new FmError('INVALID_REQUEST', `model rejected the request: ${message}`, {
      modelId,
      cause: err,
      awsCode: name,
    });
  }
  if (name === 'ModelTimeoutException') {
    return new FmError('TIMEOUT', `model timed out: ${message}`, { modelId, cause: err, awsCode: name });
  }
  if (PERMANENT_MODEL_NAMES.has(name)) {
    return new FmError('MODEL_ERROR', `model unusable: ${name}: ${message}`, {
      modelId,
      cause: err,
      awsCode: name,
      retryable: false,
    });
  }
  return new FmError('MODEL_ERROR', `model call failed: ${name || 'Error'}: ${message}`, {
    modelId,
    cause: err,
    ...(name ? { awsCode: name } : {}),
  });
}
