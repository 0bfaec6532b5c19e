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
export type PatternScalar = string | number | boolean | null;
export type PatternCondition = PatternScalar | { [operator: string]: unknown };
export interface EventPattern {
  [field: string]: PatternCondition[] | EventPattern | EventPattern[];
}

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

// ---------------------------------------------------------------------------------------------
// Validation

const NUMERIC_LIMIT = 5e9;
const MAX_PATTERN_CHARS = 4096;
const STRING_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'];

export type PatternValidation = { ok: true } | { ok: false; problems: string[] };

/**
 * Finds the obvious mistakes EventBridge would reject or that silently never match: a bare value
 * instead of an array (`"severity": "high"`), empty arrays, unknown operators, malformed numeric
 * ranges, consecutive wildcards, non-boolean exists, mixed-type anything-but lists.
 */
export function validatePattern(pattern: unknown): PatternValidation {
  const problems: string[] = [];
  if (!isPlainObject(pattern) || Object.keys(pattern).length === 0) {
    return { ok: false, problems: ['pattern must be a non-empty JSON object'] };
  }
  if (JSON.stringify(pattern).length > MAX_PATTERN_CHARS) {
    problems.push(`pattern is longer than ${MAX_PATTERN_CHARS} characters`);
  }
  validateObject(pattern, '', problems);
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

function validateObject(pattern: Record<string, unknown>, path: string, problems: string[]): void {
  for (const [key, sub] of Object.entries(pattern)) {
    const where = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(sub) || sub.length < 2 || !sub.every(isPlainObject)) {
        problems.push(`${where} must be an array of at least two pattern objects`);
      } else {
        sub.forEach((alternative, i) => validateObject(alternative, `${where}[${i}]`, problems));
      }
    } else if (Array.isArray(sub)) {
      if (sub.length === 0) problems.push(`${where} is an empty array (it can never match)`);
      sub.forEach((condition, i) => validateCondition(condition, `${where}[${i}]`, problems));
    } else if (isPlainObject(sub)) {
      if (Object.keys(sub).length === 0) problems.push(`${where} is an empty object`);
      validateObject(sub, where, problems);
    } else {
      problems.push(`${where} must be an array of values, e.g. [${JSON.stringify(sub)}]`);
    }
  }
}

function validateCondition(condition: unknown, where: string, problems: string[]): void {
  if (condition === null || ['string', 'boolean'].includes(typeof condition)) return;
  if (typeof condition === 'number') {
    if (!Number.isFinite(condition)) problems.push(`${where}: number must be finite`);
    return;
  }
  if (!isPlainObject(condition)) {
    problems.push(`${where}: a condition is a string, number, boolean, null or an operator object`);
    return;
  }
  const keys = Object.keys(condition);
  if (keys.length !== 1) {
    problems.push(`${where}: an operator object has exactly one key (got ${keys.join(', ') || 'none'})`);
    return;
  }
  const [operator] = keys;
  const arg = condition[operator];
  switch (operator) {
    case 'prefix':
    case 'suffix':
      if (!(typeof arg === 'string' || (isPlainObject(arg) && typeof arg['equals-ignore-case'] === 'string'))) {
        problems.push(`${where}: ${operator} takes a string or {"equals-ignore-case": string}`);
      }
      return;
    case 'equals-ignore-case':
      if (typeof arg !== 'string') problems.push(`${where}: equals-ignore-case takes a string`);
      return;
    case 'wildcard':
      if (typeof arg !== 'string') problems.push(`${where}: wildcard takes a string`);
      else checkWildcard(arg, where, problems);
      return;
    case 'exists':
      if (typeof arg !== 'boolean') problems.push(`${where}: exists takes true or false`);
      return;
    case 'cidr':
      if (typeof arg !== 'string' || !/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(arg)) {
        problems.push(`${where}: cidr takes an IPv4 CIDR block such as "10.0.0.0/24"`);
      }
      return;
    case 'numeric':
      validateNumeric(arg, where, problems);
      return;
    case 'anything-but':
      validateAnythingBut(arg, where, problems);
      return;
    default:
      problems.push(`${where}: unknown operator "${operator}"`);
  }
}

function checkWildcard(glob: string, where: string, problems: string[]): void {
  if (/(?<!\\)\*\*/.test(glob)) problems.push(`${where}: consecutive wildcard characters are not allowed`);
}

function validateNumeric(arg: unknown, where: string, problems: string[]): void {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0 || arg.length > 4) {
    problems.push(`${where}: numeric takes [op, n] or [op, n, op, n]`);
    return;
  }
  const pairs: [string, unknown][] = [];
  for (let i = 0; i < arg.length; i += 2) pairs.push([arg[i] as string, arg[i + 1]]);
  for (const [op, n] of pairs) {
    if (!(op in COMPARATORS)) problems.push(`${where}: unknown numeric operator "${op}"`);
    if (typeof n !== 'number' || !Number.isFinite(n)) problems.push(`${where}: numeric bound must be a number`);
    else if (Math.abs(n) > NUMERIC_LIMIT) problems.push(`${where}: numeric bound ${n} is outside ±5e9`);
  }
  if (pairs.length === 2) {
    const lower = pairs.find(([op]) => op === '>' || op === '>=');
    const upper = pairs.find(([op]) => op === '<' || op === '<=');
    if (!lower || !upper) problems.push(`${where}: a two-sided range needs one of >,>= and one of <,<=`);
    else if ((lower[1] as number) >= (upper[1] as number)) problems.push(`${where}: empty numeric range`);
  }
}

function validateAnythingBut(arg: unknown, where: string, problems: string[]): void {
  if (typeof arg === 'string' || typeof arg === 'number') return;
  if (Array.isArray(arg)) {
    const allStrings = arg.every((x) => typeof x === 'string');
    const allNumbers = arg.every((x) => typeof x === 'number');
    if (arg.length === 0 || !(allStrings || allNumbers)) {
      problems.push(`${where}: anything-but list must be non-empty and all strings or all numbers`);
    }
    return;
  }
  if (isPlainObject(arg)) {
    const keys = Object.keys(arg);
    const [operator] = keys;
    const inner = arg[operator];
    const list = asList(inner);
    if (keys.length !== 1 || !STRING_OPERATORS.includes(operator)) {
      problems.push(`${where}: anything-but takes a value, a list, or one of {${STRING_OPERATORS.join('|')}}`);
    } else if (list.length === 0 || !list.every((x) => typeof x === 'string')) {
      problems.push(`${where}: anything-but ${operator} takes a string or a list of strings`);
    } else if (operator === 'wildcard') {
      list.forEach((glob) => checkWildcard(glob as string, where, problems));
    }
    return;
  }
  problems.push(`${where}: anything-but takes a string, a number, a list, or an operator object`);
}
