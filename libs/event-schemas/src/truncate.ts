import { truncateGraphemes } from '@manga-assist/unicode-validator';
import { FIELD_CAPS } from './schemas';

/** Cuts text to `max` grapheme clusters (never splits an emoji or a surrogate pair). */
export const truncateForEvent = (text: string, max: number): string => truncateGraphemes(text, max);
/** InferenceCompleted.response_summary: at most 500 graphemes. */
export const toResponseSummary = (text: string): string => truncateGraphemes(text, FIELD_CAPS.response_summary);
/** ModerationFlagged.content_preview: at most 200 graphemes. */
export const toContentPreview = (text: string): string => truncateGraphemes(text, FIELD_CAPS.content_preview);
