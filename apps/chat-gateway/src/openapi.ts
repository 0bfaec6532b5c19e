import { z } from 'zod';
import { buildOpenApiDocument, opsRoutes, type RouteSpec } from '@manga-assist/api-contracts';
import { chatRequestSchema, VALIDATION_CODES } from '@manga-assist/unicode-validator';
import { AUTH_ERROR_CODES } from '@manga-assist/identity';
import { CHAT_ERRORS, type HistoryResult, type SendResult } from './chat-service';

/** What each action answers with (200). The type checks below keep them equal to the chat core's types. */
export const sendMessageAnswerSchema = z.object({
  sessionId: z.string(),
  text: z.string().describe('The assistant answer.'),
  model: z.string(),
  variant: z.string().describe('A/B variant (":fallback" when the fallback model answered).'),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }),
  costUsd: z.number(),
  cached: z.boolean(),
  path: z.enum(['primary', 'fallback', 'apology']),
  truncated: z.boolean().describe('History turns were left out to fit the input budget.'),
  latencyMs: z.number(),
  persisted: z
    .boolean()
    .describe(
      'False when the exchange could not be saved. REST saves right after answering: true there means handed to the session writer (a write failing later is logged and counted).',
    ),
  products: z
    .array(
      z.object({
        mangaId: z.string(),
        title: z.string(),
        volume: z.number().optional(),
        price: z.number().optional().describe('Yen.'),
        url: z.string(),
      }),
    )
    .describe('Catalog titles the message mentioned (what grounding gave the model), for product cards.'),
});
export const getHistoryAnswerSchema = z.object({
  sessionId: z.string(),
  summary: z.string().optional(),
  turns: z.array(
    z.object({
      role: z.enum(['user', 'assistant']),
      content: z.string(),
      at: z
        .number()
        .describe('Epoch ms: a user message when the gateway received it, an answer when it was ready.'),
    }),
  ),
  expiresAt: z.number().describe('Epoch seconds when the session expires.'),
});
export const clearSessionAnswerSchema = z.object({ sessionId: z.string(), cleared: z.literal(true) });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _sendMatches: Same<z.infer<typeof sendMessageAnswerSchema>, SendResult> = true;
const _historyMatches: Same<z.infer<typeof getHistoryAnswerSchema>, HistoryResult> = true;
void [_sendMatches, _historyMatches];

const devTokenRequestSchema = z.object({
  userId: z.string().optional().describe('Random when left out.'),
  roles: z
    .array(z.string())
    .optional()
    .describe('["staff"] for the admin APIs of the worker and the moderation consumer.'),
});
const devTokenAnswerSchema = z.object({
  token: z.string(),
  userId: z.string(),
  roles: z.array(z.string()),
  expiresIn: z.number(),
  tokenType: z.literal('Bearer'),
});

const RETRY_AFTER = { name: 'retry-after', description: 'Seconds to wait before retrying.', required: true };

function chatRoutes(): RouteSpec[] {
  return [
    {
      method: 'post',
      path: '/v1/chat',
      operationId: 'chat',
      summary: 'One chat action: sendMessage, getHistory or clearSession.',
      description:
        'The envelope `{ action, data, lang? }` (one schema per action). The answer language: `lang`, else the script of the message, ' +
        'else Accept-Language, else ja. ' +
        'The message is also checked as users see it (at most 4,000 grapheme clusters, no lone surrogates or control characters).',
      tags: ['chat'],
      security: 'bearer',
      headers: [
        {
          name: 'accept-language',
          description: 'Answer/error language when the request does not decide it.',
        },
      ],
      requestBody: { schema: chatRequestSchema },
      responses: {
        200: {
          description:
            'The action answer: sendMessage -> the assistant answer; getHistory -> the turns; clearSession -> cleared.',
          schema: z.union([sendMessageAnswerSchema, getHistoryAnswerSchema, clearSessionAnswerSchema]),
        },
        400: {
          description: 'The body is not JSON, or not a valid request.',
          errorCodes: ['INVALID_JSON', 'INVALID_REQUEST', 'BAD_REQUEST', ...VALIDATION_CODES],
        },
        401: {
          description: 'No valid bearer token.',
          errorCodes: AUTH_ERROR_CODES,
          headers: [{ name: 'www-authenticate', description: 'Bearer', required: true }],
        },
        404: {
          description: "The session does not exist (or is not the caller's).",
          errorCodes: [CHAT_ERRORS.sessionNotFound().code],
        },
        409: {
          description: 'The previous message of this session is still being answered.',
          errorCodes: [CHAT_ERRORS.busy().code],
        },
        413: {
          description: 'The body is over the limit.',
          errorCodes: ['PAYLOAD_TOO_LARGE'],
          errorDetails: { limitBytes: z.number() },
        },
        429: {
          description: 'Too many messages from this user.',
          errorCodes: [CHAT_ERRORS.rateLimited(1).code],
          errorDetails: { retryAfterSeconds: z.number() },
          headers: [RETRY_AFTER],
        },
        500: { description: 'Unexpected failure; retry.', errorCodes: [CHAT_ERRORS.internal().code] },
      },
    },
    {
      method: 'post',
      path: '/dev/token',
      operationId: 'devToken',
      summary: 'Local mode only (AUTH_DEV_ISSUER=true): a signed test token for a user id.',
      tags: ['local'],
      requestBody: { schema: devTokenRequestSchema },
      responses: {
        200: { description: 'A bearer token.', schema: devTokenAnswerSchema },
        400: {
          description: 'The user id is not valid, or the body is not JSON.',
          errorCodes: ['INVALID_USER_ID', 'INVALID_JSON', 'BAD_REQUEST'],
        },
        413: {
          description: 'The body is over 1 KiB.',
          errorCodes: ['PAYLOAD_TOO_LARGE'],
          errorDetails: { limitBytes: z.number() },
        },
      },
    },
    {
      method: 'get',
      path: '/',
      operationId: 'chatPage',
      summary: 'Local mode only (WEB_UI=true): the browser chat page.',
      tags: ['local'],
      responses: { 200: { description: 'HTML page.', contentType: 'text/html' } },
    },
  ];
}

/** The gateway's OpenAPI 3.1 document (the WebSocket protocol is in its AsyncAPI document). */
export function chatGatewayOpenApi(): Record<string, unknown> {
  return buildOpenApiDocument({
    title: 'MangaAssist chat gateway',
    version: '1.0.0',
    description:
      'Chat over HTTP (`POST /v1/chat`) for the mobile and web clients. Every error answer is `{ "error": { "code", "message", ...details } }` ' +
      'with `message` in the request language (`content-language`); a path no route serves answers 404 NOT_FOUND in that shape.',
    routes: [...chatRoutes(), ...opsRoutes()],
  });
}
