import {
  chatRequestSchema,
  localize,
  resolveLanguage,
  validateChatMessage,
  type ChatRequest,
  type Lang,
} from '@manga-assist/unicode-validator';

export type ParsedChatRequest =
  { ok: true; request: ChatRequest; lang: Lang } | { ok: false; lang: Lang; code: string; message: string };

const INVALID_REQUEST = {
  ja: 'リクエストの形式が正しくありません。',
  en: 'The request is not valid.',
};

/**
 * Validation before anything else (seed scenario 3): the message is checked as users see it
 * (grapheme clusters, lone surrogates, control characters) first, then the envelope's shape.
 * The request's language is decided here, once (resolveLanguage: `lang`, else the message's own
 * script, else Accept-Language, else Japanese); errors, the answer, events and metrics all use it.
 */
export function parseChatRequest(body: unknown, acceptLanguage: string | undefined): ParsedChatRequest {
  const obj = (typeof body === 'object' && body !== null ? body : {}) as {
    lang?: unknown;
    data?: { message?: unknown };
  };
  const data = typeof obj.data === 'object' && obj.data !== null ? obj.data : undefined;
  const lang = resolveLanguage({
    explicit: typeof obj.lang === 'string' ? obj.lang : undefined,
    text: typeof data?.message === 'string' ? data.message : undefined,
    acceptLanguage,
  });
  let message: string | undefined;
  if (data && 'message' in data) {
    const checked = validateChatMessage(data.message);
    if (!checked.ok)
      return { ok: false, lang, code: checked.error.code, message: localize(checked.error, lang) };
    message = checked.text;
  }
  const parsed = chatRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'body';
    return {
      ok: false,
      lang,
      code: 'INVALID_REQUEST',
      message: `${INVALID_REQUEST[lang]} (${where}: ${issue?.message ?? 'invalid'})`,
    };
  }
  const request = parsed.data;
  if (request.action === 'sendMessage' && message !== undefined) request.data.message = message;
  return { ok: true, request, lang };
}
