import { HttpError } from '@manga-assist/service-runtime';

/** Why the receiver refuses or fails a delivery: code, HTTP status, and messages in English and Japanese. */
export const DELIVERY_ERRORS = {
  unknown_source: { status: 404, en: 'Unknown webhook source', ja: '不明なWebhookソースです' },
  missing_signature: { status: 401, en: 'Missing signature headers', ja: '署名ヘッダーがありません' },
  invalid_signature: { status: 403, en: 'Invalid signature', ja: '署名が無効です' },
  stale_timestamp: {
    status: 403,
    en: 'Timestamp outside the accepted window',
    ja: 'タイムスタンプが許容範囲外です',
  },
  invalid_json: { status: 400, en: 'Body is not valid JSON', ja: 'リクエスト本文が正しいJSONではありません' },
  missing_delivery_id: { status: 400, en: 'Delivery id is missing', ja: '配信IDがありません' },
  body_too_large: { status: 413, en: 'Body is too large', ja: 'リクエスト本文が大きすぎます' },
  too_many_items: {
    status: 413,
    en: 'Too many items in one delivery',
    ja: '1回の配信に含まれる項目が多すぎます',
  },
  invalid_payload: { status: 422, en: 'Payload is missing required fields', ja: '必須項目が不足しています' },
  payload_mismatch: {
    status: 422,
    en: 'This delivery id was already used with a different payload',
    ja: 'この配信IDは別の内容で既に使用されています',
  },
  undeliverable_content: {
    status: 422,
    en: 'The payload contains a character that can never be delivered (U+FFFE, U+FFFF or a lone surrogate); fix the content, retrying will not help',
    ja: '配信できない文字 (U+FFFE、U+FFFF、または単独のサロゲート) が含まれています。内容を修正してください (再送しても結果は同じです)',
  },
  rejected: {
    status: 422,
    en: 'The payload was refused while processing it; retrying the same delivery will not help',
    ja: '処理中に内容が受け付けられませんでした。同じ内容の再送では解決しません',
  },
  in_progress: {
    status: 409,
    en: 'This delivery is being processed; retry later',
    ja: 'この配信は処理中です。後で再試行してください',
  },
  processing_failed: {
    status: 500,
    en: 'Processing failed; retry the delivery',
    ja: '処理に失敗しました。再送してください',
  },
  unavailable: {
    status: 503,
    en: 'Temporarily unavailable; retry later',
    ja: '一時的に利用できません。後で再試行してください',
  },
} as const;

export type DeliveryErrorCode = keyof typeof DELIVERY_ERRORS;

/** A delivery the receiver refuses; thrown by validation, answered in the services' one error shape. */
export class DeliveryError extends HttpError {
  override readonly name = 'DeliveryError';
  override readonly code: DeliveryErrorCode;
  constructor(
    code: DeliveryErrorCode,
    readonly detail?: string,
  ) {
    const { status, en, ja } = DELIVERY_ERRORS[code];
    super(code, status, { en, ja }, detail ? { detail } : {});
    this.code = code;
    this.message = detail ? `${en}: ${detail}` : en;
  }
}
