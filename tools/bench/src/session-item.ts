import { randomUUID } from 'node:crypto';

/** A new two-message session item, as the gateway writes one after a first exchange. */
export function newSessionItem(userMessage: string, answer: string, at = Date.now()) {
  return {
    sessionId: randomUUID(),
    userId: 'bench',
    version: 1,
    messages: [
      { seq: 1, role: 'user', content: userMessage, at },
      { seq: 2, role: 'assistant', content: answer, at },
    ],
    summarizedThrough: 0,
    lastSeq: 2,
    createdAt: at,
    updatedAt: at,
    ttl: Math.floor(at / 1000) + 1800,
  };
}
