import { createHash } from 'node:crypto';

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** A request with every default applied: exactly what is sent to the model. */
export interface ResolvedRequest {
  modelId: string;
  system: string | undefined;
  messages: ChatMessage[];
  maxTokens: number;
  temperature: number;
  topP: number | undefined;
  stopSequences: string[] | undefined;
}

// Bump when the cached value's shape or the key's inputs change, so old entries are ignored.
const KEY_VERSION = 1;

/**
 * sha256 over everything that shapes the answer, in a fixed order (an array, not an object, so
 * property order can never change the key). Two requests share a key only when the model would
 * see the same input with the same generation parameters.
 */
export function responseCacheKey(request: ResolvedRequest): string {
  const material = JSON.stringify([
    KEY_VERSION,
    request.modelId,
    request.system ?? null,
    request.messages.map((m) => [m.role, m.content]),
    request.maxTokens,
    request.temperature,
    request.topP ?? null,
    request.stopSequences ?? null,
  ]);
  return createHash('sha256').update(material).digest('hex');
}
