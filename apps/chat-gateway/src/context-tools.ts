import type { ContextTools } from './chat-service';

// Interim stand-in until libs/token-estimator lands (same contract); replaced by the lib adapter.
const estimate = (text: string) => {
  let t = 0;
  for (const ch of text) t += /[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]|\p{Extended_Pictographic}/u.test(ch) ? 1.5 : /\p{L}|\p{N}/u.test(ch) ? 0.3 : 1;
  return Math.ceil(t);
};

export function createContextTools(): ContextTools {
  const requestTokens = ({ system, messages }: { system: string; messages: { content: string }[] }) =>
    estimate(system) + messages.reduce((n, m) => n + estimate(m.content) + 4, 0);
  return {
    estimateRequestTokens: requestTokens,
    truncateHistory({ history, currentMessage, system, budgetTokens }) {
      let budget = budgetTokens - estimate(system) - estimate(currentMessage);
      const kept = [];
      for (let i = history.length - 1; i >= 0; i--) {
        const cost = estimate(history[i].content) + 4;
        if (cost > budget) break;
        budget -= cost;
        kept.unshift(history[i]);
      }
      while (kept[0]?.role === 'assistant') kept.shift();
      return { history: kept, fits: budget >= 0 };
    },
    observe: () => undefined,
  };
}
