import { z } from 'zod';
import { jsonSchemaOf } from '@manga-assist/api-contracts';
import { chatRequestSchema } from '@manga-assist/unicode-validator';
import { clearSessionAnswerSchema, getHistoryAnswerSchema, sendMessageAnswerSchema } from './openapi';

const id = z.string().describe('The id of the client frame this answers.');

/**
 * The WebSocket protocol of `/v1/ws` as zod schemas (the AsyncAPI document and the tests' frame
 * checks are built from these). Order for one sendMessage: start, delta* (seq 0, 1, ...), restart?
 * (the partial answer is discarded, deltas of the fallback follow), then final or error.
 */
export const WS_CLIENT_FRAMES = {
  request: z
    .intersection(z.object({ id: z.string().optional() }), chatRequestSchema)
    .describe('A chat action, with an id the answers repeat.'),
};

export const WS_SERVER_FRAMES = {
  start: z.object({
    type: z.literal('start'),
    id,
    sessionId: z.string(),
    model: z.string(),
    variant: z.string(),
  }),
  delta: z.object({ type: z.literal('delta'), id, seq: z.number().int().min(0), text: z.string() }),
  restart: z.object({ type: z.literal('restart'), id, reason: z.string() }),
  final: z.object({ type: z.literal('final'), id, ...sendMessageAnswerSchema.shape }),
  history: z.object({ type: z.literal('history'), id, ...getHistoryAnswerSchema.shape }),
  cleared: z.object({ type: z.literal('cleared'), id, ...clearSessionAnswerSchema.shape }),
  error: z.object({
    type: z.literal('error'),
    id: id.optional().describe('Absent when the frame could not be read at all.'),
    code: z.string(),
    message: z.string(),
    retryAfterSeconds: z.number().optional(),
  }),
};

/** AsyncAPI 3 for the chat WebSocket `/v1/ws`: each client message and server frame. */
export function chatWsAsyncApi(): Record<string, unknown> {
  const messages: Record<string, unknown> = {
    request: {
      name: 'request',
      title: 'Client frame',
      payload: jsonSchemaOf(WS_CLIENT_FRAMES.request, 'input'),
    },
  };
  for (const [name, schema] of Object.entries(WS_SERVER_FRAMES))
    messages[name] = { name, title: `Server frame: ${name}`, payload: jsonSchemaOf(schema, 'output') };
  const ref = (name: string) => ({ $ref: `#/components/messages/${name}` });
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'MangaAssist chat WebSocket',
      version: '1.0.0',
      description:
        'Bearer token on the upgrade. For sendMessage the server answers start, delta* (seq 0, 1, ...), optionally restart (discard the partial answer; ' +
        'the fallback answer streams next), then final or error. getHistory -> history, clearSession -> cleared; any failure -> error.',
    },
    servers: { local: { host: '127.0.0.1:3000', protocol: 'ws', pathname: '/v1/ws' } },
    channels: {
      chat: {
        address: '/v1/ws',
        messages: Object.fromEntries(Object.keys(messages).map((m) => [m, ref(m)])),
      },
    },
    operations: {
      sendRequest: {
        action: 'receive',
        channel: { $ref: '#/channels/chat' },
        messages: [{ $ref: '#/channels/chat/messages/request' }],
      },
      sendFrames: {
        action: 'send',
        channel: { $ref: '#/channels/chat' },
        messages: Object.keys(WS_SERVER_FRAMES).map((m) => ({ $ref: `#/channels/chat/messages/${m}` })),
      },
    },
    components: { messages },
  };
}
