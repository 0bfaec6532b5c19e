import { truncateGraphemes } from '@manga-assist/unicode-validator';
import { cleanUndeliverable } from './deliverable';
import { FIELD_CAPS } from './schemas';

// Free-text copies in events (a chat message, a model answer's summary, a review preview) are
// cleaned, not refused: the event is a copy for others, and the chat or the moderation that made it
// must not fail over one character SQS cannot carry (it becomes U+FFFD). See deliverable.ts.

/** Cuts text to `max` grapheme clusters (never splits an emoji or a surrogate pair); undeliverable characters become U+FFFD. */
export const truncateForEvent = (text: string, max: number): string =>
  cleanUndeliverable(truncateGraphemes(text, max));
/** InferenceCompleted.response_summary: at most 500 graphemes. */
export const toResponseSummary = (text: string): string =>
  truncateForEvent(text, FIELD_CAPS.response_summary);
/** ModerationFlagged.content_preview: at most 200 graphemes. */
export const toContentPreview = (text: string): string => truncateForEvent(text, FIELD_CAPS.content_preview);
