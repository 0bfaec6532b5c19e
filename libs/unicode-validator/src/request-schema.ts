import { z } from 'zod';

/**
 * API Gateway-style coarse limit: JSON Schema maxLength counts UTF-16 code units, so this is twice
 * the real 4,000-grapheme limit (seed scenario 3). The accurate check is validateChatMessage.
 */
export const MAX_MESSAGE_UTF16_UNITS = 8000;

const langSchema = z.enum(['ja', 'en']);

const sessionIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, { error: 'sessionId may contain only letters, digits and . _ : -' });

// Not z.string().max(): zod 4 counts code points there, API Gateway counts UTF-16 code units.
const messageSchema = z
  .string()
  .min(1)
  .refine((s) => s.length <= MAX_MESSAGE_UTF16_UNITS, {
    error: `message exceeds ${MAX_MESSAGE_UTF16_UNITS} UTF-16 code units`,
  });

/** sendMessage without a sessionId starts a new session. */
const sendMessageRequestSchema = z.object({
  action: z.literal('sendMessage'),
  data: z.object({ sessionId: sessionIdSchema.optional(), message: messageSchema }),
  lang: langSchema.optional(),
});

const getHistoryRequestSchema = z.object({
  action: z.literal('getHistory'),
  data: z.object({ sessionId: sessionIdSchema, limit: z.int().min(1).max(100).optional() }),
  lang: langSchema.optional(),
});

const clearSessionRequestSchema = z.object({
  action: z.literal('clearSession'),
  data: z.object({ sessionId: sessionIdSchema }),
  lang: langSchema.optional(),
});

/**
 * The chat request envelope `{ action, data, lang? }` of the seeds, for POST /v1/chat and the
 * WebSocket. Unknown keys are stripped. `lang` picks the language of error messages.
 */
export const chatRequestSchema = z.discriminatedUnion('action', [
  sendMessageRequestSchema,
  getHistoryRequestSchema,
  clearSessionRequestSchema,
]);

export type ChatRequest = z.infer<typeof chatRequestSchema>;
