export {
  MODEL_IDS,
  createModelRegistry,
  costUsd,
  baseModelId,
  type ModelTier,
  type ModelSpec,
  type ModelPrice,
  type ModelParams,
  type ModelRegistry,
  type ModelRegistryOverrides,
} from './models';
export { fmEnv, fmSettingsFromEnv, type FmEnv, type FmSettings } from './env';
export {
  createFmClient,
  createFmClientFromSettings,
  type FmClientDeps,
  type FmClient,
  type FmClientOptions,
  type FmRequest,
  type FmCallOptions,
  type FmResponse,
  type FmStreamEvent,
  type InferenceRecord,
  type FmLogger,
} from './client';
export { FmError, isFmError, FM_ERROR_MESSAGES, type FmErrorCode } from './errors';
export { responseCacheKey, type ChatMessage, type ResolvedRequest } from './cache-key';
export {
  selectModelForComplexity,
  complexityScore,
  assessComplexity,
  type ComplexityAssessment,
  type ComplexityOptions,
} from './complexity';
export { createAbSplit, parseAbSplit, type AbSplit, type AbVariant } from './ab-split';
export type { BreakerOptions } from './breakers';
export type { BreakerStateName } from './metrics';
