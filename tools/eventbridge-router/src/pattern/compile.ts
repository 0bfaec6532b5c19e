import { ipAsRange, parseCidr, parseIp, type IpRange } from './ip';
import { compileWildcard, ignoreCaseUnits, matchesIgnoreCase, type Anchor } from './text-match';

/**
 * Turns an event pattern into the engine's form and refuses what AWS refuses, following
 * aws/event-ruler's JsonRuleCompiler.java step by step (same checks, same order, same reason
 * texts): nested objects become dotted paths ("detail.state"), `$or` multiplies the pattern into
 * alternatives ("sub-rules"), each path keeps its list of conditions (any may match).
 */
export type Condition =
  | { kind: 'exists' }
  | { kind: 'absent' }
  | { kind: 'equals'; value: string | number | boolean | null }
  | { kind: 'ip'; range: IpRange }
  | { kind: 'prefix'; value: string }
  | { kind: 'suffix'; value: string }
  | { kind: 'ignore-case'; units: string[][]; anchor: Anchor }
  | { kind: 'wildcard'; regex: RegExp }
  | { kind: 'numeric'; low?: Bound; high?: Bound; equals?: number }
  | { kind: 'anything-but'; strings: string[]; numbers: number[] }
  | { kind: 'anything-but-string'; excluded: (value: string) => boolean };

export interface Bound {
  value: number;
  open: boolean;
}

/** One alternative of the pattern: every path must match (paths sorted, as the engine walks them). */
export type SubRule = [path: string, conditions: Condition[]][];

export class PatternSyntaxError extends Error {}

const fail = (reason: string): never => {
  throw new PatternSyntaxError(reason);
};
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const OR = '$or';
/** Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

type Rules = Map<string, Condition[]>[];

export function compilePattern(pattern: unknown): SubRule[] {
  if (!isObject(pattern)) fail('Filter is not an object');
  const rules: Rules = [];
  parseObject(rules, [], pattern as Record<string, unknown>, false);
  return rules.map((rule) => [...rule.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function parseObject(rules: Rules, path: string[], object: Record<string, unknown>, insideOr: boolean): void {
  const entries = Object.entries(object);
  if (entries.length === 0) fail('Empty objects are not allowed');
  for (const [name, value] of entries) {
    if (name === OR) {
      parseOr(rules, path, value);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(name)) {
      fail(`${name} is Ruler reserved fieldName which cannot be used inside ${OR}.`);
    }
    if (isObject(value)) parseObject(rules, [...path, name], value, insideOr);
    else if (Array.isArray(value)) writeConditions(rules, [...path, name].join('.'), value);
    else fail(`"${name}" must be an object or an array`);
  }
}

function parseOr(rules: Rules, path: string[], value: unknown): void {
  const before = rules.map((rule) => new Map(rule));
  rules.length = 0;
  if (!Array.isArray(value)) return fail(`It must be an Array followed with ${OR}.`);
  for (const alternative of value) {
    if (!isObject(alternative)) fail(`Only JSON object is allowed in array of ${OR} relationship.`);
    const branch = before.length > 0 ? before.map((rule) => new Map(rule)) : [new Map<string, Condition[]>()];
    parseObject(branch, path, alternative as Record<string, unknown>, true);
    rules.push(...branch);
  }
  if (value.length < 2) fail(`There must have at least 2 Objects in ${OR} relationship.`);
}

function writeConditions(rules: Rules, name: string, values: unknown[]): void {
  const conditions: Condition[] = [];
  for (const value of values) {
    if (isObject(value)) conditions.push(matchExpression(value));
    else if (typeof value === 'string') {
      const ip = parseIp(value);
      conditions.push(ip ? { kind: 'ip', range: ipAsRange(ip) } : { kind: 'equals', value });
    } else if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
      conditions.push({ kind: 'equals', value });
    } else fail('Match value must be String, number, true, false, or null');
  }
  if (conditions.length === 0) fail('Empty arrays are not allowed');
  if (rules.length === 0) rules.push(new Map());
  for (const rule of rules) rule.set(name, conditions);
}

function onlyKey(
  expression: Record<string, unknown>,
  message = 'Only one key allowed in match expression',
): void {
  if (Object.keys(expression).length > 1) fail(message);
}

function matchExpression(expression: Record<string, unknown>): Condition {
  const [operator] = Object.keys(expression);
  if (operator === undefined) return fail('Match expression name not found');
  const arg = expression[operator];
  switch (operator) {
    case 'exactly':
      if (typeof arg !== 'string') fail('exact match pattern must be a string');
      onlyKey(expression);
      return { kind: 'equals', value: arg as string };
    case 'prefix':
    case 'suffix': {
      const anchor = operator;
      if (isObject(arg)) {
        const ignoreCase = ignoreCaseArgument(arg, anchor);
        onlyKey(expression);
        return ignoreCase;
      }
      if (typeof arg !== 'string') fail(`${operator} match pattern must be a string`);
      onlyKey(expression);
      return { kind: anchor, value: arg as string };
    }
    case 'equals-ignore-case':
      if (typeof arg !== 'string') fail('equals-ignore-case match pattern must be a string');
      onlyKey(expression);
      return { kind: 'ignore-case', units: ignoreCaseUnits(arg as string), anchor: 'whole' };
    case 'wildcard': {
      if (typeof arg !== 'string') fail('wildcard match pattern must be a string');
      const regex = wildcard(arg as string);
      onlyKey(expression);
      return { kind: 'wildcard', regex };
    }
    case 'numeric': {
      if (!Array.isArray(arg)) fail('Value of numeric must be an array.');
      const condition = numeric(arg as unknown[]);
      onlyKey(expression, 'Too many elements in numeric expression');
      return condition;
    }
    case 'anything-but': {
      const condition = anythingBut(arg);
      onlyKey(expression, 'Too many elements in numeric expression');
      return condition;
    }
    case 'exists':
      if (typeof arg !== 'boolean') fail('exists match pattern must be either true or false.');
      onlyKey(expression);
      return arg ? { kind: 'exists' } : { kind: 'absent' };
    case 'cidr': {
      if (typeof arg !== 'string') fail('prefix match pattern must be a string'); // sic, the engine's text
      let range: IpRange;
      try {
        range = parseCidr(arg as string);
      } catch (error) {
        return fail((error as Error).message);
      }
      onlyKey(expression);
      return { kind: 'ip', range };
    }
    default:
      return fail(`Unrecognized match type ${operator}`);
  }
}

function ignoreCaseArgument(arg: Record<string, unknown>, anchor: 'prefix' | 'suffix'): Condition {
  const Name = anchor === 'prefix' ? 'Prefix' : 'Suffix';
  const [operator] = Object.keys(arg);
  if (operator === undefined) fail(`${Name} expression name not found`);
  if (operator !== 'equals-ignore-case') fail(`Unsupported ${anchor} pattern: ${operator}`);
  if (typeof arg[operator] !== 'string') fail('equals-ignore-case match pattern must be a string');
  onlyKey(arg);
  return { kind: 'ignore-case', units: ignoreCaseUnits(arg[operator] as string), anchor };
}

function wildcard(pattern: string): RegExp {
  try {
    return compileWildcard(pattern);
  } catch (error) {
    return fail((error as Error).message);
  }
}

/** ComparableNumber.generate: any finite double the JSON text denotes exactly. */
function comparable(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`Cannot compare number : ${String(value)}`);
  return value as number;
}

const text = (value: unknown) =>
  value === undefined ? ']' : typeof value === 'string' ? value : JSON.stringify(value);

function numeric(spec: unknown[]): Condition {
  const [operator, first, second, top, ...rest] = spec;
  if (typeof operator !== 'string') fail(`Invalid member in numeric match: ${text(operator)}`);
  const needNumber = (value: unknown, name: string) => {
    if (typeof value !== 'number') fail(`Value of ${name} must be numeric`);
    return comparable(value);
  };
  switch (operator) {
    case '=': {
      const value = needNumber(first, 'equals');
      if (spec.length > 2) fail('Too many elements in numeric expression');
      return { kind: 'numeric', equals: value };
    }
    case '<':
    case '<=': {
      const value = needNumber(first, operator);
      if (spec.length > 2) fail('Too many elements in numeric expression');
      return { kind: 'numeric', high: { value, open: operator === '<' } };
    }
    case '>':
    case '>=': {
      const low = { value: needNumber(first, operator), open: operator === '>' };
      if (spec.length === 2) return { kind: 'numeric', low };
      if (typeof second !== 'string') fail(`Bad value in numeric range: ${text(second)}`);
      if (second !== '<' && second !== '<=') fail(`Bad numeric range operator: ${second as string}`);
      const high = { value: needNumber(top, second as string), open: second === '<' };
      if (rest.length > 0) fail('Too many terms in numeric range expression');
      if (compareNumbers(low.value, high.value) >= 0) fail('Bottom must be less than top');
      return { kind: 'numeric', low, high };
    }
    default:
      return fail(`Unrecognized numeric range operator: ${operator as string}`);
  }
}

/**
 * Orders numbers as the engine's ComparableNumber does: it parses the decimal text into a
 * BigDecimal, which has no negative zero, so -0 equals 0 (`{"numeric": [">=", 0]}` matches -0).
 */
export function compareNumbers(a: number, b: number): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

const SET_OPERATORS = ['equals-ignore-case', 'prefix', 'suffix', 'wildcard'] as const;
type SetOperator = (typeof SET_OPERATORS)[number];

function anythingBut(arg: unknown): Condition {
  if (isObject(arg)) {
    const keys = Object.keys(arg);
    const [operator] = keys;
    if (operator === undefined) fail('Anything-but expression name not found');
    if (!SET_OPERATORS.includes(operator as SetOperator))
      fail(`Unsupported anything-but pattern: ${operator}`);
    const condition = anythingButSet(operator as SetOperator, arg[operator]);
    if (keys.length > 1) fail('Too many elements in numeric expression');
    return condition;
  }
  const values = Array.isArray(arg) ? arg : [arg];
  if (!Array.isArray(arg) && typeof arg !== 'string' && typeof arg !== 'number') {
    fail('Value of anything-but must be an array or single string/number value.');
  }
  const strings: string[] = [];
  const numbers: number[] = [];
  for (const value of values) {
    if (typeof value === 'string') strings.push(value);
    else if (typeof value === 'number') numbers.push(comparable(value));
    else fail('Inside anything but list, start|null|boolean is not supported.');
  }
  if (strings.length > 0 === numbers.length > 0) {
    fail('Inside anything but list, either all values are number or string, mixed type is not supported');
  }
  return { kind: 'anything-but', strings, numbers };
}

function anythingButSet(operator: SetOperator, arg: unknown): Condition {
  if (!Array.isArray(arg) && typeof arg !== 'string' && typeof arg !== 'number') {
    fail('Value of anything-but must be an array or single string/number value.');
  }
  const tests: ((value: string) => boolean)[] = [];
  for (const value of Array.isArray(arg) ? arg : [arg]) {
    if (typeof value !== 'string') {
      if (operator === 'equals-ignore-case') {
        fail('Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.');
      }
      fail(
        operator === 'wildcard'
          ? 'wildcard match pattern must be a string'
          : 'prefix/suffix match pattern must be a string',
      );
    }
    const s = value as string;
    if ((operator === 'prefix' || operator === 'suffix') && s === '') fail('Null prefix/suffix not allowed');
    if (operator === 'prefix') tests.push((v) => v.startsWith(s));
    else if (operator === 'suffix') tests.push((v) => v.endsWith(s));
    else if (operator === 'wildcard') {
      const regex = wildcard(s);
      tests.push((v) => regex.test(v));
    } else {
      const units = ignoreCaseUnits(s);
      tests.push((v) => matchesIgnoreCaseWhole(units, v));
    }
  }
  return { kind: 'anything-but-string', excluded: (v) => tests.some((test) => test(v)) };
}

const matchesIgnoreCaseWhole = (units: string[][], v: string) => matchesIgnoreCase(units, v, 'whole');
