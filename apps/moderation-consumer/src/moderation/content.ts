import { createHash } from 'node:crypto';

export const PREVIEW_GRAPHEMES = 200;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** SHA-256 of the UTF-8 text, 64 lowercase hex digits (lets the alert refer to content without carrying it). */
export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The first `max` grapheme clusters: a flag, a ZWJ family emoji or 𠮷 is never cut in half, and
 * the cap is what a reader sees as characters (seed 004 §3.1 "max 200 chars").
 */
export function contentPreview(text: string, max = PREVIEW_GRAPHEMES): string {
  let out = '';
  let n = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (n === max) break;
    out += segment;
    n += 1;
  }
  return out;
}
