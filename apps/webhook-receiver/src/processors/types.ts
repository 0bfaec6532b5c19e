/** One event for EventBridge, as the event-schemas publisher takes it. */
export interface OutboundEvent {
  detailType: string;
  detail: Record<string, unknown>;
  source?: string;
}

export interface EventPublisherLike {
  publish(events: OutboundEvent[]): Promise<unknown>;
}

export type Sentiment = 'positive' | 'negative' | 'neutral' | 'unknown';

/** Classifies a review; must answer `unknown` (never throw, never wait) past its deadline. */
export type SentimentClassifier = (text: string) => Promise<Sentiment>;

/** Small summary stored with the idempotency record and returned to the sender. */
export type ProcessResult = { processed: boolean } & Record<string, string | number | boolean>;

/**
 * A source's payload handling, split in two: `validate` is pure (runs before the delivery is
 * claimed, so a refused payload never holds a claim) and `process` does the I/O.
 */
export interface Processor<V = unknown> {
  validate(payload: unknown): V;
  process(validated: V): Promise<ProcessResult>;
}
