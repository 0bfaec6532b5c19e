import {
  createCalibrator,
  estimateRequestTokens,
  truncateHistory,
  type Calibrator,
} from '@manga-assist/token-estimator';
import type { ContextTools } from './chat-service';

/**
 * libs/token-estimator behind the chat core's ContextTools. Estimates and truncation use the
 * calibrated estimate; every real model answer (its reported input tokens) feeds the calibrator.
 */
export function createContextTools(
  calibrator: Calibrator = createCalibrator(),
): ContextTools & { calibrator: Calibrator } {
  return {
    calibrator,
    estimateRequestTokens: (request) => calibrator.estimateRequest(request),
    truncateHistory: (input) => {
      const result = truncateHistory({ ...input, estimate: calibrator.estimate });
      return {
        history: result.history,
        fits: result.fits,
        reason: result.reason,
        estimatedTokens: result.estimatedTokens,
      };
    },
    observe: (request, actualInputTokens) => {
      calibrator.observe(estimateRequestTokens(request), actualInputTokens);
    },
  };
}
