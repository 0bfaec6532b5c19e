import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { StageName } from './settings';

/**
 * Secrets the operator creates before the first deploy (their values come from the identity
 * provider and the webhook partners, so the stack cannot invent them), by these names.
 */
export const SECRET_NAMES = {
  /** HS256 key the gateway verifies user JWTs with (>= 32 characters). */
  authJwt: 'auth-jwt-secret',
  /** `{"stripe": "whsec_...", "reviews": "...", "catalog": "..."}`; comma-separated during rotation. */
  webhookSigning: 'webhook-signing-secrets',
  /** Standard Webhooks secret (`whsec_` + base64) signing outbound moderation alerts. */
  alertWebhook: 'alert-webhook-secret',
  /** Standard Webhooks secret signing outbound order confirmations to the CRM. */
  crmWebhook: 'crm-webhook-secret',
} as const;

export type SecretKey = keyof typeof SECRET_NAMES;

export const secretName = (stage: StageName, key: SecretKey) => `manga-assist/${stage}/${SECRET_NAMES[key]}`;

export function importSecrets(scope: Construct, stage: StageName): Record<SecretKey, secretsmanager.ISecret> {
  return Object.fromEntries(
    (Object.keys(SECRET_NAMES) as SecretKey[]).map((key) => [
      key,
      secretsmanager.Secret.fromSecretNameV2(scope, `Secret-${key}`, secretName(stage, key)),
    ]),
  ) as Record<SecretKey, secretsmanager.ISecret>;
}
