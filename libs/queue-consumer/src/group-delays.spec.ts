import { createGroupDelays } from './group-delays';

describe('per-group retry delays', () => {
  it('remembers a group delay until it has passed, then forgets the group', () => {
    let t = 0;
    const delays = createGroupDelays({ now: () => t });
    delays.set('g1', 30);
    t = 29_000;
    expect(delays.get('g1')).toBe(30);
    t = 30_000;
    expect(delays.get('g1')).toBeUndefined();
    expect(delays.size).toBe(0);
  });

  it('prunes expired groups on every failure, so the map does not grow with every group ever seen', () => {
    let t = 0;
    const delays = createGroupDelays({ now: () => t });
    for (let i = 0; i < 1_000; i++) {
      delays.set(`group-${i}`, 1);
      t += 2_000;
    }
    expect(delays.size).toBe(1);
  });

  it('keeps at most maxGroups, dropping the oldest', () => {
    const delays = createGroupDelays({ now: () => 0, maxGroups: 3 });
    for (const g of ['a', 'b', 'c', 'd']) delays.set(g, 60);
    expect(delays.size).toBe(3);
    expect(delays.get('a')).toBeUndefined();
    expect(delays.get('d')).toBe(60);
  });
});
