import fc from 'fast-check';
import { createCalibrator } from './calibrator';
import { estimateTokens } from './estimate';
import { estimateRequestTokens } from './request';

describe('createCalibrator', () => {
  it('starts neutral', () => {
    const c = createCalibrator();
    expect(c.factor()).toBe(1);
    expect(c.estimate('こんにちは')).toBe(estimateTokens('こんにちは'));
  });

  it('drifts toward the observed ratio', () => {
    const c = createCalibrator({ alpha: 0.2 });
    for (let i = 0; i < 50; i++) c.observe(1000, 1300);
    expect(c.factor()).toBeCloseTo(1.3, 3);
    expect(c.observations()).toBe(50);
    const req = { system: 'sys', messages: [{ role: 'user' as const, content: '新刊のおすすめを教えて' }] };
    expect(c.estimateRequest(req)).toBe(Math.ceil(estimateRequestTokens(req) * c.factor()));
    expect(c.estimate('新刊のおすすめを教えて')).toBe(
      Math.ceil(estimateTokens('新刊のおすすめを教えて') * c.factor()),
    );
  });

  it('moves by alpha per observation (EWMA)', () => {
    const c = createCalibrator({ alpha: 0.1 });
    c.observe(100, 200);
    expect(c.factor()).toBeCloseTo(1.1, 10);
    c.observe(100, 50);
    expect(c.factor()).toBeCloseTo(1.1 + 0.1 * (0.5 - 1.1), 10);
  });

  it('stays within its bounds whatever it observes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double(), fc.double()), { maxLength: 100 }), (pairs) => {
        const c = createCalibrator({ min: 0.5, max: 2 });
        for (const [e, a] of pairs) c.observe(e, a);
        expect(c.factor()).toBeGreaterThanOrEqual(0.5);
        expect(c.factor()).toBeLessThanOrEqual(2);
        expect(Number.isFinite(c.factor())).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['zero estimate', 0, 10],
    ['negative actual', 10, -1],
    ['NaN', Number.NaN, 10],
    ['infinite', Number.POSITIVE_INFINITY, 10],
  ])('ignores unusable observations: %s', (_name, e, a) => {
    const c = createCalibrator();
    expect(c.observe(e, a)).toBe(false);
    expect(c.factor()).toBe(1);
    expect(c.observations()).toBe(0);
  });

  it('rejects bad options', () => {
    expect(() => createCalibrator({ min: 1.5 })).toThrow(RangeError);
    expect(() => createCalibrator({ max: 0.8 })).toThrow(RangeError);
    expect(() => createCalibrator({ alpha: 0 })).toThrow(RangeError);
  });
});
