import { z } from 'zod';
import { env } from '@manga-assist/service-runtime';
import {
  standardWebhooksScheme,
  STANDARD_WEBHOOK_HEADERS,
  type SignatureScheme,
} from '@manga-assist/webhook-signatures';
import type { Processor, SourceDeps } from './types';
import { catalog } from './catalog';
import { reviews } from './reviews';
import { stripe } from './stripe';

/**
 * The webhook sources, the one list of them: the route, the configuration keys, the OpenAPI
 * document, the metric labels and `npm run webhook` are all derived from it. Adding a source is
 * copying a folder and adding it here (apps/webhook-receiver/README.md#adding-a-webhook-source).
 */
export const SOURCES = [stripe, reviews, catalog] as const;

export type WebhookSourceName = (typeof SOURCES)[number]['name'];
export type { SampleOption, WebhookSource } from './types';

export function sourceNamed(name: WebhookSourceName): (typeof SOURCES)[number] {
  return SOURCES.find((s) => s.name === name) as (typeof SOURCES)[number];
}

type Upper = Uppercase<WebhookSourceName>;
type SecretsKey = `WEBHOOK_SECRETS_${Upper}`;
type SchemeKey = `WEBHOOK_SCHEME_${Upper}`;

/** `WEBHOOK_SECRETS_<NAME>`: the source's active signing secrets, comma-separated (rotation). */
export const secretsKey = (name: WebhookSourceName) => `WEBHOOK_SECRETS_${name.toUpperCase()}` as SecretsKey;
/** `WEBHOOK_SCHEME_<NAME>`: the sender's own scheme (default) or Standard Webhooks. */
export const schemeKey = (name: WebhookSourceName) => `WEBHOOK_SCHEME_${name.toUpperCase()}` as SchemeKey;

type SchemeChoice = z.ZodDefault<z.ZodEnum<{ [k: string]: SignatureScheme['name'] }>>;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void
  ? I
  : never;
type SettingsShape = UnionToIntersection<(typeof SOURCES)[number]['settings']>;

type SourcesEnvShape = { [K in SecretsKey]: ReturnType<typeof env.list> } & {
  [K in SchemeKey]: SchemeChoice;
} & SettingsShape;

/** The environment every source adds: its secrets, its scheme choice and its own settings. */
export function sourcesEnv(): SourcesEnvShape {
  const shape: Record<string, z.ZodType> = {};
  for (const source of SOURCES) {
    const own = source.verification.scheme.name;
    shape[secretsKey(source.name)] = env.list();
    shape[schemeKey(source.name)] = z.enum([...new Set([own, standardWebhooksScheme.name])]).default(own);
    Object.assign(shape, source.settings);
  }
  return shape as SourcesEnvShape;
}

/** A registered source as the delivery pipeline runs it, with the scheme the configuration chose. */
export interface SourceDefinition {
  name: WebhookSourceName;
  scheme: SignatureScheme;
  /** Where the delivery id is: a payload path (`id`, `data.id`) or `header:<name>`. */
  idField: string;
  processor: Processor<unknown>;
}

type SourcesConfig = { [K in SchemeKey]: SignatureScheme['name'] } & Record<string, unknown>;

export function buildSources(config: SourcesConfig, deps: SourceDeps): Map<string, SourceDefinition> {
  return new Map(
    SOURCES.map((source): [string, SourceDefinition] => {
      const standard = config[schemeKey(source.name)] === standardWebhooksScheme.name;
      return [
        source.name,
        {
          name: source.name,
          scheme: standard ? standardWebhooksScheme : source.verification.scheme,
          // With Standard Webhooks the delivery id is the `webhook-id` header, as that spec defines it.
          idField: standard ? `header:${STANDARD_WEBHOOK_HEADERS.id}` : source.verification.idField,
          // The config was validated against every source's settings (sourcesEnv).
          processor: source.processor(deps, config as never),
        },
      ];
    }),
  );
}
