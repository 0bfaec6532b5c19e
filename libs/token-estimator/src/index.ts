export { estimateTokens } from './estimate';
export { estimateRequestTokens } from './request';
export { createCalibrator, type Calibrator } from './calibrator';
export { truncateHistory } from './truncate';
export { adaptiveTimeoutMs } from './timeout';
