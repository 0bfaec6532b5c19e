export { createIdempotencyStore, type IdempotencyStore } from './store';
export { IdempotencyError } from './errors';
