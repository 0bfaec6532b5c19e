export { createModelRegistry } from './models';
export { fmEnv, fmSettingsFromEnv } from './env';
export {
  createFmClient,
  createFmClientFromSettings,
  type FmClient,
  type FmRequest,
  type FmResponse,
  type InferenceRecord,
} from './client';
export { isFmError } from './errors';
export { selectModelForComplexity } from './complexity';
export { createAbSplit, type AbSplit } from './ab-split';
