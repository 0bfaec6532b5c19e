import { createRateQuota } from './rate-quota';

describe('rate quota (sliding second, fake clock)', () => {
  it('admits perSecond requests per model in any second and counts only admitted ones', () => {
    const quota = createRateQuota();
    const at = (t: number, n: number, model = 'haiku') =>
      Array.from({ length: n }, () => quota.admit(model, 3, t)).filter(Boolean).length;
    expect(at(0, 5)).toBe(3);
    expect(at(500, 2)).toBe(0); // the refused ones did not count, the 3 admitted at 0 still do
    expect(at(500, 1, 'sonnet')).toBe(1); // per model
    expect(at(1000, 4)).toBe(3); // the ones at 0 left the window
    expect(at(1999, 1)).toBe(0);
    expect(at(2000, 1)).toBe(1);
  });
});
