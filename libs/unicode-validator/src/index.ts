export { graphemeLength, truncateGraphemes } from './graphemes';
export { resolveLanguage, customerLanguage, LANGS, type Lang } from './language';
export { validateChatMessage, VALIDATION_CODES, localize } from './validate';
export { chatRequestSchema, type ChatRequest } from './request-schema';
