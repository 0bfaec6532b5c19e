import { resolveLanguage } from './language';

describe('resolveLanguage', () => {
  it.each([
    ['explicit ja wins over the header', 'ja', 'en-US,en;q=0.9', 'ja'],
    ['explicit region tag', 'ja-JP', undefined, 'ja'],
    ['explicit unsupported falls back to the header', 'fr', 'ja', 'ja'],
    ['header order by q-value', undefined, 'en;q=0.5, ja;q=0.8', 'ja'],
    ['first supported tag at equal q', undefined, 'fr-FR, ja-JP, en', 'ja'],
    ['q=0 means not this language', undefined, 'ja;q=0, en;q=0.1', 'en'],
    ['only q=0', undefined, 'ja;q=0', 'en'],
    ['wildcard is not a choice', undefined, '*', 'en'],
    ['case and spaces', undefined, '  JA-jp ; Q=0.7 ', 'ja'],
    ['malformed q ignored (treated as 1)', undefined, 'ja;q=abc', 'ja'],
    ['nothing', undefined, undefined, 'en'],
    ['empty header', '', '', 'en'],
  ])('%s', (_name, explicit, header, expected) => {
    expect(resolveLanguage(explicit, header)).toBe(expected);
  });
});
