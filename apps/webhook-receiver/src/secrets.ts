import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Active signing secrets of a source (several during rotation). */
export interface SecretProvider {
  secretsFor(source: string): Promise<readonly string[]>;
}

export class SecretsUnavailableError extends Error {
  override readonly name = 'SecretsUnavailableError';
  readonly code = 'SECRETS_UNAVAILABLE';
}

const splitList = (value: unknown): string[] =>
  (Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [])
    .map((s) => String(s).trim())
    .filter(Boolean);

/** Secrets from the environment: `{ stripe: ['whsec_new', 'whsec_old'], ... }`. */
export function staticSecrets(bySource: Record<string, readonly string[]>): SecretProvider {
  return { secretsFor: async (source) => bySource[source] ?? [] };
}

export interface SecretsManagerProviderOptions {
  client: Pick<SecretsManagerClient, 'send'>;
  secretId: string;
  /** How long a fetched secret is used before it is fetched again. */
  cacheSeconds: number;
  /** Secrets from the environment, merged in front of the fetched ones. */
  fallback?: Record<string, readonly string[]>;
  now?: () => number;
  onRefreshError?: (error: unknown) => void;
}

/**
 * Secrets from one AWS Secrets Manager secret whose SecretString is JSON:
 * `{"stripe": "whsec_a,whsec_b", "reviews": ["k1", "k2"], "catalog": "k"}`.
 * Cached; one fetch at a time; when a refresh fails the last good value keeps being used
 * (rotation is not an outage), and with no good value yet the error surfaces (503 upstream).
 */
export function secretsManagerSecrets(options: SecretsManagerProviderOptions): SecretProvider {
  const now = options.now ?? Date.now;
  let cached: { value: Record<string, string[]>; fetchedAt: number } | undefined;
  let inflight: Promise<Record<string, string[]>> | undefined;

  const fetchSecrets = async (): Promise<Record<string, string[]>> => {
    const { SecretString } = await options.client.send(
      new GetSecretValueCommand({ SecretId: options.secretId }),
    );
    if (!SecretString) throw new SecretsUnavailableError(`secret ${options.secretId} has no SecretString`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(SecretString);
    } catch {
      throw new SecretsUnavailableError(`secret ${options.secretId} is not JSON`);
    }
    const value: Record<string, string[]> = {};
    for (const [source, list] of Object.entries(parsed as Record<string, unknown>))
      value[source] = splitList(list);
    return value;
  };

  const load = async (): Promise<Record<string, string[]>> => {
    if (cached && now() - cached.fetchedAt < options.cacheSeconds * 1000) return cached.value;
    inflight ??= fetchSecrets()
      .then((value) => {
        cached = { value, fetchedAt: now() };
        return value;
      })
      .finally(() => {
        inflight = undefined;
      });
    try {
      return await inflight;
    } catch (error) {
      options.onRefreshError?.(error);
      if (cached) return cached.value;
      throw error instanceof SecretsUnavailableError
        ? error
        : new SecretsUnavailableError(`could not read secret ${options.secretId}`, { cause: error });
    }
  };

  return {
    async secretsFor(source) {
      const fetched = (await load())[source] ?? [];
      return [...(options.fallback?.[source] ?? []), ...fetched];
    },
  };
}
