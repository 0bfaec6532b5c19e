export {
  startEventBridgeRouter,
  type EventBridgeRouter,
  type EventBridgeRouterOptions,
  type ReplayFilter,
  type InjectedFailure,
  type RouterLogger,
} from './router';
export { buildEnvelope, busNameOf, type WireEntry, type EntryResult } from './put-events';
export { createArchive, type Archive } from './archive';
export { matchesPattern } from './pattern/match';
export { validatePattern } from './pattern/validate';
export { InvalidEventPatternError } from './pattern/errors';
