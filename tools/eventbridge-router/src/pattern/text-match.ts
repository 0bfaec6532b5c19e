/**
 * String comparisons as aws/event-ruler performs them on a value's UTF-8 bytes.
 *
 * equals-ignore-case (input/EqualsIgnoreCaseParser.java): each UTF-16 unit of the PATTERN
 * becomes "its lower case or its upper case" (Locale.ROOT), each possibly of another length, and
 * the event value must be exactly a concatenation of one choice per unit. So "ß" matches "ß" and
 * "SS" but not "ss"; "ⱥ" matches "Ⱥ"; the event value itself is never case-folded. A lone
 * surrogate has no UTF-8 form and Java encodes it as "?": we keep that too (the engine's
 * behaviour, so an astral character in an equals-ignore-case pattern behaves here as on AWS).
 *
 * wildcard (input/WildcardParser.java): `*` is any run of characters (two in a row are refused),
 * `\*` is an asterisk, `\\` a backslash, any other backslash is refused.
 */
type Alternatives = string[];

const isSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdfff;

export function ignoreCaseUnits(pattern: string): Alternatives[] {
  const units: Alternatives[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const unit = pattern[i];
    if (isSurrogate(unit.charCodeAt(0))) {
      units.push(['?']);
      continue;
    }
    const lower = unit.toLowerCase();
    const upper = unit.toUpperCase();
    units.push(lower === upper ? [lower] : [lower, upper]);
  }
  return units;
}

export type Anchor = 'whole' | 'prefix' | 'suffix';

/** Does `value` (whole / starting with / ending with) spell one choice per unit? */
export function matchesIgnoreCase(units: Alternatives[], value: string, anchor: Anchor): boolean {
  if (anchor === 'suffix') {
    let ends = new Set([value.length]);
    for (let u = units.length - 1; u >= 0 && ends.size > 0; u--) {
      const next = new Set<number>();
      for (const end of ends) {
        for (const alt of units[u]) {
          const start = end - alt.length;
          if (start >= 0 && value.startsWith(alt, start)) next.add(start);
        }
      }
      ends = next;
    }
    return ends.size > 0;
  }
  let starts = new Set([0]);
  for (const alternatives of units) {
    const next = new Set<number>();
    for (const start of starts) {
      for (const alt of alternatives) if (value.startsWith(alt, start)) next.add(start + alt.length);
    }
    starts = next;
    if (starts.size === 0) return false;
  }
  return anchor === 'prefix' || starts.has(value.length);
}

/**
 * Checks a wildcard pattern; returns a regular expression for it, or throws the engine's message.
 * Positions count UTF-8 bytes after the opening quote the engine adds, as its messages do.
 */
export function compileWildcard(pattern: string): RegExp {
  const bytesBefore = (index: number) => Buffer.byteLength(pattern.slice(0, index), 'utf8') + 1;
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') throw new Error(`Consecutive wildcard characters at pos ${bytesBefore(i)}`);
      source += '[\\s\\S]*';
    } else if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') throw new Error(`Invalid escape character at pos ${bytesBefore(i)}`);
      source += `\\${next}`;
      i++;
    } else {
      source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}
