import type { EventPattern } from '@manga-assist/event-schemas';
import { InvalidEventPatternError } from './errors';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (arg: unknown): unknown[] => (Array.isArray(arg) ? arg : [arg]);
const NUMERIC_OPERATORS = ['<', '<=', '=', '>', '>='];

const NUMERIC_LIMIT = 5e9;
const MAX_PATTERN_CHARS = 4096;
const STRING_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'];

/**
 * Checks a pattern (an object, or its JSON text as PutRule / TestEventPattern carry it) the way
 * EventBridge does and returns it parsed; throws InvalidEventPatternError with every reason.
 */
export function validatePattern(pattern: unknown): EventPattern {
  let parsed = pattern;
  if (typeof pattern === 'string') {
    try {
      parsed = JSON.parse(pattern);
    } catch (error) {
      throw new InvalidEventPatternError([`Filter is not valid JSON: ${(error as Error).message}`]);
    }
  }
  const problems = patternProblems(parsed);
  if (problems.length > 0) throw new InvalidEventPatternError(problems);
  return parsed as EventPattern;
}

function patternProblems(pattern: unknown): string[] {
  const problems: string[] = [];
  if (!isPlainObject(pattern) || Object.keys(pattern).length === 0) {
    return ['pattern must be a non-empty JSON object'];
  }
  if (JSON.stringify(pattern).length > MAX_PATTERN_CHARS) {
    problems.push(`pattern is longer than ${MAX_PATTERN_CHARS} characters`);
  }
  validateObject(pattern, '', problems);
  return problems;
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
    if (!NUMERIC_OPERATORS.includes(op)) problems.push(`${where}: unknown numeric operator "${op}"`);
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
