export { estimateTokens, TOKEN_RATIOS } from './estimate';
export {
  estimateRequestTokens,
  estimateTurnTokens,
  estimateSystemTokens,
  MESSAGE_OVERHEAD_TOKENS,
  SYSTEM_OVERHEAD_TOKENS,
  type Estimate,
  type RequestShape,
  type Role,
  type Turn,
} from './request';
export { createCalibrator, type Calibrator, type CalibratorOptions } from './calibrator';
export { truncateHistory, type TruncateInput, type TruncateResult } from './truncate';
export { adaptiveTimeoutMs } from './timeout';
