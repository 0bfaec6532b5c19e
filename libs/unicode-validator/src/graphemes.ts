/**
 * Text lengths in the four units that matter: grapheme clusters (what a user sees as one
 * character), code points, UTF-16 code units (JavaScript `.length`, JSON Schema maxLength,
 * API Gateway) and UTF-8 bytes (storage, wire).
 *
 * Intl.Segmenter is the authority on grapheme clusters, but iterating it costs ~0.15 µs per
 * cluster (~600 µs for 4,000 characters), too slow for every chat message. So one pass over the
 * code points counts the "simple" ones directly and hands only the short runs around anything
 * else (combining marks, ZWJ sequences, flags, skin tones, Hangul jamo...) to the segmenter.
 *
 * A code point is simple when its Grapheme_Cluster_Break value is Other, Control (but not CR),
 * LF, LV or LVT: between two such code points UAX #29 always breaks (no rule GB3-GB13 joins
 * them), and none of them is part of a look-behind chain (GB9c, GB11, GB12/13 only look back
 * through Extend/ZWJ/Linker/Regional_Indicator, which are never simple). A run that starts just
 * before the first non-simple code point and ends at the next pair of simple code points is
 * therefore bounded by true boundaries on both sides and segments the same in isolation.
 * The ranges below are conservative; `graphemes.fast-path.spec.ts` checks every BMP one (and a
 * sample of the others) against the runtime's Intl.Segmenter, and a property test compares whole
 * strings.
 */

export interface TextMetrics {
  graphemes: number;
  codePoints: number;
  utf16Units: number;
  utf8Bytes: number;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The shared segmenter (grapheme granularity); creating one per call is expensive. */
export function graphemeSegmenter(): Intl.Segmenter {
  return segmenter;
}

/** True when the code point always forms a grapheme boundary with any other simple one. */
export function isSimpleCodePoint(cp: number): boolean {
  if (cp < 0x0300) return cp !== 0x0d; // ASCII, Latin-1, Latin Extended, IPA, modifier letters
  if (cp < 0x3000) {
    if (cp >= 0x2100) return cp < 0x2c00 || (cp >= 0x2e80 && cp < 0x3000); // symbols, CJK radicals
    if (cp >= 0x2000) return cp < 0x20d0 && cp !== 0x200c && cp !== 0x200d; // punctuation, currency
    if (cp >= 0x1e00) return true; // Latin Extended Additional, Greek Extended
    return (cp >= 0x0370 && cp < 0x0483) || (cp >= 0x048a && cp < 0x0530); // Greek, Cyrillic
  }
  if (cp < 0xa4d0) {
    if (cp < 0x3100) return (cp < 0x302a || cp > 0x302f) && cp !== 0x3099 && cp !== 0x309a; // kana
    return true; // bopomofo, compatibility jamo, enclosed CJK, CJK ext A, unified ideographs, Yi
  }
  if (cp < 0xd7a4) return cp >= 0xac00; // Hangul syllables (LV / LVT)
  if (cp < 0x10000) {
    return (
      (cp >= 0xf900 && cp < 0xfb00) || // CJK compatibility ideographs
      (cp >= 0xfe30 && cp < 0xfe70) || // CJK compatibility forms, small forms
      (cp >= 0xff01 && cp < 0xff9e) || // full-width forms, half-width katakana (not ﾞ ﾟ)
      (cp >= 0xffe0 && cp < 0xffef) // full-width signs
    );
  }
  if (cp >= 0x20000) return cp < 0x40000; // CJK extensions B-J, compatibility supplement
  // Emoji and pictographs, without regional indicators and skin-tone modifiers (Extend).
  return cp >= 0x1f000 && cp < 0x1fb00 && (cp < 0x1f1e6 || cp > 0x1f1ff) && (cp < 0x1f3fb || cp > 0x1f3ff);
}

function segmentCount(text: string, start: number, end: number): number {
  let n = 0;
  for (const _ of segmenter.segment(text.slice(start, end))) n++;
  return n;
}

/** All four lengths in one pass. Lone surrogates count as 3 UTF-8 bytes (U+FFFD), like Buffer. */
export function measure(text: string): TextMetrics {
  const n = text.length;
  let codePoints = 0;
  let utf8Bytes = 0;
  let graphemes = 0;
  let regionStart = -1; // start (UTF-16 index) of the run handed to the segmenter, -1 if none
  let prevSimple = false;
  let prevIndex = 0;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    let cp = c;
    let width = 1;
    if (c < 0x80) utf8Bytes += 1;
    else if (c < 0x800) utf8Bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        width = 2;
        utf8Bytes += 4;
      } else utf8Bytes += 3;
    } else utf8Bytes += 3;
    codePoints++;
    // Lone surrogates (0xd800-0xdfff) are not simple: the segmenter decides.
    const simple = isSimpleCodePoint(cp) && (cp < 0xd800 || cp > 0xdfff);
    if (simple) {
      if (regionStart < 0) graphemes++;
      else if (prevSimple) {
        graphemes += segmentCount(text, regionStart, i) + 1;
        regionStart = -1;
      }
    } else if (regionStart < 0) {
      if (prevSimple) {
        regionStart = prevIndex; // the previous code point may be this cluster's base
        graphemes--;
      } else regionStart = i; // only at i = 0
    }
    prevSimple = simple;
    prevIndex = i;
    i += width;
  }
  if (regionStart >= 0) graphemes += segmentCount(text, regionStart, n);
  return { graphemes, codePoints, utf16Units: n, utf8Bytes };
}

/** Number of grapheme clusters (user-perceived characters). */
export function graphemeLength(text: string): number {
  return measure(text).graphemes;
}

/**
 * The first `max` grapheme clusters of `text`; never splits a cluster (a flag, a family emoji,
 * が written as か + U+3099 stay whole). Returns `text` itself when it is short enough.
 */
export function truncateGraphemes(text: string, max: number): string {
  max = Math.floor(max);
  if (!(max > 0)) return '';
  if (text.length <= max) return text; // graphemes <= UTF-16 units
  let count = 0;
  for (const s of segmenter.segment(text)) {
    count++;
    if (count >= max) return text.slice(0, s.index + s.segment.length);
  }
  return text;
}

/** Counts clusters but stops at `limit`: bounded work on huge inputs. */
export function graphemeLengthUpTo(text: string, limit: number): number {
  let count = 0;
  for (const _ of segmenter.segment(text)) {
    if (++count >= limit) break;
  }
  return count;
}
