export type Lang = 'ja' | 'en';

export const DEFAULT_LANG: Lang = 'en';

/** 'ja', 'ja-JP', 'JA_jp' -> 'ja'; 'en-GB' -> 'en'; anything else -> undefined. */
export function toLang(tag: string | undefined | null): Lang | undefined {
  if (typeof tag !== 'string') return undefined;
  const primary = tag.trim().toLowerCase().split(/[-_]/, 1)[0];
  return primary === 'ja' || primary === 'en' ? primary : undefined;
}

/**
 * The language for user-facing messages: an explicit choice (request field, user profile) wins;
 * else the highest-q supported entry of an Accept-Language header (q=0 means "not this");
 * else English.
 */
export function resolveLanguage(explicit?: string | null, acceptLanguage?: string | null): Lang {
  const chosen = toLang(explicit);
  if (chosen) return chosen;
  if (typeof acceptLanguage !== 'string' || acceptLanguage.length > 4096) return DEFAULT_LANG;
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
  return best ?? DEFAULT_LANG;
}
