import { customerLanguage, detectLanguage, resolveLanguage } from './language';

describe('resolveLanguage', () => {
  it.each([
    ['explicit ja wins over the header', 'ja', 'en-US,en;q=0.9', 'ja'],
    ['explicit region tag', 'ja-JP', undefined, 'ja'],
    ['explicit unsupported falls back to the header', 'fr', 'ja', 'ja'],
    ['header order by q-value', undefined, 'en;q=0.5, ja;q=0.8', 'ja'],
    ['first supported tag at equal q', undefined, 'fr-FR, ja-JP, en', 'ja'],
    ['q=0 means not this language', undefined, 'ja;q=0, en;q=0.1', 'en'],
    ['only q=0: the store default', undefined, 'en;q=0', 'ja'],
    ['wildcard is not a choice', undefined, '*', 'ja'],
    ['case and spaces', undefined, '  JA-jp ; Q=0.7 ', 'ja'],
    ['malformed q ignored (treated as 1)', undefined, 'en;q=abc', 'en'],
    ['nothing: Japanese, the store language', undefined, undefined, 'ja'],
    ['empty header', '', '', 'ja'],
  ])('%s', (_name, explicit, header, expected) => {
    expect(resolveLanguage({ explicit, acceptLanguage: header })).toBe(expected);
  });

  it('a Japanese message from an English browser is answered in Japanese', () => {
    expect(resolveLanguage({ text: '新刊マンガ🎉おすすめ!', acceptLanguage: 'en-US,en;q=0.9' })).toBe('ja');
  });

  it('an English message from a Japanese browser is answered in English', () => {
    expect(resolveLanguage({ text: 'Any new manga for me?', acceptLanguage: 'ja-JP' })).toBe('en');
  });

  it('the explicit choice beats the text', () => {
    expect(resolveLanguage({ explicit: 'en', text: 'ワンピースの新刊' })).toBe('en');
  });

  it('text that does not decide leaves it to the header, then Japanese', () => {
    expect(resolveLanguage({ text: '🎉🎉 123', acceptLanguage: 'en' })).toBe('en');
    expect(resolveLanguage({ text: 'Naruto' })).toBe('ja');
  });
});

describe('detectLanguage', () => {
  it.each([
    ['hiragana', 'おすすめ', 'ja'],
    ['katakana only', 'マンガ', 'ja'],
    ['half-width katakana', 'ﾏﾝｶﾞ', 'ja'],
    ['kanji only', '鬼滅の刃', 'ja'],
    ['supplementary kanji', '𠮷', 'ja'],
    ['mixed romaji title and Japanese', 'One Pieceの新刊', 'ja'],
    ['English sentence', 'What should I read next?', 'en'],
    ['a single Latin word', 'Naruto', undefined],
    ['emoji only', '🎉🎉', undefined],
    ['empty', '', undefined],
  ])('%s', (_name, text, expected) => {
    expect(detectLanguage(text)).toBe(expected);
  });
});

describe('customerLanguage (order confirmations)', () => {
  it.each([
    ['checkout locale wins', { locale: 'en-GB', country: 'JP', currency: 'JPY' }, 'en'],
    ['locale ja', { locale: 'ja', currency: 'USD' }, 'ja'],
    ['auto locale decides nothing: country', { locale: 'auto', country: 'US', currency: 'JPY' }, 'en'],
    ['country JP', { country: 'jp', currency: 'USD' }, 'ja'],
    ['currency JPY', { currency: 'jpy' }, 'ja'],
    ['another currency', { currency: 'EUR' }, 'en'],
    ['nothing known: the store language', {}, 'ja'],
  ])('%s', (_name, input, expected) => {
    expect(customerLanguage(input)).toBe(expected);
  });
});
