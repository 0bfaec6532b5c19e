import type { z } from 'zod';
import type { EventPublisher } from '@manga-assist/event-schemas';
import type { SignatureScheme } from '@manga-assist/webhook-signatures';

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

/** What the service hands every source's processor; events are typed by event-schemas. */
export interface SourceDeps {
  publisher: Pick<EventPublisher, 'publish'>;
  classifySentiment: SentimentClassifier;
}

/** How the sender signs (its own scheme; WEBHOOK_SCHEME_<NAME>=standard switches to Standard Webhooks). */
export interface SourceVerification {
  scheme: SignatureScheme;
  /** Where the delivery id is in the payload (`id`, `data.id`); Standard Webhooks uses `webhook-id`. */
  idField: string;
}

/** A command-line option of a sample delivery (`npm run webhook -- <source> --<name> <value>`). */
export type SampleOption =
  | { kind: 'int'; default: number; min: number; max: number }
  | { kind: 'enum'; default: string; values: readonly [string, ...string[]] }
  | { kind: 'text'; default?: string; pattern?: RegExp; must?: string };

type OptionValue<O> = O extends { kind: 'int' }
  ? number
  : O extends { kind: 'enum'; values: readonly (infer V)[] }
    ? V
    : O extends { default: string }
      ? string
      : string | undefined;

export type SampleValues<O extends Record<string, SampleOption>> = { [K in keyof O]: OptionValue<O[K]> };

/** A realistic delivery as the sender sends it: for the tests, the registry test and `npm run webhook`. */
export interface Sample<O extends Record<string, SampleOption> = Record<string, SampleOption>> {
  /** Other names the webhook tool accepts for the source (`review` for `reviews`). */
  aliases: readonly string[];
  /** The options line of the tool's usage text. */
  usage: string;
  options: O;
  build(values: SampleValues<O>): Record<string, unknown>;
}

export function defineSample<const O extends Record<string, SampleOption>>(sample: Sample<O>): Sample<O> {
  return sample;
}

/**
 * One webhook source: everything the receiver, its OpenAPI document, its configuration and the
 * webhook tool know about it. Registered once in sources/index.ts.
 */
export interface WebhookSource<N extends string = string, S extends z.ZodRawShape = z.ZodRawShape> {
  /** The path segment (`/webhooks/<name>`), metric label, secrets key and config suffix. */
  name: N;
  /** One line for the OpenAPI document: what arrives and what it becomes. */
  summary: string;
  verification: SourceVerification;
  /** The payload as documented in OpenAPI (the processor validates it in full). */
  payload: z.ZodType;
  /** The source's own settings, merged into the service's environment schema. */
  settings: S;
  processor(deps: SourceDeps, settings: z.output<z.ZodObject<S>>): Processor<unknown>;
  // Samples are checked by the registry test; their option types are their own business.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  sample: Sample<any>;
}

export function defineSource<const N extends string, S extends z.ZodRawShape = Record<never, never>>(
  source: WebhookSource<N, S>,
): WebhookSource<N, S> {
  return source;
}
