import { estimateTokens } from './estimate';
import { estimateSystemTokens, estimateTurnTokens, type Estimate, type Turn } from './request';

interface TruncateInput {
  history: Turn[];
  currentMessage: string;
  system?: string;
  budgetTokens: number;
  estimate?: Estimate;
}

interface TruncateResult {
  history: Turn[];
  /** estimateRequestTokens of system + returned history + current message (same estimate). */
  estimatedTokens: number;
  /** How many turns of the input history were left out. */
  dropped: number;
  fits: boolean;
  reason?: 'CURRENT_MESSAGE_EXCEEDS_BUDGET';
}

/** A user turn with the assistant turn(s) answering it; dropped or kept as a whole. */
interface Exchange {
  turns: Turn[];
  tokens: number;
}

function toExchanges(history: Turn[], estimate: Estimate): Exchange[] {
  const out: Exchange[] = [];
  for (const turn of history) {
    const tokens = estimateTurnTokens(turn, estimate);
    const last = out[out.length - 1];
    if (turn.role === 'user' || !last) out.push({ turns: [turn], tokens });
    else {
      last.turns.push(turn);
      last.tokens += tokens;
    }
  }
  return out;
}

const sum = (xs: Exchange[]) => xs.reduce((n, x) => n + x.tokens, 0);

/** Newest exchanges first, stopping at the first that does not fit (the kept run stays contiguous). */
function fillNewestFirst(candidates: Exchange[], available: number): Exchange[] {
  const kept: Exchange[] = [];
  let left = available;
  for (let i = candidates.length - 1; i >= 0; i--) {
    if (candidates[i].tokens > left) break;
    left -= candidates[i].tokens;
    kept.unshift(candidates[i]);
  }
  return kept;
}

/**
 * Fits the conversation history into an input-token budget (seed scenario 1), in whole exchanges
 * (a user turn with its answer), order kept:
 * 1. everything, if it fits;
 * 2. else the first exchange (it sets the topic) + the last 3, and the middle filled newest-first;
 * 3. else (even those do not fit) the newest exchanges that fit, newest-first.
 * Guarantee the seed lacks: when fits is true, system + returned history + current message (with
 * framing) <= budgetTokens. When the current message and system alone exceed the budget, fits is
 * false, the history is empty and reason says why.
 */
export function truncateHistory(input: TruncateInput): TruncateResult {
  const estimate = input.estimate ?? estimateTokens;
  const history = input.history ?? [];
  const base =
    estimateSystemTokens(input.system, estimate) +
    estimateTurnTokens({ role: 'user', content: input.currentMessage }, estimate);
  const budget = input.budgetTokens;
  if (!(base <= budget)) {
    return {
      history: [],
      estimatedTokens: base,
      dropped: history.length,
      fits: false,
      reason: 'CURRENT_MESSAGE_EXCEEDS_BUDGET',
    };
  }
  const available = budget - base;
  const exchanges = toExchanges(history, estimate);

  let kept: Exchange[];
  if (sum(exchanges) <= available) kept = exchanges;
  else if (exchanges.length > 4 && sum([exchanges[0], ...exchanges.slice(-3)]) <= available) {
    const required = [exchanges[0], ...exchanges.slice(-3)];
    const middle = fillNewestFirst(exchanges.slice(1, -3), available - sum(required));
    kept = [exchanges[0], ...middle, ...exchanges.slice(-3)];
  } else kept = fillNewestFirst(exchanges, available);

  const turns = kept.flatMap((x) => x.turns);
  return {
    history: turns,
    estimatedTokens: base + sum(kept),
    dropped: history.length - turns.length,
    fits: true,
  };
}
