import { resolveRequestId } from './request-context';

describe('resolveRequestId', () => {
  it('keeps a well-formed incoming id', () => {
    expect(resolveRequestId('req-1:abc.DEF_2')).toBe('req-1:abc.DEF_2');
  });
  it('replaces a missing, oversized or injected id with a uuid', () => {
    for (const bad of [undefined, '', 'a'.repeat(129), 'x\n{"level":"fatal"}', 'a b']) {
      expect(resolveRequestId(bad)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
