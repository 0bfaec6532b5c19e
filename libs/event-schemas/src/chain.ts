import type { ProcessingStage } from './schemas';

/** docs/architecture.md#loop-guards: an event at depth >= 3 is not processed (possible loop). */
export const MAX_CHAIN_DEPTH = 3;

// A type alias (not an interface) so it stays assignable to the schemas' loose index signature.
type ChainMetadata = {
  _chain_depth: number;
  _source_event_id?: string;
  _processed_at?: string;
  processing_stage: ProcessingStage;
};

/** Depth of a received detail; absent or malformed counts as 0 (fresh input). */
export function chainDepthOf(detail: unknown): number {
  const depth = (detail as { _chain_depth?: unknown } | null | undefined)?._chain_depth;
  return typeof depth === 'number' && Number.isInteger(depth) && depth >= 0 ? depth : 0;
}

/**
 * Chain metadata for an event published BECAUSE of another event: depth = parent + 1,
 * stage `processed`, the parent's event id. Returns a new object (the input is not mutated).
 */
export function withChainMetadata<D extends object>(
  detail: D,
  {
    parentDepth,
    sourceEventId,
    now = new Date(),
  }: { parentDepth: number; sourceEventId: string; now?: Date },
): D & ChainMetadata {
  return {
    ...detail,
    _chain_depth: parentDepth + 1,
    _source_event_id: sourceEventId,
    _processed_at: now.toISOString(),
    processing_stage: 'processed',
  };
}
