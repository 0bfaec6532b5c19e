import { estimateTokens } from '@manga-assist/token-estimator';

interface ComplexityAssessment {
  /** 0 (trivial) .. 1 (clearly needs the stronger model). */
  score: number;
  estimatedTokens: number;
  /** Why: which signals contributed (for logs and tests). */
  signals: string[];
}

interface ComplexityOptions {
  /** Score at or above which the complex tier is chosen. Default 0.5. */
  threshold?: number;
}

// Markers of reasoning-heavy requests. Japanese has no spaces, so these are substrings, not words;
// English ones are matched on word boundaries.
const JA_MARKERS: [string, RegExp][] = [
  ['compare', /比較|比べ|くらべ|違い|ちがい|違う|相違|共通点|どっちが|どちらが/],
  ['why', /なぜ|何故|どうして|理由/],
  ['analyse', /分析|考察|解説|評価|批評|解釈|論じ/],
  ['explain', /説明して|詳しく|くわしく|掘り下げ/],
  ['tradeoff', /メリット|デメリット|長所|短所|利点|欠点/],
  ['themes', /テーマ|象徴|伏線|背景|影響|意味するもの|メッセージ性/],
  ['recommend-reasoned', /(?:に基づいて|を踏まえて|を考慮して).*(?:おすすめ|オススメ|勧め|推薦)/],
];
const EN_MARKERS: [string, RegExp][] = [
  ['compare', /\b(?:compare|comparison|contrast|differences?|versus|vs\.?)\b/i],
  ['why', /\bwhy\b/i],
  ['analyse', /\b(?:analy[sz]e|analysis|evaluate|critique|interpret)\b/i],
  ['explain', /\b(?:explain|in depth|in detail|elaborate)\b/i],
  ['tradeoff', /\b(?:pros and cons|trade-?offs?|advantages|disadvantages)\b/i],
  ['themes', /\b(?:themes?|symbolism|foreshadowing|influence)\b/i],
  ['recommend-reasoned', /\brecommend\w*\b.*\bbased on\b/i],
];

// Global copies, made once: `match` with a global pattern returns every occurrence and starts from
// 0 whatever a previous call left in lastIndex, so one shared instance serves every call.
const MARKERS: [string, RegExp][] = [...JA_MARKERS, ...EN_MARKERS].map(([name, re]) => [
  name,
  new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`),
]);

const MARKER_WEIGHT = 0.25;
const MARKER_CAP = 0.5;

/**
 * A cheap, language-aware estimate of how much reasoning a request needs. Length is measured in
 * estimated tokens (meaningful for Japanese, unlike whitespace word counts), plus reasoning
 * markers in Japanese and English, several questions, lists and code.
 */
export function assessComplexity(text: string): ComplexityAssessment {
  const signals: string[] = [];
  let score = 0;
  const estimatedTokens = estimateTokens(text);

  // Length: grows up to 0.4 at ~400 estimated tokens (roughly 300 kana/kanji or 2,000 Latin characters).
  const lengthScore = Math.min(0.4, (estimatedTokens / 400) * 0.4);
  if (lengthScore >= 0.1) signals.push(`length:${estimatedTokens}`);
  score += lengthScore;

  // Each distinct marker term counts ("違いを比較して" is two), each category is reported once.
  const categories = new Set<string>();
  const terms = new Set<string>();
  for (const [name, re] of MARKERS) {
    const found = text.match(re);
    if (!found) continue;
    categories.add(name);
    for (const term of found) terms.add(term.toLowerCase());
  }
  for (const name of categories) signals.push(`marker:${name}`);
  score += Math.min(MARKER_CAP, terms.size * MARKER_WEIGHT);

  const questions = (text.match(/[?？]/g) ?? []).length;
  if (questions >= 2) {
    signals.push(`questions:${questions}`);
    score += 0.2;
  }
  const listItems = text
    .split(/\r?\n/)
    .filter((line) => /^\s*(?:[-*・•]|\d+[.)．、]|[①-⑳])\s*\S/.test(line)).length;
  if (listItems >= 2) {
    signals.push(`list:${listItems}`);
    score += 0.15;
  }
  if (/```|\bfunction\b|=>|\{\s*\n/.test(text)) {
    signals.push('code');
    score += 0.2;
  }
  return { score: Math.min(1, Number(score.toFixed(3))), estimatedTokens, signals };
}

export function complexityScore(text: string): number {
  return assessComplexity(text).score;
}

/** 'sonnet' (the complex tier) when the score reaches the threshold, else 'haiku'. */
export function selectModelForComplexity(
  text: string,
  { threshold = 0.5 }: ComplexityOptions = {},
): 'haiku' | 'sonnet' {
  return complexityScore(text) >= threshold ? 'sonnet' : 'haiku';
}
