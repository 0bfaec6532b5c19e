/**
 * Splits a receive batch into chains that may run in parallel. A FIFO batch keeps one chain per
 * message group, in the order SQS delivered them; a standard batch has one chain per message.
 */
export function planChains<T extends { groupId?: string }>(messages: readonly T[], fifo: boolean): T[][] {
  if (!fifo) return messages.map((m) => [m]);
  const chains = new Map<string, T[]>();
  for (const message of messages) {
    const key = message.groupId ?? '';
    const chain = chains.get(key);
    if (chain) chain.push(message);
    else chains.set(key, [message]);
  }
  return [...chains.values()];
}

/** Seconds a failed message stays invisible before its next attempt: 2^(n-1), capped, with jitter. */
export function retryDelaySeconds(receiveCount: number, { baseSeconds = 1, maxSeconds = 60 } = {}): number {
  const exp = Math.min(maxSeconds, baseSeconds * 2 ** Math.max(0, receiveCount - 1));
  const jittered = exp * (0.75 + Math.random() * 0.5);
  return Math.max(0, Math.min(maxSeconds, Math.round(jittered)));
}
