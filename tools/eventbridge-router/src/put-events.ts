import { randomUUID } from 'node:crypto';
import {
  MAX_ENTRIES_PER_PUT,
  MAX_ENTRY_BYTES,
  putEventsEntrySize,
  type EventEnvelope,
} from '@manga-assist/event-schemas';

/** One entry of a PutEvents request as the SDK serialises it (AWS JSON 1.1). */
export interface WireEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
  Time?: unknown;
  TraceHeader?: unknown;
}

export type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export class RequestError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function validateRequest(body: unknown): WireEntry[] {
  const entries = (body as { Entries?: unknown } | null)?.Entries;
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new RequestError(
      'ValidationException',
      "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  if (entries.length > MAX_ENTRIES_PER_PUT) {
    throw new RequestError(
      'ValidationException',
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES_PER_PUT}`,
    );
  }
  return entries as WireEntry[];
}

/** Bus name from a name or an ARN (`arn:aws:events:region:account:event-bus/name`); 'default' when absent. */
export function busNameOf(value: unknown): string {
  if (typeof value !== 'string' || value === '') return 'default';
  const slash = value.lastIndexOf('event-bus/');
  return slash >= 0 ? value.slice(slash + 'event-bus/'.length) : value;
}

const invalid = (message: string): EntryResult => ({ ErrorCode: 'InvalidArgument', ErrorMessage: message });

/**
 * Checks one entry the way PutEvents does and builds the envelope targets receive.
 * Returns an error result for a bad entry (the other entries of the request still go through).
 */
export function buildEnvelope(
  entry: WireEntry,
  ctx: { account: string; region: string; now: Date },
): { envelope: EventEnvelope; bus: string } | { error: EntryResult } {
  if (typeof entry.Source !== 'string' || entry.Source === '') {
    return { error: invalid('Parameter Source is not valid. Reason: Source is a required argument.') };
  }
  if (typeof entry.DetailType !== 'string' || entry.DetailType === '') {
    return {
      error: invalid('Parameter DetailType is not valid. Reason: DetailType is a required argument.'),
    };
  }
  if (typeof entry.Detail !== 'string' || entry.Detail === '') {
    return { error: invalid('Parameter Detail is not valid. Reason: Detail is a required argument.') };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    return { error: { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' } };
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { error: { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' } };
  }
  const resources = entry.Resources === undefined ? [] : entry.Resources;
  if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string')) {
    return { error: invalid('Parameter Resources is not valid.') };
  }
  const size = putEventsEntrySize({
    Time: entry.Time === undefined ? undefined : 0,
    Source: entry.Source,
    DetailType: entry.DetailType,
    Detail: entry.Detail,
    Resources: resources,
  });
  if (size > MAX_ENTRY_BYTES) {
    return {
      error: invalid(`Total size of the entry is ${size} bytes, over the limit of ${MAX_ENTRY_BYTES} bytes.`),
    };
  }
  // The SDK sends Time as epoch seconds (a number); accept ISO strings too.
  const time =
    typeof entry.Time === 'number'
      ? new Date(entry.Time * 1000)
      : typeof entry.Time === 'string'
        ? new Date(entry.Time)
        : ctx.now;
  const iso = (Number.isNaN(time.getTime()) ? ctx.now : time).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    bus: busNameOf(entry.EventBusName),
    envelope: {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: ctx.account,
      time: iso,
      region: ctx.region,
      resources: resources as string[],
      detail: detail as Record<string, unknown>,
    },
  };
}
