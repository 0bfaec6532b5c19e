import { graphemeLengthUpTo, measure, type TextMetrics } from './graphemes';
import type { Lang } from './language';

export const DEFAULT_MAX_GRAPHEMES = 4000;
/**
 * 3 x 8,000: the most UTF-8 any string within the 8,000 UTF-16 code-unit envelope limit can take
 * (a BMP character is at most 3 bytes per code unit, a surrogate pair 2). So the byte cap never
 * rejects a message the envelope admits with <= 4,000 graphemes; it bounds storage (24 KB per
 * message) for callers that skip the envelope, e.g. 4,000 family emoji (100 KB).
 */
const DEFAULT_MAX_UTF8_BYTES = 24_000;

/** Every code a message can be refused with (listed in the APIs' documents). */
export const VALIDATION_CODES = [
  'EMPTY',
  'TOO_LONG',
  'TOO_MANY_BYTES',
  'LONE_SURROGATE',
  'CONTROL_CHARACTER',
  'NOT_A_STRING',
] as const;
type ValidationCode = (typeof VALIDATION_CODES)[number];

interface ValidationFailure {
  code: ValidationCode;
  message: Record<Lang, string>;
  details: Record<string, string | number | boolean>;
}

interface ValidateOptions {
  /** Default 4,000 grapheme clusters. */
  maxGraphemes?: number;
  /** Default 24,000 bytes (see DEFAULT_MAX_UTF8_BYTES). */
  maxUtf8Bytes?: number;
  /** Default true: the stored text is NFC with CRLF turned into LF. */
  normalize?: boolean;
}

export type ValidationResult =
  { ok: true; text: string; metrics: TextMetrics } | { ok: false; error: ValidationFailure };

function fail(
  code: ValidationCode,
  ja: string,
  en: string,
  details: ValidationFailure['details'] = {},
): { ok: false; error: ValidationFailure } {
  return { ok: false, error: { code, message: { ja, en }, details } };
}

function limit(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 1 ? Math.floor(value) : fallback;
}

const hex = (c: number) => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
const describeType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
// Whitespace (incl. U+3000 ideographic space) and invisible format characters only.
const BLANK = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}]*$/u;

interface Scan {
  loneSurrogateAt: number;
  controlAt: number;
  hasCr: boolean;
}

/** One pass over the UTF-16 code units: first lone surrogate, first disallowed control. */
function scan(text: string): Scan {
  let controlAt = -1;
  let hasCr = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20) {
      if (c === 0x09 || c === 0x0a) continue;
      if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) {
        hasCr = true; // CRLF is a newline (form posts, Windows clients); a bare CR is not
        continue;
      }
      if (controlAt < 0) controlAt = i;
    } else if (c < 0x7f) continue;
    else if (c <= 0x9f) {
      if (controlAt < 0) controlAt = i; // DEL and C1 controls
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = text.charCodeAt(i + 1);
      if (c < 0xdc00 && d >= 0xdc00 && d <= 0xdfff) i++;
      else return { loneSurrogateAt: i, controlAt, hasCr };
    }
  }
  return { loneSurrogateAt: -1, controlAt, hasCr };
}

/**
 * Validates a chat message as users see it: grapheme clusters, not UTF-16 units, so emoji and
 * supplementary kanji (𠮷) are one character each. Never throws, whatever `text` is.
 *
 * Checks in order: NOT_A_STRING, LONE_SURROGATE, CONTROL_CHARACTER (C0/C1 and DEL other than tab,
 * LF and CRLF), then on the normalised text: EMPTY (only whitespace or invisible characters),
 * TOO_LONG (graphemes), TOO_MANY_BYTES (UTF-8). `text` in the ok result is what to store and
 * send to the model; `metrics` describe it.
 */
export function validateChatMessage(text: unknown, opts: ValidateOptions = {}): ValidationResult {
  if (typeof text !== 'string') {
    return fail('NOT_A_STRING', 'メッセージは文字列で送信してください', 'The message must be a string.', {
      type: describeType(text),
    });
  }
  const maxGraphemes = limit(opts?.maxGraphemes, DEFAULT_MAX_GRAPHEMES);
  const maxUtf8Bytes = limit(opts?.maxUtf8Bytes, DEFAULT_MAX_UTF8_BYTES);
  const tooLong = (details: ValidationFailure['details']) =>
    fail(
      'TOO_LONG',
      `メッセージが長すぎます (最大${maxGraphemes}文字)`,
      `The message is too long (max ${maxGraphemes} characters).`,
      { maxGraphemes, ...details },
    );
  const tooManyBytes = (utf8Bytes: number) =>
    fail(
      'TOO_MANY_BYTES',
      `メッセージのデータサイズが大きすぎます (最大${maxUtf8Bytes}バイト)`,
      `The message is too large (max ${maxUtf8Bytes} bytes of UTF-8).`,
      { maxUtf8Bytes, utf8Bytes },
    );

  // Far beyond any cap (NFC shrinks UTF-8 at most 3x): answer with bounded work.
  if (text.length > 4 * maxUtf8Bytes) {
    const seen = graphemeLengthUpTo(text, maxGraphemes + 1);
    if (seen > maxGraphemes) return tooLong({ graphemes: seen, graphemesIsLowerBound: true });
    return tooManyBytes(Buffer.byteLength(text, 'utf8'));
  }

  const { loneSurrogateAt, controlAt, hasCr } = scan(text);
  if (loneSurrogateAt >= 0) {
    return fail(
      'LONE_SURROGATE',
      'メッセージに不正な文字データが含まれています (対になっていないサロゲート)',
      'The message contains invalid character data (an unpaired UTF-16 surrogate).',
      { index: loneSurrogateAt, codeUnit: hex(text.charCodeAt(loneSurrogateAt)) },
    );
  }
  if (controlAt >= 0) {
    const codePoint = hex(text.charCodeAt(controlAt));
    return fail(
      'CONTROL_CHARACTER',
      `メッセージに使用できない制御文字が含まれています (${codePoint})`,
      `The message contains a control character that is not allowed (${codePoint}).`,
      { index: controlAt, codePoint },
    );
  }

  let stored = text;
  if (opts?.normalize !== false) {
    if (hasCr) stored = stored.replace(/\r\n/g, '\n');
    stored = stored.normalize('NFC');
  }
  const metrics = measure(stored);
  if (BLANK.test(stored)) {
    return fail('EMPTY', 'メッセージを入力してください', 'The message is empty.', { ...metrics });
  }
  if (metrics.graphemes > maxGraphemes) return tooLong({ graphemes: metrics.graphemes });
  if (metrics.utf8Bytes > maxUtf8Bytes) return tooManyBytes(metrics.utf8Bytes);
  return { ok: true, text: stored, metrics };
}

/** The failure's message in the user's language. */
export function localize(failure: ValidationFailure, lang: Lang): string {
  return failure.message[lang] ?? failure.message.en;
}
