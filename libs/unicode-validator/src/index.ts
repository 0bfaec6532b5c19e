export { graphemeLength, graphemeSegmenter, measure, truncateGraphemes, type TextMetrics } from './graphemes';
export {
  resolveLanguage,
  detectLanguage,
  customerLanguage,
  toLang,
  DEFAULT_LANG,
  LANGS,
  type Lang,
  type LanguageInputs,
} from './language';
export {
  validateChatMessage,
  VALIDATION_CODES,
  localize,
  DEFAULT_MAX_GRAPHEMES,
  DEFAULT_MAX_UTF8_BYTES,
  type ValidateOptions,
  type ValidationCode,
  type ValidationFailure,
  type ValidationResult,
} from './validate';
export {
  chatRequestSchema,
  sendMessageRequestSchema,
  getHistoryRequestSchema,
  clearSessionRequestSchema,
  sessionIdSchema,
  messageSchema,
  langSchema,
  MAX_MESSAGE_UTF16_UNITS,
  type ChatRequest,
  type ChatAction,
  type SendMessageRequest,
  type GetHistoryRequest,
  type ClearSessionRequest,
} from './request-schema';
