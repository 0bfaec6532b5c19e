import type { EventPattern } from '@manga-assist/event-schemas';
import { compareNumbers, compilePattern, type Condition, type SubRule } from './compile';
import { ipInRange, parseIp } from './ip';
import { matchesIgnoreCase } from './text-match';
import { validatePattern } from './validate';

/**
 * EventBridge event-pattern matching with the semantics of AWS's engine (aws/event-ruler,
 * `rulesForJSONEvent`), which EventBridge's content-filtering documentation describes:
 *
 * - The event is flattened to (dotted path, leaf value, array membership) triples: arrays are
 *   crushed, however deeply nested, and objects inside arrays contribute their fields to the
 *   parent path (Event.java). An empty array or an object is not a leaf value.
 * - A pattern matches if, for one of its `$or` alternatives, every path has a leaf value meeting
 *   one of its conditions, with all chosen values array-consistent: no two of them come from
 *   different elements of the same array (ArrayMembership.java, ACFinder.java).
 * - Paths are visited in sorted order; `exists: false` holds when no value of the path is
 *   consistent with the elements chosen for the paths before it (ACFinder.tryMustNotExistMatch).
 * - Each leaf value is tested on its own: prefix/suffix/wildcard/equals-ignore-case only ever
 *   match strings; numeric only numbers; anything-but holds for every value it does not exclude,
 *   whatever its type (ByteMachine.doTransitionOn).
 */
export function matchesPattern(pattern: EventPattern | string, event: unknown): boolean {
  const { subRules, keysAt } = compiled(pattern);
  const fields = flatten(event, keysAt);
  return subRules.some((subRule) => matchSubRule(subRule, 0, fields, NO_MEMBERSHIP));
}

interface Compiled {
  subRules: SubRule[];
  /**
   * Path so far -> the event keys worth reading under it. A pattern path a.b.c is read from
   * {a:{b:{c}}} but also from {"a.b":{c}}, {a:{"b.c"}} and {"a.b.c"}: the engine joins keys with dots.
   */
  keysAt: Map<string, string[]>;
}

const cache = new WeakMap<object, Compiled>();
function compiled(pattern: EventPattern | string): Compiled {
  if (typeof pattern === 'string') return prepare(validatePattern(pattern));
  let result = cache.get(pattern);
  if (!result) {
    result = prepare(validatePattern(pattern));
    cache.set(pattern, result);
  }
  return result;
}

function prepare(pattern: EventPattern): Compiled {
  const subRules = compilePattern(pattern);
  const keys = new Map<string, Set<string>>();
  for (const subRule of subRules) {
    for (const [path] of subRule) {
      const segments = path.split('.');
      for (let i = 0; i < segments.length; i++) {
        const prefix = segments.slice(0, i).join('.');
        for (let j = i + 1; j <= segments.length; j++) {
          const set = keys.get(prefix) ?? new Set<string>();
          set.add(segments.slice(i, j).join('.'));
          keys.set(prefix, set);
        }
      }
    }
  }
  return { subRules, keysAt: new Map([...keys].map(([prefix, set]) => [prefix, [...set]])) };
}

type Leaf = string | number | boolean | null;
type Membership = ReadonlyMap<number, number>;
const NO_MEMBERSHIP: Membership = new Map();
interface Field {
  value: Leaf;
  membership: Membership;
}

const hasOwn = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);

/** Only the keys the pattern can use are read (the engine's Event skips the others too: isFieldStepUsed). */
function flatten(event: unknown, keysAt: Map<string, string[]>): Map<string, Field[]> {
  const fields = new Map<string, Field[]>();
  let arrays = 0;
  const add = (path: string, value: Leaf, membership: Map<number, number>) => {
    const list = fields.get(path) ?? [];
    list.push({ value, membership: membership.size === 0 ? NO_MEMBERSHIP : new Map(membership) });
    fields.set(path, list);
  };
  const visit = (value: unknown, path: string, membership: Map<number, number>) => {
    if (Array.isArray(value)) {
      const id = arrays++;
      value.forEach((element, index) => {
        if (typeof element === 'object' && element !== null) {
          membership.set(id, index);
          visit(element, path, membership);
          membership.delete(id);
        } else visit(element, path, membership);
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const key of keysAt.get(path) ?? []) {
        if (hasOwn(value, key))
          visit((value as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`, membership);
      }
    } else if (value !== undefined && path !== '') {
      add(path, value as Leaf, membership);
    }
  };
  if (typeof event === 'object' && event !== null && !Array.isArray(event)) visit(event, '', new Map());
  return fields;
}

/** ArrayMembership.checkArrayConsistency: the merged membership, or undefined on a conflict. */
function consistent(soFar: Membership, field: Membership): Membership | undefined {
  let merged: Map<number, number> | undefined;
  for (const [array, index] of field) {
    const previous = soFar.get(array);
    if (previous === undefined) (merged ??= new Map(soFar)).set(array, index);
    else if (previous !== index) return undefined;
  }
  return merged ?? soFar;
}

function matchSubRule(
  subRule: SubRule,
  i: number,
  fields: Map<string, Field[]>,
  membership: Membership,
): boolean {
  if (i === subRule.length) return true;
  const [path, conditions] = subRule[i];
  const candidates = fields.get(path) ?? [];
  if (conditions.some((c) => c.kind === 'absent')) {
    const present = candidates.some((field) => consistent(membership, field.membership) !== undefined);
    if (!present && matchSubRule(subRule, i + 1, fields, membership)) return true;
  }
  for (const field of candidates) {
    const next = consistent(membership, field.membership);
    if (next === undefined) continue;
    if (conditions.some((c) => matchesValue(c, field.value)) && matchSubRule(subRule, i + 1, fields, next))
      return true;
  }
  return false;
}

function matchesValue(condition: Condition, value: Leaf): boolean {
  switch (condition.kind) {
    case 'absent':
      return false;
    case 'exists':
      return true;
    case 'equals':
      return typeof condition.value === 'number' && typeof value === 'number'
        ? compareNumbers(condition.value, value) === 0
        : condition.value === value;
    case 'ip': {
      const bytes = typeof value === 'string' ? parseIp(value) : undefined;
      return bytes !== undefined && ipInRange(bytes, condition.range);
    }
    case 'prefix':
      return typeof value === 'string' && value.startsWith(condition.value);
    case 'suffix':
      return typeof value === 'string' && value.endsWith(condition.value);
    case 'ignore-case':
      return typeof value === 'string' && matchesIgnoreCase(condition.units, value, condition.anchor);
    case 'wildcard':
      return typeof value === 'string' && condition.regex.test(value);
    case 'numeric':
      return typeof value === 'number' && inRange(condition, value);
    case 'anything-but':
      return typeof value === 'string'
        ? !condition.strings.includes(value)
        : typeof value !== 'number' || !condition.numbers.some((n) => compareNumbers(n, value) === 0);
    case 'anything-but-string':
      return typeof value !== 'string' || !condition.excluded(value);
  }
}

function inRange(condition: Extract<Condition, { kind: 'numeric' }>, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  if (condition.equals !== undefined) return compareNumbers(value, condition.equals) === 0;
  const { low, high } = condition;
  if (low && compareNumbers(value, low.value) < (low.open ? 1 : 0)) return false;
  if (high && compareNumbers(value, high.value) > (high.open ? -1 : 0)) return false;
  return true;
}
