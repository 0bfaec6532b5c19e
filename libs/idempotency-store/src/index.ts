export {
  createIdempotencyStore,
  type IdempotencyStore,
  type IdempotencyStoreOptions,
  type IdempotencyLogger,
  type ClaimOutcome,
  type ClaimOptions,
} from './store';
export { IdempotencyError, type IdempotencyErrorCode } from './errors';
export type { IdempotencyRecord } from './record';
