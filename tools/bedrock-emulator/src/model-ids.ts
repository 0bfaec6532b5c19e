/**
 * The model ids Bedrock Runtime accepts for the models this emulator stands in for, and nothing
 * else: a typo in FM_MODEL_DEFAULT must fail locally as it fails on AWS.
 *
 * Source: Amazon Bedrock User Guide, "Supported foundation models" (model ids with their version
 * suffix) and "Supported Regions and models for inference profiles" / each model card's
 * "Geo inference ID" and "Global inference ID"
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html), Nov 2026.
 * To add a model: one line below, with the inference-profile geographies its model card lists.
 */
export type ProfileGeo = 'us' | 'eu' | 'apac' | 'jp' | 'au' | 'ca' | 'us-gov' | 'global';

export interface FoundationModel {
  /** Foundation-model id exactly as Bedrock spells it, version suffix included. */
  id: string;
  /** Geographies with a system-defined cross-Region inference profile `<geo>.<id>`. */
  profiles: readonly ProfileGeo[];
}

export const FOUNDATION_MODELS: readonly FoundationModel[] = [
  // The seeds' models (Claude 3) and the newer ones the project's configuration and docs name.
  { id: 'anthropic.claude-3-haiku-20240307-v1:0', profiles: ['us', 'eu', 'apac', 'us-gov'] },
  { id: 'anthropic.claude-3-sonnet-20240229-v1:0', profiles: ['us', 'eu', 'apac'] },
  { id: 'anthropic.claude-3-opus-20240229-v1:0', profiles: ['us'] },
  { id: 'anthropic.claude-3-5-haiku-20241022-v1:0', profiles: ['us'] },
  { id: 'anthropic.claude-3-5-sonnet-20240620-v1:0', profiles: ['us', 'eu', 'apac', 'us-gov'] },
  { id: 'anthropic.claude-3-5-sonnet-20241022-v2:0', profiles: ['us', 'apac'] },
  { id: 'anthropic.claude-3-7-sonnet-20250219-v1:0', profiles: ['us', 'eu', 'apac', 'us-gov'] },
  { id: 'anthropic.claude-sonnet-4-20250514-v1:0', profiles: ['us', 'eu', 'apac', 'global'] },
  { id: 'anthropic.claude-opus-4-20250514-v1:0', profiles: ['us'] },
  { id: 'anthropic.claude-opus-4-1-20250805-v1:0', profiles: ['us'] },
  { id: 'anthropic.claude-sonnet-4-5-20250929-v1:0', profiles: ['us', 'eu', 'apac', 'jp', 'au', 'global'] },
  { id: 'anthropic.claude-haiku-4-5-20251001-v1:0', profiles: ['us', 'eu', 'apac', 'jp', 'au', 'global'] },
  { id: 'anthropic.claude-opus-4-5-20251101-v1:0', profiles: ['us', 'eu', 'global'] },
  // Non-Anthropic models the project's tests name (Converse only: InvokeModel speaks Anthropic's body).
  { id: 'amazon.nova-micro-v1:0', profiles: ['us', 'eu', 'apac'] },
  { id: 'amazon.nova-lite-v1:0', profiles: ['us', 'eu', 'apac'] },
  { id: 'amazon.nova-pro-v1:0', profiles: ['us', 'eu', 'apac'] },
  { id: 'meta.llama3-70b-instruct-v1:0', profiles: [] },
];

/** Bedrock's answer to any other id: ValidationException, HTTP 400, this message. */
export const INVALID_MODEL_ID_MESSAGE = 'The provided model identifier is invalid.';

const PARTITION = 'aws(?:-cn|-us-gov)?';
const REGION = '[a-z]{2}(?:-gov)?-[a-z]+-\\d';
const FOUNDATION_MODEL_ARN = new RegExp(`^arn:${PARTITION}:bedrock:(${REGION})::foundation-model/(.+)$`);
const INFERENCE_PROFILE_ARN = new RegExp(
  `^arn:${PARTITION}:bedrock:(${REGION}):(\\d{12}):inference-profile/(.+)$`,
);

const byId = new Map(FOUNDATION_MODELS.map((m) => [m.id, m]));
const profileIds = new Set(FOUNDATION_MODELS.flatMap((m) => m.profiles.map((geo) => `${geo}.${m.id}`)));

/** True for an id Bedrock Runtime accepts for one of the listed models (id, profile id, or their ARNs). */
export function isValidModelId(modelId: string): boolean {
  if (byId.has(modelId) || profileIds.has(modelId)) return true;
  const fm = FOUNDATION_MODEL_ARN.exec(modelId);
  if (fm) return byId.has(fm[2]);
  const profile = INFERENCE_PROFILE_ARN.exec(modelId);
  if (profile) return profileIds.has(profile[3]);
  return false;
}

/** Every accepted id in plain form (foundation-model ids and inference-profile ids), for docs and tests. */
export function acceptedModelIds(): string[] {
  return [...byId.keys(), ...profileIds];
}
