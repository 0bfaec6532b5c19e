import { createHash } from 'node:crypto';

/**
 * Deterministic answers (same prompt -> same answer) shaped like what each MangaAssist prompt kind
 * expects. This is a development stand-in, not a model: it recognises prompts by keywords only.
 */
export interface Prompt {
  system: string;
  messages: { role: 'user' | 'assistant'; text: string }[];
}

export type PromptKind =
  | 'forced'
  | 'moderation'
  | 'sentiment'
  | 'product-description'
  | 'synopsis'
  | 'summary'
  | 'order-confirmation'
  | 'chat'
  | 'generic';

export interface Answer {
  kind: PromptKind;
  text: string;
}

const FORCED = /\[\[emulator:reply=([\s\S]*?)\]\]/;
// Script properties, not BMP code-unit ranges: supplementary kanji such as 𠮷 (U+20BB7) are Han too.
const JAPANESE = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;

export function answer(prompt: Prompt): Answer {
  const lastUser = [...prompt.messages].reverse().find((m) => m.role === 'user')?.text ?? '';
  const all = `${prompt.system}\n${prompt.messages.map((m) => m.text).join('\n')}`;
  const forced = FORCED.exec(all);
  if (forced) return { kind: 'forced', text: forced[1] };
  const instruction = `${prompt.system}\n${lastUser}`.toLowerCase();
  const seed = hash(all);

  if (/moderat|inappropriate content|不適切|"safe"/.test(instruction)) {
    return { kind: 'moderation', text: JSON.stringify(moderate(subjectOf(lastUser))) };
  }
  if (/sentiment|感情|positive, negative|ポジティブ/.test(instruction)) {
    return { kind: 'sentiment', text: sentiment(subjectOf(lastUser), instruction.includes('mixed')) };
  }
  if (/product description|商品説明|tags:/.test(instruction)) {
    return { kind: 'product-description', text: productDescription(lastUser, seed) };
  }
  if (/order confirmation|注文確認|order id:/.test(instruction)) {
    return {
      kind: 'order-confirmation',
      text: orderConfirmation(
        lastUser,
        JAPANESE.test(prompt.system + lastUser) && !/english/.test(instruction),
      ),
    };
  }
  if (/synopsis|あらすじ/.test(instruction)) {
    return { kind: 'synopsis', text: synopsis(lastUser, seed) };
  }
  if (/summar|要約/.test(instruction)) {
    return { kind: 'summary', text: summary(prompt, JAPANESE.test(lastUser)) };
  }
  if (
    /manga|漫画|マンガ|assistant|アシスタント/.test(prompt.system.toLowerCase()) ||
    prompt.messages.length > 1
  ) {
    return { kind: 'chat', text: chat(lastUser, seed, answerLanguage(prompt.system)) };
  }
  return { kind: 'generic', text: generic(lastUser, seed) };
}

function hash(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

function pick<T>(items: readonly T[], seed: number, salt = 0): T {
  return items[(seed + salt * 7919) % items.length];
}

/** The text under analysis: what follows a `Review:`/`Text:` label, else the whole message. */
function subjectOf(message: string): string {
  const labelled =
    /(?:review|text|content|message|comment|レビュー|本文|コメント)\s*[:：]\s*([\s\S]+)$/i.exec(message);
  const subject = labelled ? labelled[1] : message;
  return subject.split(/\n\s*\n\s*(?:respond|reply|answer|回答|返答)/i)[0];
}

// ---- moderation ---------------------------------------------------------------------------
const ABUSE: { category: string; severity: 'medium' | 'high' | 'critical'; pattern: RegExp }[] = [
  {
    category: 'violence',
    severity: 'critical',
    pattern: /\b(kill (you|yourself|him|her)|i will kill|murder you)\b|殺す|殺してやる|死ね/i,
  },
  {
    category: 'harassment',
    severity: 'high',
    pattern: /\b(idiot|moron|stupid|loser|retard|scum)\b|バカ|ばか|馬鹿|アホ|キモい|きもい|うざい|カス/i,
  },
  {
    category: 'profanity',
    severity: 'high',
    pattern: /\b(fuck\w*|shit\w*|bitch\w*|asshole|bastard)\b|クソ|くそ|糞/,
  },
  { category: 'hate', severity: 'high', pattern: /\b(i hate (you|all)|subhuman)\b|消えろ/i },
  {
    category: 'spam',
    severity: 'medium',
    pattern: /https?:\/\/|\b(buy now|click here|free money)\b|今すぐ購入|無料で稼/i,
  },
];
const ORDER = ['none', 'low', 'medium', 'high', 'critical'] as const;

export interface ModerationVerdict {
  safe: boolean;
  severity: (typeof ORDER)[number];
  categories: string[];
  reason: string;
}

export function moderate(text: string): ModerationVerdict {
  const hits = ABUSE.filter((rule) => rule.pattern.test(text));
  if (hits.length === 0) {
    return { safe: true, severity: 'none', categories: [], reason: 'No inappropriate content found.' };
  }
  const severity = hits.reduce<(typeof ORDER)[number]>(
    (worst, hit) => (ORDER.indexOf(hit.severity) > ORDER.indexOf(worst) ? hit.severity : worst),
    'none',
  );
  const categories = hits.map((h) => h.category);
  return { safe: false, severity, categories, reason: `Flagged for ${categories.join(', ')}.` };
}

// ---- sentiment ----------------------------------------------------------------------------
const POSITIVE =
  /\b(love[ds]?|great|amazing|excellent|awesome|wonderful|good|fun|enjoy\w*|recommend\w*|best|beautiful|fantastic)\b|最高|面白|おもしろ|好き|素晴らし|すばらし|良かった|よかった|感動|楽しい|おすすめ/gi;
const NEGATIVE =
  /\b(bad|boring|terrible|awful|hate[ds]?|worst|disappoint\w*|damaged|broken|late|poor|waste|refund)\b|つまらな|最悪|ひどい|酷い|残念|嫌い|破れ|遅い|がっかり|退屈/gi;

export function sentiment(text: string, allowMixed: boolean): 'positive' | 'negative' | 'neutral' | 'mixed' {
  const pos = text.match(POSITIVE)?.length ?? 0;
  const neg = text.match(NEGATIVE)?.length ?? 0;
  if (pos > 0 && neg > 0 && allowMixed) return 'mixed';
  if (pos > neg) return 'positive';
  if (neg > pos) return 'negative';
  return 'neutral';
}

// ---- catalog ------------------------------------------------------------------------------
function field(text: string, name: string): string | undefined {
  const match = new RegExp(`^\\s*${name}\\s*[:：]\\s*(.+)$`, 'im').exec(text);
  const value = match?.[1].trim();
  return value && !/^(unknown|n\/a|none)$/i.test(value) ? value : undefined;
}

function productDescription(text: string, seed: number): string {
  const title = field(text, 'title') ?? field(text, 'タイトル') ?? 'this series';
  const author = field(text, 'author') ?? field(text, '著者');
  const genre = field(text, 'genre') ?? field(text, 'ジャンル') ?? 'manga';
  const volume = field(text, 'volume') ?? field(text, '巻');
  const hook = pick(
    ['A story that grips from the first page', 'Bold art and sharp pacing', 'Heart, humour and high stakes'],
    seed,
  );
  const lines = [
    `${title}${volume ? ` (Vol. ${volume})` : ''}${author ? ` by ${author}` : ''} is a standout ${genre.toLowerCase()} read.`,
    `${hook} make it a favourite with manga fans in Japan and abroad.`,
    `Perfect for readers who want ${genre.toLowerCase()} with memorable characters.`,
  ];
  const tags = uniq([
    ...genre.split(/[,/、]/).map((g) => g.trim().toLowerCase()),
    'manga',
    title.toLowerCase(),
    author?.toLowerCase(),
    volume ? `volume ${volume}` : 'new release',
    'japanese comics',
  ]).slice(0, 5);
  return `${lines.join(' ')}\nTags: ${tags.join(', ')}`;
}

function synopsis(text: string, seed: number): string {
  const title = field(text, 'title') ?? /for manga:\s*([^\n(]+)/i.exec(text)?.[1]?.trim() ?? 'The series';
  const opener = pick(
    [
      'In a city on the edge of change',
      'On a quiet island in the Seto Inland Sea',
      'At an elite Tokyo high school',
    ],
    seed,
  );
  return `${opener}, ${title} follows an unlikely hero whose ordinary life is overturned by a single choice. Allies become rivals, secrets surface, and every chapter raises the stakes until the hero must decide what they are willing to lose. Along the way, friendships are tested, old enemies return with new faces, and the world turns out to be far larger than the hero ever imagined. Fans praise its pacing, its expressive art and an ending to each volume that makes the next one impossible to put down.`;
}

function summary(prompt: Prompt, japanese: boolean): string {
  const turns = prompt.messages.length;
  const topics = keywords(prompt.messages.map((m) => m.text).join(' ')).slice(0, 4);
  return japanese
    ? `要約: ${turns}件のメッセージで、お客様は${topics.join('、') || 'マンガ'}について相談しました。アシスタントは候補を紹介し、質問に答えました。`
    : `Summary: over ${turns} messages the customer asked about ${topics.join(', ') || 'manga'}; the assistant suggested titles and answered the questions.`;
}

// ---- orders -------------------------------------------------------------------------------
const ZERO_DECIMAL = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK', 'TWD', 'HUF', 'UGX']);

/** Repeats the amount as given: "1500 JPY" -> "¥1,500", "12.5 USD" -> "$12.50", "¥1,500" stays. */
export function formatAmount(raw: string): string {
  const code = /\b([A-Z]{3})\b/.exec(raw)?.[1];
  const number = /[\d][\d,]*(?:\.\d+)?/.exec(raw)?.[0];
  if (!code || !number) return raw.trim();
  const value = Number(number.replace(/,/g, ''));
  try {
    return new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency: code,
      ...(ZERO_DECIMAL.has(code) ? { maximumFractionDigits: 0, minimumFractionDigits: 0 } : {}),
    }).format(value);
  } catch {
    return raw.trim();
  }
}

function orderConfirmation(text: string, japanese: boolean): string {
  const orderId = field(text, 'order id') ?? field(text, '注文番号') ?? 'your order';
  const amount = formatAmount(field(text, 'amount') ?? field(text, 'total') ?? field(text, '金額') ?? '');
  const items = text
    .split('\n')
    .filter((line) => /^\s*-\s+/.test(line))
    .map((line) => line.trim());
  if (japanese) {
    return [
      `ご注文ありがとうございます！注文番号 ${orderId}、合計 ${amount} を承りました。`,
      ...items,
      'お届けまで今しばらくお待ちください。素敵なマンガ時間を！',
    ].join('\n');
  }
  return [
    `Thank you for your order! Order ${orderId} is confirmed, total ${amount}.`,
    ...items,
    'Your manga adventure is on its way - we will email you when it ships. Arigatou gozaimasu!',
  ].join('\n');
}

// ---- chat ---------------------------------------------------------------------------------
const JA_CHAT = [
  'お問い合わせありがとうございます。{topic}についてですね。人気の作品では『ONE PIECE』『SPY×FAMILY』『葬送のフリーレン』がおすすめです。それぞれ冒険、コメディ、ファンタジーの魅力があり、初めての方にも読みやすい作品です。気になるジャンルや好きな作家を教えていただければ、さらにぴったりの一冊をご提案します。',
  '{topic}に関するご質問ですね。当店では新刊の予約、全巻セット、電子版との比較情報をご用意しています。まずは1巻を試し読みして、気に入ったらセット購入がお得です。配送は通常2〜3営業日でお届けします。ほかにお手伝いできることはありますか？',
  'ご質問ありがとうございます。{topic}なら、ストーリー重視の方には『進撃の巨人』、癒やし系がお好みなら『よつばと！』がおすすめです。どちらも在庫がございます。ご予算や巻数のご希望があれば、お気軽にお知らせください。',
];
const EN_CHAT = [
  "Thanks for asking about {topic}! Popular picks right now are One Piece, Spy x Family and Frieren: Beyond Journey's End - adventure, comedy and fantasy respectively, and all easy to start. Tell me which genres or authors you enjoy and I can narrow it down to the perfect next read.",
  'Good question about {topic}. Our store offers pre-orders for new volumes, complete box sets and a comparison with the digital editions. Trying volume 1 first is a safe bet; box sets save around 15%. Standard delivery in Japan takes 2-3 business days. Anything else I can help with?',
  'For {topic}, story-driven readers love Attack on Titan, while Yotsuba&! is a gentle, funny slice-of-life pick. Both are in stock. Let me know your budget or how many volumes you want and I will suggest the best option.',
];

/** A system prompt that says which language to answer in ("Answer in English." / "...Japanese") is obeyed. */
function answerLanguage(system: string): 'ja' | 'en' | undefined {
  const said = /answer in [^.\n]*?\b(english|japanese)\b/i.exec(system)?.[1].toLowerCase();
  return said === 'english' ? 'en' : said === 'japanese' ? 'ja' : undefined;
}

function chat(message: string, seed: number, lang?: 'ja' | 'en'): string {
  const japanese = lang ? lang === 'ja' : JAPANESE.test(message);
  const topic = keywords(message)[0] ?? (japanese ? 'マンガ' : 'manga');
  return pick(japanese ? JA_CHAT : EN_CHAT, seed).replace('{topic}', topic);
}

function generic(message: string, seed: number): string {
  const japanese = JAPANESE.test(message);
  const topic =
    keywords(message)
      .slice(0, 2)
      .join(japanese ? '、' : ' and ') || (japanese ? 'ご質問' : 'your request');
  return japanese
    ? `${topic}について整理しました。要点は三つあります。まず目的をはっきりさせること、次に必要な情報を集めること、最後に結果を確認することです。`
    : pick(
        [
          `Here is a short answer about ${topic}. The key points are to clarify the goal, gather the relevant details and check the result against what was asked.`,
          `Regarding ${topic}: start with the essentials, keep the scope small, and confirm each step before moving on.`,
        ],
        seed,
      );
}

const STOP = new Set(
  'the a an and or of to in on for is are was were be it this that with about what which who how can could would should do does i you me my your please any some have has tell want'.split(
    ' ',
  ),
);

function keywords(text: string): string[] {
  const ja = text.match(/[\p{Script=Katakana}\p{Script=Han}\u30a0\u30fb\u30fc]{2,}|『[^』]+』/gu) ?? [];
  const en = (text.toLowerCase().match(/[a-z][a-z0-9'-]{2,}/g) ?? []).filter((w) => !STOP.has(w));
  return uniq([...ja, ...en]);
}

function uniq(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => Boolean(v)))];
}
