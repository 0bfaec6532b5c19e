import { FmError, countsForBreaker, toFmError } from './errors';

const named = (name: string, message = 'boom') => Object.assign(new Error(message), { name });
const plain = { deadlineExceeded: false, callerAborted: false };

describe('mapping SDK errors to FmError', () => {
  it.each([
    ['ThrottlingException', 'THROTTLED', true],
    ['ServiceQuotaExceededException', 'THROTTLED', true],
    ['ValidationException', 'INVALID_REQUEST', false],
    ['ModelTimeoutException', 'TIMEOUT', true],
    ['InternalServerException', 'MODEL_ERROR', true],
    ['ServiceUnavailableException', 'MODEL_ERROR', true],
    ['ModelStreamErrorException', 'MODEL_ERROR', true],
    ['AccessDeniedException', 'MODEL_ERROR', false],
    ['ResourceNotFoundException', 'MODEL_ERROR', false],
  ])('%s -> %s (retryable %s)', (name, code, retryable) => {
    const err = toFmError(named(name), 'm', plain);
    expect(err).toMatchObject({ code, retryable, modelId: 'm', awsCode: name });
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('tells a deadline (TIMEOUT) from a caller abort (ABORTED)', () => {
    const abort = named('AbortError', 'aborted');
    expect(
      toFmError(abort, 'm', { deadlineExceeded: true, callerAborted: false, deadlineMs: 500 }).code,
    ).toBe('TIMEOUT');
    expect(toFmError(abort, 'm', { deadlineExceeded: false, callerAborted: true }).code).toBe('ABORTED');
    expect(toFmError(abort, 'm', plain).code).toBe('ABORTED');
  });

  it('maps network failures to a retryable MODEL_ERROR and keeps FmErrors as they are', () => {
    const net = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(toFmError(net, 'm', plain)).toMatchObject({ code: 'MODEL_ERROR', retryable: true });
    const original = new FmError('CIRCUIT_OPEN', 'open');
    expect(toFmError(original, 'm', plain)).toBe(original);
  });

  it('counts only model health failures toward the breaker', () => {
    expect(countsForBreaker(new FmError('THROTTLED', 'x'))).toBe(true);
    expect(countsForBreaker(new FmError('TIMEOUT', 'x'))).toBe(true);
    expect(countsForBreaker(new FmError('MODEL_ERROR', 'x'))).toBe(true);
    expect(countsForBreaker(new FmError('INVALID_REQUEST', 'x'))).toBe(false);
    expect(countsForBreaker(new FmError('ABORTED', 'x'))).toBe(false);
    expect(countsForBreaker(new Error('x'))).toBe(false);
  });

  it('carries a user-facing message in Japanese and English', () => {
    expect(new FmError('THROTTLED', 'x').userMessage.ja).toMatch(/混み合/);
    expect(new FmError('THROTTLED', 'x').userMessage.en).toMatch(/busy/);
  });
});
