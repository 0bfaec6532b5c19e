/**
 * Request parsing and response shaping for the four Bedrock Runtime operations. Pure functions:
 * no I/O, so the shapes can be checked without a server.
 */
import type { Prompt } from './responder';

export type Operation = 'converse' | 'converse-stream' | 'invoke' | 'invoke-with-response-stream';
export const OPERATIONS: readonly Operation[] = [
  'converse',
  'converse-stream',
  'invoke',
  'invoke-with-response-stream',
];

export interface ModelRequest {
  prompt: Prompt;
  maxTokens: number | undefined;
  stopSequences: string[];
}

export class BadRequestError extends Error {
  readonly code = 'EMULATOR_VALIDATION';
}

const DEFAULT_MAX_TOKENS = 4096;

/** Converse / ConverseStream body: {messages:[{role, content:[{text}]}], system:[{text}], inferenceConfig}. */
export function parseConverse(body: unknown): ModelRequest {
  if (!isObject(body))
    throw new BadRequestError('Malformed input request, please reformat your input and try again.');
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new BadRequestError(
      'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
    );
  }
  const parsed = messages.map((m, i) => {
    if (!isObject(m) || (m.role !== 'user' && m.role !== 'assistant') || !Array.isArray(m.content)) {
      throw new BadRequestError(
        `1 validation error detected: Value at 'messages.${i + 1}' failed to satisfy constraint: role must be user or assistant and content a list`,
      );
    }
    return { role: m.role as 'user' | 'assistant', text: textOfBlocks(m.content) };
  });
  if (parsed[0].role !== 'user') {
    throw new BadRequestError(
      'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
    );
  }
  const system = Array.isArray(body.system) ? textOfBlocks(body.system) : '';
  const config = isObject(body.inferenceConfig) ? body.inferenceConfig : {};
  const maxTokens = config.maxTokens;
  if (maxTokens !== undefined && (typeof maxTokens !== 'number' || maxTokens < 1)) {
    throw new BadRequestError(
      "1 validation error detected: Value at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  }
  return {
    prompt: { system, messages: parsed },
    maxTokens: maxTokens as number | undefined,
    stopSequences: stringList(config.stopSequences),
  };
}

/** InvokeModel body in Anthropic's messages format (the only InvokeModel body the emulator speaks). */
export function parseAnthropic(raw: string): ModelRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new BadRequestError('Malformed input request, please reformat your input and try again.');
  }
  if (!isObject(body))
    throw new BadRequestError('Malformed input request, please reformat your input and try again.');
  for (const key of ['anthropic_version', 'max_tokens', 'messages']) {
    if (!(key in body)) {
      throw new BadRequestError(
        `Malformed input request: #: required key [${key}] not found, please reformat your input and try again.`,
      );
    }
  }
  if (typeof body.max_tokens !== 'number' || body.max_tokens < 1) {
    throw new BadRequestError(
      'Malformed input request: #/max_tokens: expected minimum: 1, please reformat your input and try again.',
    );
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new BadRequestError(
      'Malformed input request: #/messages: expected minimum item count: 1, please reformat your input and try again.',
    );
  }
  const messages = body.messages.map((m) => {
    if (!isObject(m) || (m.role !== 'user' && m.role !== 'assistant')) {
      throw new BadRequestError(
        'Malformed input request: #/messages: role must be user or assistant, please reformat your input and try again.',
      );
    }
    const text =
      typeof m.content === 'string' ? m.content : Array.isArray(m.content) ? textOfBlocks(m.content) : '';
    return { role: m.role as 'user' | 'assistant', text };
  });
  const system =
    typeof body.system === 'string'
      ? body.system
      : Array.isArray(body.system)
        ? textOfBlocks(body.system)
        : '';
  return {
    prompt: { system, messages },
    maxTokens: body.max_tokens,
    stopSequences: stringList(body.stop_sequences),
  };
}

export function effectiveMaxTokens(request: ModelRequest): number {
  return request.maxTokens ?? DEFAULT_MAX_TOKENS;
}

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence';

export interface Completion {
  text: string;
  stopReason: StopReason;
  stopSequence: string | null;
  inputTokens: number;
  outputTokens: number;
}

export function converseResponse(c: Completion, latencyMs: number): unknown {
  return {
    output: { message: { role: 'assistant', content: [{ text: c.text }] } },
    stopReason: c.stopReason,
    usage: {
      inputTokens: c.inputTokens,
      outputTokens: c.outputTokens,
      totalTokens: c.inputTokens + c.outputTokens,
    },
    metrics: { latencyMs },
  };
}

export function anthropicResponse(c: Completion, modelId: string, id: string): unknown {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: modelId,
    content: [{ type: 'text', text: c.text }],
    stop_reason: c.stopReason,
    stop_sequence: c.stopSequence,
    usage: { input_tokens: c.inputTokens, output_tokens: c.outputTokens },
  };
}

function textOfBlocks(blocks: unknown[]): string {
  return blocks
    .map((b) => (isObject(b) && typeof b.text === 'string' ? b.text : ''))
    .filter(Boolean)
    .join('\n');
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.length > 0) : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
