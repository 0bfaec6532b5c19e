import { estimateTokens } from './estimate';

export type Role = 'user' | 'assistant';
export interface Turn {
  role: Role;
  content: string;
}
export interface RequestShape {
  system?: string;
  messages: Turn[];
}
export type Estimate = (text: string) => number;

/** Role markers and message framing per message. */
export const MESSAGE_OVERHEAD_TOKENS = 4;
/** Framing of a non-empty system prompt. */
export const SYSTEM_OVERHEAD_TOKENS = 3;

export function estimateSystemTokens(
  system: string | undefined,
  estimate: Estimate = estimateTokens,
): number {
  return system ? estimate(system) + SYSTEM_OVERHEAD_TOKENS : 0;
}

export function estimateTurnTokens(turn: Turn, estimate: Estimate = estimateTokens): number {
  return estimate(turn.content) + MESSAGE_OVERHEAD_TOKENS;
}

/** Estimated input tokens of a whole model request: system prompt + every message + framing. */
export function estimateRequestTokens(req: RequestShape, estimate: Estimate = estimateTokens): number {
  let total = estimateSystemTokens(req.system, estimate);
  for (const m of req.messages) total += estimateTurnTokens(m, estimate);
  return total;
}
