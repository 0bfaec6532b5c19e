import { isCriticalWriteCode } from './catalog-writer';

/** Bilingual text for codes a job can end with (shown through the admin API). */
export const JOB_ERROR_MESSAGES: Record<string, { ja: string; en: string }> = {
  BAD_JSON: { ja: 'メッセージがJSONとして読めません。', en: 'The message is not valid JSON.' },
  INVALID_JOB: { ja: 'ジョブの内容が不正です。', en: 'The job does not match the schema.' },
  CATALOG_WRITE_CRITICAL: {
    ja: 'カタログへの書き込みが拒否されました（権限またはテーブル設定を確認してください）。',
    en: 'The catalog write was refused (check permissions and the table configuration).',
  },
  CATALOG_WRITE_FAILED: { ja: 'カタログへの書き込みに失敗しました。', en: 'The catalog write failed.' },
  MODEL_FAILED: { ja: 'モデルの呼び出しに失敗しました。', en: 'The model call failed.' },
  ENQUEUE_FAILED: { ja: 'ジョブをキューに入れられませんでした。', en: 'The job could not be queued.' },
  JOB_FAILED: { ja: 'ジョブは失敗しました。', en: 'The job failed.' },
  RETRIES_EXHAUSTED: { ja: '再試行の上限に達しました。', en: 'The job ran out of retries.' },
};

/** A job that can never succeed as sent: recorded failed and moved to the DLQ without retries. */
export class PermanentJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly jobId?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

/** A job that may succeed later (model down, throttled past the budget, catalog throttled). */
export class RetryableJobError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RetryableJobError';
  }
}

export const isPermanent = (error: unknown): boolean => error instanceof PermanentJobError;

export function jobErrorMessage(code: string | undefined): { ja: string; en: string } {
  if (code && JOB_ERROR_MESSAGES[code]) return JOB_ERROR_MESSAGES[code];
  if (isCriticalWriteCode(code)) return JOB_ERROR_MESSAGES.CATALOG_WRITE_CRITICAL;
  return JOB_ERROR_MESSAGES.JOB_FAILED;
}
