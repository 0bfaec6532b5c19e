/**
 * EventBridge event-pattern matching, following the semantics documented in "Comparison
 * operators for use in event patterns in Amazon EventBridge" (formerly "Content filtering in
 * Amazon EventBridge event patterns") and "Event patterns" in the EventBridge User Guide:
 *
 * - A pattern is an object; every field must match (AND). A leaf is an array of conditions,
 *   any of which may match (OR). Nested objects match nested event objects.
 * - When the event value is an array, the leaf matches if ANY element matches (intersection).
 *   An object pattern over an array of objects matches if one element matches the whole
 *   sub-pattern (fields from the same element).
 * - Conditions: exact string / number / boolean / null (null and "" are different), prefix,
 *   suffix (both optionally {equals-ignore-case}), equals-ignore-case, wildcard (`*`, `\*`
 *   escapes), numeric ranges, exists true|false (leaves only: an object value is not a leaf),
 *   cidr (IPv4), anything-but (value, list, prefix, suffix, equals-ignore-case, wildcard), $or.
 * - A condition other than {exists:false} never matches an absent field.
 */
import type { EventPattern, PatternCondition, PatternScalar } from '@manga-assist/event-schemas';

type Json = unknown;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function matchesPattern(pattern: EventPattern, event: Json): boolean {
  return matchObject(pattern, event);
}

function matchObject(pattern: EventPattern, value: Json): boolean {
  if (Array.isArray(value)) {
    return value.some((element) => isPlainObject(element) && matchObject(pattern, element));
  }
  const object = isPlainObject(value) ? value : undefined;
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(sub as EventPattern[]).some((alternative) => matchObject(alternative, value))) return false;
      continue;
    }
    const child = object?.[key];
    if (Array.isArray(sub)) {
      if (!matchLeaf(sub as PatternCondition[], child)) return false;
    } else if (!matchObject(sub as EventPattern, child)) {
      return false;
    }
  }
  return true;
}

function leafValues(value: Json): PatternScalar[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.filter((v) => !isPlainObject(v) && !Array.isArray(v)) as PatternScalar[];
  if (isPlainObject(value)) return [];
  return [value as PatternScalar];
}

function matchLeaf(conditions: PatternCondition[], value: Json): boolean {
  const values = leafValues(value);
  return conditions.some((condition) => {
    if (isPlainObject(condition) && 'exists' in condition) {
      return condition.exists === true ? values.length > 0 : values.length === 0;
    }
    return values.some((v) => matchCondition(condition, v));
  });
}

function matchCondition(condition: PatternCondition, v: PatternScalar): boolean {
  if (!isPlainObject(condition)) return v === condition;
  const [operator, arg] = Object.entries(condition)[0] ?? [];
  switch (operator) {
    case 'prefix':
      return typeof v === 'string' && stringTest(arg, v, (s, p) => s.startsWith(p));
    case 'suffix':
      return typeof v === 'string' && stringTest(arg, v, (s, p) => s.endsWith(p));
    case 'equals-ignore-case':
      return typeof v === 'string' && typeof arg === 'string' && fold(v) === fold(arg);
    case 'wildcard':
      return typeof v === 'string' && typeof arg === 'string' && wildcardRegex(arg).test(v);
    case 'numeric':
      return typeof v === 'number' && matchNumeric(arg as unknown[], v);
    case 'cidr':
      return typeof v === 'string' && typeof arg === 'string' && matchCidr(arg, v);
    case 'anything-but':
      return matchAnythingBut(arg, v);
    default:
      return false;
  }
}

const fold = (s: string) => s.toLowerCase();

/** prefix/suffix argument: a string, or {equals-ignore-case: string}. */
function stringTest(arg: unknown, v: string, test: (s: string, p: string) => boolean): boolean {
  if (typeof arg === 'string') return test(v, arg);
  if (isPlainObject(arg) && typeof arg['equals-ignore-case'] === 'string') {
    return test(fold(v), fold(arg['equals-ignore-case']));
  }
  return false;
}

const asList = (arg: unknown): unknown[] => (Array.isArray(arg) ? arg : [arg]);

function matchAnythingBut(arg: unknown, v: PatternScalar): boolean {
  if (isPlainObject(arg)) {
    if (typeof v !== 'string') return false;
    const [operator, inner] = Object.entries(arg)[0] ?? [];
    const list = asList(inner).filter((x): x is string => typeof x === 'string');
    switch (operator) {
      case 'prefix':
        return !list.some((p) => v.startsWith(p));
      case 'suffix':
        return !list.some((p) => v.endsWith(p));
      case 'equals-ignore-case':
        return !list.some((p) => fold(p) === fold(v));
      case 'wildcard':
        return !list.some((p) => wildcardRegex(p).test(v));
      default:
        return false;
    }
  }
  return !asList(arg).some((x) => x === v);
}

const wildcardCache = new Map<string, RegExp>();
function wildcardRegex(glob: string): RegExp {
  let regex = wildcardCache.get(glob);
  if (!regex) {
    let source = '';
    for (let i = 0; i < glob.length; i++) {
      const c = glob[i];
      if (c === '\\' && glob[i + 1] === '*') {
        source += '\\*';
        i++;
      } else if (c === '*') {
        source += '.*';
      } else {
        source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      }
    }
    regex = new RegExp(`^${source}$`, 's');
    if (wildcardCache.size > 1000) wildcardCache.clear();
    wildcardCache.set(glob, regex);
  }
  return regex;
}

const COMPARATORS: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '=': (a, b) => a === b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function matchNumeric(spec: unknown[], v: number): boolean {
  if (!Array.isArray(spec) || spec.length === 0 || spec.length % 2 !== 0) return false;
  for (let i = 0; i < spec.length; i += 2) {
    const compare = COMPARATORS[spec[i] as string];
    const bound = spec[i + 1];
    if (!compare || typeof bound !== 'number' || !compare(v, bound)) return false;
  }
  return true;
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    n = n * 256 + Number(part);
  }
  return n;
}

function matchCidr(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const a = ipv4ToInt(base);
  const b = ipv4ToInt(ip);
  if (a === undefined || b === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(a / size) === Math.floor(b / size);
}

