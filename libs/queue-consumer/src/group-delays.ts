/**
 * The retry delay last given to a failed message of each FIFO group, so the skipped messages after it
 * in that group are never made visible earlier. An entry matters only until its delay has passed,
 * so it is dropped then (and the oldest go first past `maxGroups`): the map does not grow with every
 * group ever seen.
 */
export function createGroupDelays({
  now = Date.now,
  maxGroups = 10_000,
}: { now?: () => number; maxGroups?: number } = {}) {
  const delays = new Map<string, { seconds: number; until: number }>();
  const prune = (at: number) => {
    for (const [group, entry] of delays) if (entry.until <= at) delays.delete(group);
    for (const group of delays.keys()) {
      if (delays.size <= maxGroups) break;
      delays.delete(group);
    }
  };
  return {
    set(group: string, seconds: number) {
      const at = now();
      delays.delete(group); // re-inserted last: the map's order is the age order pruning relies on
      delays.set(group, { seconds, until: at + seconds * 1000 });
      prune(at);
    },
    get(group: string): number | undefined {
      const entry = delays.get(group);
      if (!entry) return undefined;
      if (entry.until > now()) return entry.seconds;
      delays.delete(group);
      return undefined;
    },
    get size() {
      return delays.size;
    },
  };
}
