export {
  startBedrockEmulator,
  EMULATOR_LABEL,
  type BedrockEmulator,
  type BedrockEmulatorOptions,
  type EmulatorLogger,
} from './server';
export {
  NO_FAULTS,
  ERROR_TYPES,
  faultsFromEnv,
  mergeFaults,
  type Faults,
  type FaultsPatch,
  type ErrorType,
} from './faults';
export {
  LATENCY_PROFILES,
  PROFILES,
  modelFamily,
  planLatency,
  type ProfileName,
  type ModelFamily,
  type LatencyModel,
} from './models';
export { countTokens, countInputTokens } from './tokens';
export {
  answer,
  moderate,
  sentiment,
  formatAmount,
  type PromptKind,
  type ModerationVerdict,
} from './responder';
export type { Stats, ModelStats } from './stats';
export {
  FOUNDATION_MODELS,
  INVALID_MODEL_ID_MESSAGE,
  isValidModelId,
  acceptedModelIds,
  type FoundationModel,
  type ProfileGeo,
} from './model-ids';
