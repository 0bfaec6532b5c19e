/**
 * Text lengths in the four units that matter: grapheme clusters (what a user sees as one
 * character), code points, UTF-16 code units (JavaScript `.length`, JSON Schema maxLength,
 * API Gateway) and UTF-8 bytes (storage, wire).
 *
 * Intl.Segmenter is the authority on grapheme clusters, but iterating it costs ~0.15 µs per
 * cluster (~600 µs for 4,000 characters) plus several µs per call, too slow for every chat
 * message. So one pass over the code points applies the rules that Japanese text and emoji need
 * (simple code points, Extend marks, ZWJ emoji sequences, flags) and hands only the runs around
 * anything else (Hangul jamo, Indic scripts, CR...) to the segmenter, in one call.
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

/** Grapheme_Cluster_Break=Control (or LF) among the simple code points: GB4 breaks after them. */
export function isControlCodePoint(cp: number): boolean {
  return (
    cp < 0x20 ||
    (cp >= 0x7f && cp <= 0x9f) ||
    cp === 0xad ||
    cp === 0x200b ||
    cp === 0x200e ||
    cp === 0x200f ||
    (cp >= 0x2028 && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x206f)
  );
}

/** A conservative subset of Grapheme_Cluster_Break=Extend: marks used in Japanese text and emoji. */
export function isExtendCodePoint(cp: number): boolean {
  return (
    (cp >= 0x0300 && cp <= 0x036f) || // combining diacritics
    cp === 0x3099 ||
    cp === 0x309a || // combining (han)dakuten
    cp === 0xff9e ||
    cp === 0xff9f || // half-width ﾞ ﾟ
    (cp >= 0xfe00 && cp <= 0xfe0f) || // variation selectors (VS16 = emoji presentation)
    (cp >= 0x20d0 && cp <= 0x20f0) || // combining marks for symbols (U+20E3 keycap)
    (cp >= 0x1f3fb && cp <= 0x1f3ff) || // skin-tone modifiers
    (cp >= 0xe0020 && cp <= 0xe007f) // tags (subdivision flags)
  );
}

const EXTENDED_PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;
const extPictCache = new Map<number, boolean>(); // bounded: at most one entry per code point
function isExtPict(cp: number): boolean {
  let v = extPictCache.get(cp);
  if (v === undefined) {
    v = EXTENDED_PICTOGRAPHIC.test(String.fromCodePoint(cp));
    extPictCache.set(cp, v);
  }
  return v;
}

const SIMPLE = 0;
const EXTEND = 1;
const ZWJ = 2;
const RI = 3;
const OTHER = 4;

function kindOf(cp: number): number {
  if (isSimpleCodePoint(cp)) return cp >= 0xd800 && cp <= 0xdfff ? OTHER : SIMPLE;
  if (cp === 0x200d) return ZWJ;
  if (cp >= 0x1f1e6 && cp <= 0x1f1ff) return RI;
  return isExtendCodePoint(cp) ? EXTEND : OTHER;
}

/** Segments of all runs in one segmenter call: each run is bounded by true boundaries, and LF
 * always breaks on both sides (GB4/GB5), so joining them with LF adds exactly one segment each. */
function segmentCountOfRuns(text: string, runs: number[]): number {
  const parts: string[] = [];
  for (let k = 0; k < runs.length; k += 2) parts.push(text.slice(runs[k], runs[k + 1]));
  let n = 0;
  for (const _ of segmenter.segment(parts.join('\n'))) n++;
  return n - (parts.length - 1);
}

/**
 * All four lengths in one pass. Lone surrogates count as 3 UTF-8 bytes (U+FFFD), like Buffer.
 * Clusters of simple code points, Extend marks (GB9), ZWJ emoji sequences (GB11) and flags
 * (GB12/13) are counted here; a run around any other code point goes to Intl.Segmenter, from
 * the start of the cluster it belongs to up to the next pair of simple code points.
 */
export function measure(text: string): TextMetrics {
  const n = text.length;
  let codePoints = 0;
  let utf8Bytes = 0;
  let graphemes = 0;
  const runs: number[] = []; // [start, end) pairs handed to the segmenter
  let runStart = -1;
  let clusterStart = 0;
  let prevKind = -1; // none yet
  let prevCp = 0;
  let riRun = 0; // consecutive regional indicators ending at the previous code point
  let lastBase = -1; // code point the Extend* chain hangs on (for GB11)
  let onlyExtendSinceBase = false;
  let zwjAfterPict = false;
  for (let i = 0; i < n;) {
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
    const kind = c < 0x300 && c !== 0x0d ? SIMPLE : kindOf(cp);

    if (runStart >= 0) {
      if (kind !== SIMPLE || prevKind !== SIMPLE) {
        prevKind = kind;
        prevCp = cp;
        i += width;
        continue;
      }
      runs.push(runStart, i); // a pair of simple code points: a true boundary before this one
      runStart = -1;
      prevKind = -1; // as at the start of the text
    }

    let join = false;
    if (kind === SIMPLE) {
      join = prevKind === ZWJ && zwjAfterPict && isExtPict(cp); // GB11
      lastBase = cp;
      onlyExtendSinceBase = true;
      riRun = 0;
    } else if (kind === EXTEND || kind === ZWJ) {
      join = prevKind >= 0 && !(prevKind === SIMPLE && isControlCodePoint(prevCp)); // GB9 unless GB4
      if (!join) onlyExtendSinceBase = false;
      if (kind === ZWJ) {
        zwjAfterPict = join && onlyExtendSinceBase && lastBase >= 0 && isExtPict(lastBase);
        onlyExtendSinceBase = false;
      }
      riRun = 0;
    } else if (kind === RI) {
      join = prevKind === RI && riRun % 2 === 1; // GB12/13
      riRun = prevKind === RI ? riRun + 1 : 1;
      lastBase = cp;
      onlyExtendSinceBase = true;
    } else {
      // Hand the cluster this code point belongs to, and what follows, to the segmenter.
      runStart = prevKind >= 0 ? clusterStart : i;
      if (prevKind >= 0) graphemes--;
      prevKind = kind;
      prevCp = cp;
      i += width;
      continue;
    }
    if (!join) {
      graphemes++;
      clusterStart = i;
    }
    prevKind = kind;
    prevCp = cp;
    i += width;
  }
  if (runStart >= 0) runs.push(runStart, n);
  if (runs.length > 0) graphemes += segmentCountOfRuns(text, runs);
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
