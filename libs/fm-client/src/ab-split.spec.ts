import { createAbSplit, parseAbSplit } from './ab-split';

describe('A/B split', () => {
  it('parses name:weight lists and name=model-id:weight entries', () => {
    expect(parseAbSplit('sonnet:20,haiku:80')).toEqual([
      { name: 'sonnet', model: 'sonnet', weight: 20 },
      { name: 'haiku', model: 'haiku', weight: 80 },
    ]);
    expect(parseAbSplit(' new=us.anthropic.claude-3-5-haiku-20241022-v1:0:10 , haiku:90 ')).toEqual([
      { name: 'new', model: 'us.anthropic.claude-3-5-haiku-20241022-v1:0', weight: 10 },
      { name: 'haiku', model: 'haiku', weight: 90 },
    ]);
    expect(() => parseAbSplit('sonnet')).toThrow(/name:weight/);
    expect(() => parseAbSplit('sonnet:lots')).toThrow(/not a number/);
  });

  it('refuses empty, negative, zero-sum and duplicate variants', () => {
    expect(() => createAbSplit([])).toThrow();
    expect(() => createAbSplit([{ name: 'a', model: 'haiku', weight: -1 }])).toThrow();
    expect(() => createAbSplit([{ name: 'a', model: 'haiku', weight: 0 }])).toThrow();
    expect(() => createAbSplit(parseAbSplit('a:1,a:2'))).toThrow(/twice/);
  });

  it('gives a session the same variant every time', () => {
    const split = createAbSplit(parseAbSplit('sonnet:20,haiku:80'));
    const again = createAbSplit(parseAbSplit('sonnet:20,haiku:80'));
    for (let i = 0; i < 200; i++) {
      const id = `session-${i}`;
      expect(split.assign(id)).toEqual(split.assign(id));
      expect(again.assign(id)).toEqual(split.assign(id));
    }
  });

  it('respects the weights over 10,000 sessions (within 1.5 points)', () => {
    const split = createAbSplit(parseAbSplit('sonnet:20,haiku:80'));
    const three = createAbSplit(parseAbSplit('a:10,b:30,c:60'));
    const counts: Record<string, number> = {};
    const counts3: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) {
      const id = `${i.toString(36)}-${(i * 7919).toString(16)}`;
      const v = split.assign(id);
      counts[v.name] = (counts[v.name] ?? 0) + 1;
      const w = three.assign(id);
      counts3[w.name] = (counts3[w.name] ?? 0) + 1;
    }
    expect(Math.abs(counts.sonnet / 10_000 - 0.2)).toBeLessThan(0.015);
    expect(Math.abs(counts.haiku / 10_000 - 0.8)).toBeLessThan(0.015);
    expect(Math.abs(counts3.a / 10_000 - 0.1)).toBeLessThan(0.015);
    expect(Math.abs(counts3.b / 10_000 - 0.3)).toBeLessThan(0.015);
    expect(Math.abs(counts3.c / 10_000 - 0.6)).toBeLessThan(0.015);
  });

  it('never picks a zero-weight variant', () => {
    const split = createAbSplit(parseAbSplit('off:0,haiku:1'));
    for (let i = 0; i < 1000; i++) expect(split.assign(String(i)).name).toBe('haiku');
  });
});
