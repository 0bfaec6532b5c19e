/** AWS's per-entry limit for PutEvents. */
export const MAX_ENTRY_BYTES = 256 * 1024;
/** Entries per PutEvents request. */
export const MAX_ENTRIES_PER_PUT = 10;

interface SizedEntry {
  Time?: Date | number | string;
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
}

/**
 * Entry size as AWS computes it ("Calculating Amazon EventBridge PutEvents event entry size"):
 * 14 bytes if Time is set, plus the UTF-8 bytes of Source, DetailType, Detail and each resource.
 */
export function putEventsEntrySize(entry: SizedEntry): number {
  let size = entry.Time !== undefined && entry.Time !== null ? 14 : 0;
  if (entry.Source) size += Buffer.byteLength(entry.Source, 'utf8');
  if (entry.DetailType) size += Buffer.byteLength(entry.DetailType, 'utf8');
  if (entry.Detail) size += Buffer.byteLength(entry.Detail, 'utf8');
  for (const resource of entry.Resources ?? []) size += Buffer.byteLength(resource, 'utf8');
  return size;
}
