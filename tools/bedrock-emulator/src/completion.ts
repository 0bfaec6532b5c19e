import { answer, type PromptKind } from './responder';
import { countInputTokens, countTokens, truncateToTokens } from './tokens';
import { effectiveMaxTokens, type Completion, type ModelRequest } from './protocol';

/** Computes the full answer of a request (pure): reply text, stop reason and token usage. */
export function complete(request: ModelRequest, forcedReply?: string): Completion & { kind: PromptKind } {
  const computed =
    forcedReply === undefined ? answer(request.prompt) : { kind: 'forced' as const, text: forcedReply };
  let text = computed.text;
  let stopReason: Completion['stopReason'] = 'end_turn';
  let stopSequence: string | null = null;
  for (const sequence of request.stopSequences) {
    const at = text.indexOf(sequence);
    if (at >= 0 && (stopSequence === null || at < text.indexOf(stopSequence))) {
      stopSequence = sequence;
    }
  }
  if (stopSequence !== null) {
    text = text.slice(0, text.indexOf(stopSequence));
    stopReason = 'stop_sequence';
  }
  const cut = truncateToTokens(text, effectiveMaxTokens(request));
  if (cut.truncated) {
    text = cut.text;
    stopReason = 'max_tokens';
    stopSequence = null;
  }
  return {
    kind: computed.kind,
    text,
    stopReason,
    stopSequence,
    inputTokens: countInputTokens(request.prompt.system, request.prompt.messages),
    outputTokens: Math.max(1, countTokens(text)),
  };
}
