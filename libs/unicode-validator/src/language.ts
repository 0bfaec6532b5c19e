/** The languages users get messages in (also the `lang` label of request metrics). */
export const LANGS = ['ja', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** The store's language: what a request that says nothing else gets. */
const DEFAULT_LANG: Lang = 'ja';

/** 'ja', 'ja-JP', 'JA_jp' -> 'ja'; 'en-GB' -> 'en'; anything else -> undefined. */
function toLang(tag: string | undefined | null): Lang | undefined {
  if (typeof tag !== 'string') return undefined;
  const primary = tag.trim().toLowerCase().split(/[-_]/, 1)[0];
  return primary === 'ja' || primary === 'en' ? primary : undefined;
}

// Hiragana, katakana (full- and half-width, phonetic extensions), CJK ideographs (BMP, ext A,
// compatibility, supplementary planes 2-3 such as 𠮷) and the iteration mark 々.
const JAPANESE =
  /[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f\u3005\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}]/u;
const LATIN_WORD = /[A-Za-z\u00c0-\u024f]{2,}/g;

/**
 * The language a message is written in, when its text says so: any kana or kanji -> 'ja'; at least
 * two Latin words and no Japanese -> 'en'; otherwise (a single romaji title, emoji, digits)
 * undefined: the text does not decide.
 */
export function detectLanguage(text: string | undefined | null): Lang | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  const sample = text.length > 2000 ? text.slice(0, 2000) : text;
  if (JAPANESE.test(sample)) return 'ja';
  return (sample.match(LATIN_WORD)?.length ?? 0) >= 2 ? 'en' : undefined;
}

/** The highest-q supported entry of an Accept-Language header (q=0 means "not this"). */
function fromAcceptLanguage(acceptLanguage: string | undefined | null): Lang | undefined {
  if (typeof acceptLanguage !== 'string' || acceptLanguage.length > 4096) return undefined;
  let best: Lang | undefined;
  let bestQ = 0;
  for (const part of acceptLanguage.split(',')) {
    const [tag, ...params] = part.split(';');
    const lang = toLang(tag);
    if (!lang) continue;
    let q = 1;
    for (const param of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(param);
      if (m) q = Number(m[1]);
    }
    if (!(q > 0) || q > 1) continue;
    if (q > bestQ) {
      best = lang;
      bestQ = q;
    }
  }
  return best;
}

interface LanguageInputs {
  /** An explicit choice: the request's `lang`, a user profile, Stripe's checkout `locale`. */
  explicit?: string | null;
  /** What the user wrote: kana/kanji decide Japanese. */
  text?: string | null;
  acceptLanguage?: string | null;
}

/**
 * THE language decision, used for error messages, the model's answer language, events and
 * metrics alike: explicit choice > the message's own script > Accept-Language > Japanese.
 */
export function resolveLanguage({ explicit, text, acceptLanguage }: LanguageInputs = {}): Lang {
  return toLang(explicit) ?? detectLanguage(text) ?? fromAcceptLanguage(acceptLanguage) ?? DEFAULT_LANG;
}

/**
 * The language to write to a customer in when there is no message to read (order confirmations):
 * the checkout's locale (Stripe `locale`; `auto` decides nothing), else the billing country (JP ->
 * ja), else the currency (JPY -> ja), else Japanese, the store's language.
 */
export function customerLanguage({
  locale,
  country,
  currency,
}: {
  locale?: string | null;
  country?: string | null;
  currency?: string | null;
}): Lang {
  const fromLocale = toLang(locale);
  if (fromLocale) return fromLocale;
  if (country) return country.toUpperCase() === 'JP' ? 'ja' : 'en';
  if (currency) return currency.toUpperCase() === 'JPY' ? 'ja' : 'en';
  return DEFAULT_LANG;
}
