import { assessComplexity, complexityScore, selectModelForComplexity } from './complexity';

describe('complexity heuristic', () => {
  it.each([
    'こんにちは',
    'ワンピースの最新巻はいつ発売ですか？',
    '鬼滅の刃を探しています',
    'Do you have Naruto volume 3?',
    'おすすめの少女漫画を教えて',
  ])('keeps a simple request on haiku: %s', (text) => {
    expect(selectModelForComplexity(text)).toBe('haiku');
  });

  it.each([
    'ワンピースとナルトの違いを比較してください',
    '進撃の巨人の結末はなぜ賛否両論なのか、テーマを踏まえて分析して',
    'Compare Berserk and Vagabond and explain why their art styles differ.',
    '『火の鳥』の各編について\n1. テーマ\n2. 時代背景\n3. 手塚治虫の思想との関係\nを詳しく説明してください。それぞれの編はどうつながっていますか？全体を通したメッセージは？',
  ])('sends a reasoning-heavy request to sonnet: %s', (text) => {
    expect(selectModelForComplexity(text)).toBe('sonnet');
  });

  it('measures Japanese length without relying on spaces', () => {
    const longJa = 'この漫画の主人公は幼い頃に家族を失い、'.repeat(20); // no spaces at all
    const short = assessComplexity('こんにちは');
    const long = assessComplexity(longJa);
    expect(long.estimatedTokens).toBeGreaterThan(short.estimatedTokens * 20);
    expect(long.score).toBeGreaterThan(short.score);
    expect(long.signals.some((s) => s.startsWith('length:'))).toBe(true);
  });

  it('explains its score with signals and stays within 0..1', () => {
    const a = assessComplexity(
      'なぜ？どうして？比較して、分析して、メリットとデメリットは？\n- a\n- b\n```js\nx\n```',
    );
    expect(a.signals).toEqual(
      expect.arrayContaining(['marker:why', 'marker:compare', 'questions:3', 'list:2', 'code']),
    );
    expect(a.score).toBeLessThanOrEqual(1);
    expect(complexityScore('')).toBe(0);
  });

  it('answers the same for the same text however many calls came before (its patterns keep no state)', () => {
    const text = 'ワンピースとナルトの違いを比較して、なぜ人気なのか分析して';
    const first = assessComplexity(text);
    assessComplexity('比較 比較 比較 why why');
    assessComplexity('');
    expect(assessComplexity(text)).toEqual(first);
    expect(first.signals).toEqual(expect.arrayContaining(['marker:compare', 'marker:why', 'marker:analyse']));
  });

  it('honours a custom threshold', () => {
    const text = 'なぜルフィはゴム人間なの？';
    expect(selectModelForComplexity(text)).toBe('haiku');
    expect(selectModelForComplexity(text, { threshold: 0.2 })).toBe('sonnet');
  });
});
