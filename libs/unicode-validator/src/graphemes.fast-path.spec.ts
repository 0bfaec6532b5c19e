import { isControlCodePoint, isExtendCodePoint, isSimpleCodePoint } from './graphemes';

// measure() counts "simple" code points without Intl.Segmenter. Its correctness rests on one fact:
// between any two simple code points the runtime's segmenter always breaks, and no simple code
// point extends or joins a neighbour (Extend, ZWJ, SpacingMark, Prepend, regional indicators,
// Hangul L/V/T, CR). Partners: an ordinary letter, an LV and an LVT syllable, LF, and itself.
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const count = (s: string) => {
  let n = 0;
  for (const _ of segmenter.segment(s)) n++;
  return n;
};

function breaksAround(cp: number): boolean {
  const c = String.fromCodePoint(cp);
  return (
    count(`a${c}a`) === 3 &&
    count(`가${c}가`) === 3 &&
    count(`각${c}각`) === 3 &&
    count(`${c}\n`) === 2 &&
    count(c + c) === 2
  );
}

function simpleCodePoints(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let cp = from; cp < to; cp += step)
    if (isSimpleCodePoint(cp) && (cp < 0xd800 || cp > 0xdfff)) out.push(cp);
  return out;
}

describe('simple code points (the fast path of measure)', () => {
  it('every simple BMP code point breaks from its neighbours', () => {
    const cps = simpleCodePoints(0, 0x10000, 1);
    expect(cps.length).toBeGreaterThan(40000);
    expect(cps.filter((cp) => !breaksAround(cp)).map((cp) => cp.toString(16))).toEqual([]);
  });

  it('every simple emoji code point, and a sample of CJK extensions B-J, breaks from its neighbours', () => {
    const cps = [...simpleCodePoints(0x1f000, 0x1fb00, 1), ...simpleCodePoints(0x20000, 0x40000, 61)];
    expect(cps.filter((cp) => !breaksAround(cp)).map((cp) => cp.toString(16))).toEqual([]);
  });

  it.each([
    ['CR', 0x0d],
    ['combining acute', 0x0301],
    ['combining dakuten', 0x3099],
    ['half-width voiced mark', 0xff9e],
    ['ZWJ', 0x200d],
    ['VS16', 0xfe0f],
    ['skin tone', 0x1f3fd],
    ['regional indicator', 0x1f1ef],
    ['Hangul L jamo', 0x1100],
    ['keycap', 0x20e3],
  ])('%s is not simple', (_name, cp) => {
    expect(isSimpleCodePoint(cp)).toBe(false);
  });

  it('among simple code points, exactly the Control ones break before a combining mark (GB4)', () => {
    const wrong = simpleCodePoints(0, 0x10000, 1).filter(
      (cp) => count(`${String.fromCodePoint(cp)}\u0301`) !== (isControlCodePoint(cp) ? 2 : 1),
    );
    expect(wrong.map((cp) => cp.toString(16))).toEqual([]);
  });
});

describe('Extend code points (joined without the segmenter)', () => {
  it('each one extends a letter and keeps an emoji ZWJ chain (GB9, GB11), and is not Prepend', () => {
    const cps: number[] = [];
    for (let cp = 0; cp < 0x110000; cp++) if (isExtendCodePoint(cp)) cps.push(cp);
    expect(cps.length).toBeGreaterThan(200);
    const wrong = cps.filter((cp) => {
      const c = String.fromCodePoint(cp);
      return count(`a${c}`) !== 1 || count(`🎉${c}\u200d🎉`) !== 1 || count(`${c}a`) !== 2;
    });
    expect(wrong.map((cp) => cp.toString(16))).toEqual([]);
  });
});
