import { InvalidEventPatternError } from './errors';
import { matchesPattern } from './match';
import { validatePattern } from './validate';

/*
 * Differential table: what AWS's engine answers for each kind of (pattern, event) where the local
 * matcher used to disagree. Event-ruler cannot run here (no Maven Central), so each expected result
 * is derived from, and cites, the engine's source or tests (github.com/aws/event-ruler, main,
 * src/main/software/amazon/event/ruler/...) or EventBridge's "Comparison operators for use in event
 * patterns" page (eb-create-pattern-operators.html). "Chosen" marks where both are silent.
 */
type Case = [description: string, pattern: object, event: object, expected: boolean, source: string];

const ANYTHING_BUT_SRC =
  'ByteMachine.doTransitionOn: anything-but holds unless the value equals an excluded one; strings are compared quoted, numbers as ComparableNumber';
const anythingButNonStrings: Case[] = [
  ['value vs number', { f: [{ 'anything-but': 'x' }] }, { f: 5 }, true, ANYTHING_BUT_SRC],
  ['"5" vs number 5', { f: [{ 'anything-but': '5' }] }, { f: 5 }, true, ANYTHING_BUT_SRC],
  ['5 vs string "5"', { f: [{ 'anything-but': 5 }] }, { f: '5' }, true, ANYTHING_BUT_SRC],
  ['number list vs excluded number', { f: [{ 'anything-but': [1, 2] }] }, { f: 2 }, false, ANYTHING_BUT_SRC],
  ['number list vs boolean', { f: [{ 'anything-but': [1, 2] }] }, { f: true }, true, ANYTHING_BUT_SRC],
  ['number list vs null', { f: [{ 'anything-but': [1, 2] }] }, { f: null }, true, ANYTHING_BUT_SRC],
  [
    'number list vs array of excluded numbers',
    { f: [{ 'anything-but': [1, 2] }] },
    { f: [1, 2] },
    false,
    ANYTHING_BUT_SRC,
  ],
  [
    'number list vs array with one other number',
    { f: [{ 'anything-but': [1, 2] }] },
    { f: [1, 3] },
    true,
    ANYTHING_BUT_SRC,
  ],
  [
    'prefix vs number',
    { f: [{ 'anything-but': { prefix: 'a' } }] },
    { f: 5 },
    true,
    `${ANYTHING_BUT_SRC}; prefix patterns start with a quote`,
  ],
  ['prefix vs boolean', { f: [{ 'anything-but': { prefix: 't' } }] }, { f: true }, true, ANYTHING_BUT_SRC],
  ['prefix vs null', { f: [{ 'anything-but': { prefix: 'n' } }] }, { f: null }, true, ANYTHING_BUT_SRC],
  [
    'prefix vs array of numbers',
    { f: [{ 'anything-but': { prefix: '1' } }] },
    { f: [1, 2] },
    true,
    ANYTHING_BUT_SRC,
  ],
  [
    'prefix vs array of excluded strings',
    { f: [{ 'anything-but': { prefix: 'a' } }] },
    { f: ['ab', 'ac'] },
    false,
    ANYTHING_BUT_SRC,
  ],
  [
    'suffix vs number',
    { f: [{ 'anything-but': { suffix: '1' } }] },
    { f: 1 },
    true,
    `${ANYTHING_BUT_SRC}; suffix patterns end with a quote`,
  ],
  [
    'equals-ignore-case vs boolean',
    { f: [{ 'anything-but': { 'equals-ignore-case': 'TRUE' } }] },
    { f: true },
    true,
    ANYTHING_BUT_SRC,
  ],
  [
    'equals-ignore-case list vs null',
    { f: [{ 'anything-but': { 'equals-ignore-case': ['null'] } }] },
    { f: null },
    true,
    ANYTHING_BUT_SRC,
  ],
  [
    'wildcard "*" vs number',
    { f: [{ 'anything-but': { wildcard: '*' } }] },
    { f: 5 },
    true,
    `${ANYTHING_BUT_SRC}; wildcard patterns are quoted`,
  ],
  [
    'wildcard "*" vs string',
    { f: [{ 'anything-but': { wildcard: '*' } }] },
    { f: 'x' },
    false,
    ANYTHING_BUT_SRC,
  ],
  [
    'empty prefix list vs string (nothing excluded)',
    { f: [{ 'anything-but': { prefix: [] } }] },
    { f: 'x' },
    true,
    'JsonRuleCompiler.processAnythingButValuesSetMatchExpression accepts an empty list',
  ],
  [
    'vs empty array (no value at all)',
    { f: [{ 'anything-but': 'x' }] },
    { f: [] },
    false,
    'Event.java: an empty array adds no field; a condition needs a value',
  ],
];

const ARRAY_SRC =
  'README "JSON Array Matching" / Event.traverseArray: arrays are crushed, array consistency per ArrayMembership';
const employees = {
  employees: [
    [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
    ],
    [{ firstName: 'Peter', lastName: 'Jones' }],
  ],
};
const nestedArrays: Case[] = [
  ['objects in arrays in an array', { employees: { firstName: ['Anna'] } }, employees, true, ARRAY_SRC],
  [
    'fields from different elements never pair',
    { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
    employees,
    false,
    ARRAY_SRC,
  ],
  [
    'fields from the same nested element',
    { employees: { firstName: ['Peter'], lastName: ['Jones'] } },
    employees,
    true,
    ARRAY_SRC,
  ],
  ['scalar in an array in an array', { f: [3] }, { f: [[1, 2], [3]] }, true, ARRAY_SRC],
  ['scalar three arrays deep', { f: ['b'] }, { f: [['a', ['b']]] }, true, ARRAY_SRC],
  [
    'array of arrays of objects, same element',
    { a: { c: [2], d: ['x'] } },
    { a: [[{ c: 1 }], [{ c: 2, d: 'x' }]] },
    true,
    ARRAY_SRC,
  ],
  [
    'array of arrays of objects, different outer elements',
    { a: { c: [1], d: ['x'] } },
    { a: [[{ c: 1 }], [{ c: 2, d: 'x' }]] },
    false,
    ARRAY_SRC,
  ],
  [
    'array of arrays of objects, different inner elements',
    { a: { c: [2], d: ['x'] } },
    { a: [[{ c: 1, d: 'x' }, { c: 2 }]] },
    false,
    ARRAY_SRC,
  ],
  [
    'array in an object in an array (scalars carry no membership)',
    { a: { b: [2], c: ['x'] } },
    { a: [{ b: [1, 2], c: 'x' }] },
    true,
    ARRAY_SRC,
  ],
  [
    'objects in arrays in objects in arrays',
    { a: { b: { c: [3] } } },
    { a: [{ b: [{ c: 1 }, { c: 2 }] }, { b: [{ c: 3 }] }] },
    true,
    ARRAY_SRC,
  ],
  [
    'dotted key equals nested path',
    { detail: { 'state.status': ['running'] } },
    { detail: { state: { status: 'running' } } },
    true,
    'README "Compiled rules and JSON keys with dots" (engine behaviour, kept)',
  ],
  [
    'nested path equals dotted event key',
    { detail: { state: { status: ['running'] } } },
    { detail: { 'state.status': 'running' } },
    true,
    'README "Compiled rules and JSON keys with dots" (engine behaviour, kept)',
  ],
];

const WILDCARD_SRC =
  'input/WildcardParser.java; README "Wildcard matching": \\* is an asterisk, \\\\ a backslash';
const wildcardEscapes: Case[] = [
  ['\\* is a literal asterisk', { f: [{ wildcard: 'a\\*b' }] }, { f: 'a*b' }, true, WILDCARD_SRC],
  ['\\* does not match other characters', { f: [{ wildcard: 'a\\*b' }] }, { f: 'axb' }, false, WILDCARD_SRC],
  ['\\\\ is one backslash', { f: [{ wildcard: 'a\\\\b' }] }, { f: 'a\\b' }, true, WILDCARD_SRC],
  ['\\\\ is not two backslashes', { f: [{ wildcard: 'a\\\\b' }] }, { f: 'a\\\\b' }, false, WILDCARD_SRC],
  [
    '\\\\* is a backslash then a wildcard',
    { f: [{ wildcard: 'a\\\\*' }] },
    { f: 'a\\xyz' },
    true,
    WILDCARD_SRC,
  ],
  ['\\\\* is not a literal asterisk', { f: [{ wildcard: 'a\\\\*' }] }, { f: 'a*' }, false, WILDCARD_SRC],
  ['\\** is an asterisk then a wildcard', { f: [{ wildcard: '\\**' }] }, { f: '*abc' }, true, WILDCARD_SRC],
  ['\\** needs the leading asterisk', { f: [{ wildcard: '\\**' }] }, { f: 'abc' }, false, WILDCARD_SRC],
  ['trailing escaped backslash', { f: [{ wildcard: '*\\\\' }] }, { f: 'x\\' }, true, WILDCARD_SRC],
  [
    'anything-but wildcard with an escape',
    { f: [{ 'anything-but': { wildcard: '*\\*' } }] },
    { f: 'a*' },
    false,
    WILDCARD_SRC,
  ],
];

const CIDR_SRC =
  'CIDR.java (IPv4 and IPv6 via InetAddress); README "IP Address Matching: also works with IPv6"';
const cidrIpv6: Case[] = [
  [
    'IPv6 block, compressed address',
    { ip: [{ cidr: '2001:db8::/32' }] },
    { ip: '2001:db8::1' },
    true,
    CIDR_SRC,
  ],
  [
    'IPv6 block, upper case uncompressed address',
    { ip: [{ cidr: '2001:db8::/32' }] },
    { ip: '2001:DB8:0:0:0:0:0:ff' },
    true,
    CIDR_SRC,
  ],
  ['IPv6 block, outside', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' }, false, CIDR_SRC],
  [
    '/122 (CIDRTest), last address',
    { ip: [{ cidr: '2400:6500:FF00::36FB:1F80/122' }] },
    { ip: '2400:6500:ff00::36fb:1fbf' },
    true,
    CIDR_SRC,
  ],
  [
    '/122 (CIDRTest), one past',
    { ip: [{ cidr: '2400:6500:FF00::36FB:1F80/122' }] },
    { ip: '2400:6500:ff00::36fb:1fc0' },
    false,
    CIDR_SRC,
  ],
  ['::1/127 contains ::', { ip: [{ cidr: '::1/127' }] }, { ip: '::' }, true, CIDR_SRC],
  ['::1/127 does not contain ::2', { ip: [{ cidr: '::1/127' }] }, { ip: '::2' }, false, CIDR_SRC],
  [
    'IPv4-mapped IPv6 is the IPv4 address',
    { ip: [{ cidr: '10.0.0.0/8' }] },
    { ip: '::ffff:a00:1' },
    true,
    'InetAddress returns an Inet4Address for ::ffff:x:y',
  ],
  [
    'IPv6 block never contains an IPv4 address',
    { ip: [{ cidr: '2001:db8::/32' }] },
    { ip: '10.0.0.1' },
    false,
    'Chosen: families must agree',
  ],
  [
    'IPv4 block never contains an IPv6 address',
    { ip: [{ cidr: '10.0.0.0/8' }] },
    { ip: 'a00::1' },
    false,
    'Chosen: families must agree',
  ],
  ['invalid IPv6 value', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8::g' }, false, CIDR_SRC],
  [
    'exact IPv6 string matches the same address written differently',
    { ip: ['2001:db8::1'] },
    { ip: '2001:0DB8:0000:0000:0000:0000:0000:0001' },
    true,
    'JsonRuleCompiler.writeRules: an IP literal becomes CIDR.ipToRangeIfPossible',
  ],
  [
    '"08:23" is not an address and matches as text',
    { a: ['08:23'] },
    { a: '08:23' },
    true,
    'CIDRTest.testInvalidIPMatchedByIPv6Regex',
  ],
  [
    '0.0.0.0/0 contains everything IPv4',
    { ip: [{ cidr: '0.0.0.0/0' }] },
    { ip: '255.255.255.255' },
    true,
    CIDR_SRC,
  ],
  [
    'leading zeros are not an address',
    { ip: [{ cidr: '10.0.0.0/8' }] },
    { ip: '010.0.0.1' },
    false,
    'Chosen (current JDKs refuse ambiguous IPv4 literals)',
  ],
];

const IGNORE_CASE_SRC =
  'input/EqualsIgnoreCaseParser.java: each pattern character is its lower OR upper case (Locale.ROOT), either length';
const ignoreCaseLength: Case[] = [
  [
    'ß matches SS (its upper case)',
    { f: [{ 'equals-ignore-case': 'ß' }] },
    { f: 'SS' },
    true,
    IGNORE_CASE_SRC,
  ],
  ['ß matches ß', { f: [{ 'equals-ignore-case': 'ß' }] }, { f: 'ß' }, true, IGNORE_CASE_SRC],
  ['ß does not match ss', { f: [{ 'equals-ignore-case': 'ß' }] }, { f: 'ss' }, false, IGNORE_CASE_SRC],
  [
    'SS does not match ß (the event value is not folded)',
    { f: [{ 'equals-ignore-case': 'SS' }] },
    { f: 'ß' },
    false,
    IGNORE_CASE_SRC,
  ],
  [
    'straße matches STRASSE',
    { f: [{ 'equals-ignore-case': 'straße' }] },
    { f: 'STRASSE' },
    true,
    IGNORE_CASE_SRC,
  ],
  [
    'straße does not match strasse',
    { f: [{ 'equals-ignore-case': 'straße' }] },
    { f: 'strasse' },
    false,
    IGNORE_CASE_SRC,
  ],
  [
    'ⱥ matches Ⱥ (3 vs 2 UTF-8 bytes)',
    { f: [{ 'equals-ignore-case': '12ⱥ34' }] },
    { f: '12Ⱥ34' },
    true,
    'ByteMachineTest (12ⱥ34 / 12Ⱥ34)',
  ],
  ['ﬃ matches FFI', { f: [{ 'equals-ignore-case': 'ﬃ' }] }, { f: 'FFI' }, true, IGNORE_CASE_SRC],
  ['ﬃ does not match ffi', { f: [{ 'equals-ignore-case': 'ﬃ' }] }, { f: 'ffi' }, false, IGNORE_CASE_SRC],
  [
    'İ matches i + combining dot (its lower case)',
    { f: [{ 'equals-ignore-case': 'İ' }] },
    { f: 'i\u0307' },
    true,
    IGNORE_CASE_SRC,
  ],
  ['İ does not match i', { f: [{ 'equals-ignore-case': 'İ' }] }, { f: 'i' }, false, IGNORE_CASE_SRC],
  ['Σ does not match final ς', { f: [{ 'equals-ignore-case': 'Σ' }] }, { f: 'ς' }, false, IGNORE_CASE_SRC],
  [
    'prefix ignore-case ß vs SSx',
    { f: [{ prefix: { 'equals-ignore-case': 'ß' } }] },
    { f: 'SSx' },
    true,
    IGNORE_CASE_SRC,
  ],
  [
    'suffix ignore-case ß vs xSS',
    { f: [{ suffix: { 'equals-ignore-case': 'ß' } }] },
    { f: 'xSS' },
    true,
    'input/SuffixEqualsIgnoreCaseParser.java',
  ],
  [
    'suffix ignore-case ß vs xss',
    { f: [{ suffix: { 'equals-ignore-case': 'ß' } }] },
    { f: 'xss' },
    false,
    'input/SuffixEqualsIgnoreCaseParser.java',
  ],
  [
    'anything-but ignore-case ß excludes SS',
    { f: [{ 'anything-but': { 'equals-ignore-case': 'ß' } }] },
    { f: 'SS' },
    false,
    IGNORE_CASE_SRC,
  ],
  [
    'astral character: per UTF-16 unit, as the engine does',
    { f: [{ 'equals-ignore-case': '😀' }] },
    { f: '😀' },
    false,
    `${IGNORE_CASE_SRC}; a lone surrogate encodes as "?" in Java`,
  ],
];

const ABSENT_SRC =
  'ACFinder.tryMustNotExistMatch + NameState.getNameTransitions: paths in sorted order; absence is judged against the array elements chosen so far';
const exists = (flag: boolean) => [{ exists: flag }];
// ACMachineTest.testACWithExistFalseRule (rule r1 and its two events, trimmed to the fields that count)
const taskRule = {
  requestContext: {
    taskInstances: {
      taskInstanceState: ['ACTIVE'],
      provider: { id: ['XXXXXXXXXXXX'] },
      resources: { additionalContext: { capabilityInterfaces: { interfaceName: exists(false) } } },
    },
  },
};
const task = (state: string, id: string, interfaceName?: string) => ({
  taskInstanceState: state,
  provider: { id },
  resources: [
    {
      legacyFocusCategory: 'XXXXXFocus',
      ...(interfaceName ? { additionalContext: { capabilityInterfaces: [{ interfaceName }] } } : {}),
    },
  ],
});
const absentUnderArrays: Case[] = [
  [
    'absent in one element but present in another',
    { items: { qty: exists(false) } },
    { items: [{ id: 'a', qty: 1 }, { id: 'b' }] },
    false,
    ABSENT_SRC,
  ],
  [
    'absent in the element chosen by an earlier path',
    { items: { id: ['b'], qty: exists(false) } },
    { items: [{ id: 'a', qty: 1 }, { id: 'b' }] },
    true,
    ABSENT_SRC,
  ],
  [
    'present in the element chosen by an earlier path',
    { items: { id: ['a'], qty: exists(false) } },
    { items: [{ id: 'a', qty: 1 }, { id: 'b' }] },
    false,
    ABSENT_SRC,
  ],
  [
    'absent path sorted before the value path',
    { items: { count: exists(false), id: ['b'] } },
    { items: [{ id: 'a', count: 1 }, { id: 'b' }] },
    false,
    ABSENT_SRC,
  ],
  [
    'absent path sorted after the value path',
    { items: { id: ['b'], zcount: exists(false) } },
    { items: [{ id: 'a', zcount: 1 }, { id: 'b' }] },
    true,
    ABSENT_SRC,
  ],
  [
    'absent from every element',
    { items: { qty: exists(false) } },
    { items: [{ id: 'a' }, { id: 'b' }] },
    true,
    ABSENT_SRC,
  ],
  [
    'the array of objects itself is not a leaf',
    { items: exists(false) },
    { items: [{ id: 'a' }] },
    true,
    'README "Exists matching only works on the leaf nodes"',
  ],
  [
    'exists true on an array of objects',
    { items: exists(true) },
    { items: [{ id: 'a' }] },
    false,
    'README "Exists matching only works on the leaf nodes"',
  ],
  ['empty array of objects', { items: { qty: exists(false) } }, { items: [] }, true, ABSENT_SRC],
  [
    'engine test: the ACTIVE task has no interfaceName (another task has one)',
    taskRule,
    {
      requestContext: {
        taskInstances: [task('ACTIVE', 'XXXXXXXXXXXX'), task('InACTIVE', 'SomeRandom', 'Dummy.DummyDumDum')],
      },
    },
    true,
    'ACMachineTest.testACWithExistFalseRule',
  ],
  [
    'engine test: the ACTIVE task has an interfaceName',
    taskRule,
    {
      requestContext: {
        taskInstances: [
          task('ACTIVE', 'XXXXXXXXXXXX', 'XXXX.XXXXXXXXXXXXXX'),
          task('InACTIVE', 'SomeRandom', 'XXXX.XXXXXXXXXXXXXX'),
        ],
      },
    },
    false,
    'ACMachineTest.testACWithExistFalseRule',
  ],
  [
    'nested arrays, chosen inner element lacks it',
    { a: { b: { id: ['y'], v: exists(false) } } },
    { a: [{ b: [{ id: 'x', v: 1 }, { id: 'y' }] }] },
    true,
    ABSENT_SRC,
  ],
];

const NEGATIVE_ZERO_SRC =
  'ComparableNumber.generate: the number text is parsed into a BigDecimal (no negative zero), so -0 and 0 are one key';
// JSON.parse('-0') is -0: an event carrying "-0" must compare as 0, as the engine does.
const negativeZero: Case[] = [
  ['-0 is within >= 0', { n: [{ numeric: ['>=', 0, '<', 1] }] }, { n: -0 }, true, NEGATIVE_ZERO_SRC],
  ['-0 is not > 0', { n: [{ numeric: ['>', 0] }] }, { n: -0 }, false, NEGATIVE_ZERO_SRC],
  ['-0 equals = 0', { n: [{ numeric: ['=', 0] }] }, { n: -0 }, true, NEGATIVE_ZERO_SRC],
  ['0 equals = -0', { n: [{ numeric: ['=', -0] }] }, { n: 0 }, true, NEGATIVE_ZERO_SRC],
  ['-0 is excluded by anything-but 0', { n: [{ 'anything-but': [0] }] }, { n: -0 }, false, NEGATIVE_ZERO_SRC],
];

describe.each<[string, Case[]]>([
  ['anything-but against values that are not strings', anythingButNonStrings],
  ['negative zero in numeric comparisons', negativeZero],
  ['arrays nested in arrays and objects in arrays', nestedArrays],
  ['wildcard with escaped characters', wildcardEscapes],
  ['cidr with IPv6', cidrIpv6],
  ['equals-ignore-case with length-changing case mappings', ignoreCaseLength],
  ['exists: false under arrays of objects', absentUnderArrays],
])('as AWS: %s', (_kind, cases) => {
  it.each(cases)('%s', (_description, pattern, event, expected) => {
    expect(matchesPattern(validatePattern(pattern), event)).toBe(expected);
  });
});

const INVALID: [pattern: unknown, reason: string][] = [
  // Shape (JsonRuleCompiler.doCompile / parseObject / writeRules)
  [['x'], 'Filter is not an object'],
  [{}, 'Empty objects are not allowed'],
  [{ f: {} }, 'Empty objects are not allowed'],
  [{ f: 'x' }, '"f" must be an object or an array'],
  [{ f: [] }, 'Empty arrays are not allowed'],
  [{ f: [['x']] }, 'Match value must be String, number, true, false, or null'],
  // Unknown operators and operator objects (processMatchExpression)
  [{ f: [{ startsWith: 'a' }] }, 'Unrecognized match type startsWith'],
  [{ f: [{ contains: 'a' }] }, 'Unrecognized match type contains'],
  [{ f: [{}] }, 'Match expression name not found'],
  [{ f: [{ prefix: 'a', suffix: 'b' }] }, 'Only one key allowed in match expression'],
  [{ f: [{ prefix: 5 }] }, 'prefix match pattern must be a string'],
  [{ f: [{ prefix: { contains: 'x' } }] }, 'Unsupported prefix pattern: contains'],
  [{ f: [{ suffix: {} }] }, 'Suffix expression name not found'],
  [{ f: [{ 'equals-ignore-case': 1 }] }, 'equals-ignore-case match pattern must be a string'],
  [{ f: [{ exists: 'yes' }] }, 'exists match pattern must be either true or false.'],
  [{ f: [{ wildcard: 'a**' }] }, 'Consecutive wildcard characters at pos 2'],
  [{ f: [{ wildcard: 'a\\b' }] }, 'Invalid escape character at pos 2'],
  [{ f: [{ wildcard: 'a\\' }] }, 'Invalid escape character at pos 2'],
  // Numeric forms (processNumericMatchExpression / completeNumericRange / Range.ensureValidRange)
  [{ f: [{ numeric: '>' }] }, 'Value of numeric must be an array.'],
  [{ f: [{ numeric: [] }] }, 'Invalid member in numeric match: ]'],
  [{ f: [{ numeric: [5, '>'] }] }, 'Invalid member in numeric match: 5'],
  [{ f: [{ numeric: ['!=', 5] }] }, 'Unrecognized numeric range operator: !='],
  [{ f: [{ numeric: ['>', '5'] }] }, 'Value of > must be numeric'],
  [{ f: [{ numeric: ['='] }] }, 'Value of equals must be numeric'],
  [{ f: [{ numeric: ['<', 1, '>', 0] }] }, 'Too many elements in numeric expression'],
  [{ f: [{ numeric: ['=', 1, '<', 2] }] }, 'Too many elements in numeric expression'],
  [{ f: [{ numeric: ['>', 5, '>', 1] }] }, 'Bad numeric range operator: >'],
  [{ f: [{ numeric: ['>', 5, 1] }] }, 'Bad value in numeric range: 1'],
  [{ f: [{ numeric: ['>', 0, '<', 10, '<', 11] }] }, 'Too many terms in numeric range expression'],
  [{ f: [{ numeric: ['>', 5, '<', 1] }] }, 'Bottom must be less than top'],
  [{ f: [{ numeric: ['>=', 5, '<=', 5] }] }, 'Bottom must be less than top'],
  // anything-but (processMatchExpression / processAnythingBut*)
  [
    { f: [{ 'anything-but': [] }] },
    'Inside anything but list, either all values are number or string, mixed type is not supported',
  ],
  [
    { f: [{ 'anything-but': ['a', 1] }] },
    'Inside anything but list, either all values are number or string, mixed type is not supported',
  ],
  [{ f: [{ 'anything-but': [null] }] }, 'Inside anything but list, start|null|boolean is not supported.'],
  [
    { f: [{ 'anything-but': null }] },
    'Value of anything-but must be an array or single string/number value.',
  ],
  [
    { f: [{ 'anything-but': true }] },
    'Value of anything-but must be an array or single string/number value.',
  ],
  [{ f: [{ 'anything-but': { contains: 'x' } }] }, 'Unsupported anything-but pattern: contains'],
  [{ f: [{ 'anything-but': { prefix: '' } }] }, 'Null prefix/suffix not allowed'],
  [{ f: [{ 'anything-but': { suffix: [5] } }] }, 'prefix/suffix match pattern must be a string'],
  [
    { f: [{ 'anything-but': { 'equals-ignore-case': [1] } }] },
    'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.',
  ],
  [{ f: [{ 'anything-but': { wildcard: 'a**' } }] }, 'Consecutive wildcard characters at pos 2'],
  [{ f: [{ 'anything-but': 'x', prefix: 'y' }] }, 'Too many elements in numeric expression'],
  // $or (parseIntoOrRelationship / parseObjectInsideOrRelationship)
  [{ $or: [{ a: ['x'] }] }, 'There must have at least 2 Objects in $or relationship.'],
  [{ $or: 'x' }, 'It must be an Array followed with $or.'],
  [{ $or: [{ a: ['x'] }, 'b'] }, 'Only JSON object is allowed in array of $or relationship.'],
  [
    { $or: [{ prefix: ['x'] }, { b: ['y'] }] },
    'prefix is Ruler reserved fieldName which cannot be used inside $or.',
  ],
  // cidr (CIDR.cidr: mask bounds are < 32 and < 128, as the engine checks them)
  [{ ip: [{ cidr: '10.0.0.1/32' }] }, 'IPv4 mask bits must be < 32'],
  [{ ip: [{ cidr: '192.168.0.1/33' }] }, 'IPv4 mask bits must be < 32'],
  [{ ip: [{ cidr: '::1/128' }] }, 'IPv6 mask bits must be < 128'],
  [{ ip: [{ cidr: '2400:6500:FF00::36FB:1F80/222' }] }, 'IPv6 mask bits must be < 128'],
  [{ ip: [{ cidr: '10.0.0.0' }] }, "Malformed CIDR, one '/' required"],
  [{ ip: [{ cidr: 'foo/bar/baz' }] }, "Malformed CIDR, one '/' required"],
  [{ ip: [{ cidr: '192.168.0.1/foo' }] }, 'Malformed CIDR, mask bits must be an integer'],
  [{ ip: [{ cidr: '192.168.0.1/-3424' }] }, 'Malformed CIDR, mask bits must not be negative'],
  [{ ip: [{ cidr: 'snorkle/3' }] }, 'Nonstandard IP address: snorkle'],
  [{ ip: [{ cidr: '10.10.10.10.10/3' }] }, 'Nonstandard IP address: 10.10.10.10.10'],
  [{ ip: [{ cidr: '300.0.0.0/8' }] }, 'Invalid IP address: 300.0.0.0'],
  [
    { ip: [{ cidr: '2400:6500:3:3:3:3:3:3:3:3FF00::36FB:1F80/122' }] },
    'Invalid IP address: 2400:6500:3:3:3:3:3:3:3:3FF00::36FB:1F80',
  ],
  [{ ip: [{ cidr: 5 }] }, 'prefix match pattern must be a string'],
];

const VALID: [pattern: unknown, source: string][] = [
  [{ ip: [{ cidr: '0.0.0.0/0' }] }, 'CIDR.java: mask 0 allowed'],
  [{ ip: [{ cidr: '10.0.0.0/31' }] }, 'CIDR.java'],
  [{ ip: [{ cidr: '::/127' }] }, 'CIDR.java'],
  [{ ip: [{ cidr: '2001:db8::ff00:42:8329/24' }] }, 'CIDRTest'],
  [
    { n: [{ numeric: ['>', 6e9] }] },
    'ComparableNumber: any finite double (the old ±5e9 limit is gone from the engine)',
  ],
  [{ n: [{ numeric: ['>=', -1e300, '<', 1e300] }] }, 'ComparableNumber'],
  [{ n: [{ numeric: ['<=', 5] }] }, 'processNumericMatchExpression'],
  [{ f: [{ prefix: '' }] }, 'only anything-but refuses an empty prefix'],
  [{ f: [{ 'anything-but': { prefix: [] } }] }, 'processAnythingButValuesSetMatchExpression'],
  [
    { f: [{ exactly: 'x' }] },
    'Constants.EXACT_MATCH (engine operator; docs silent, accepted as the engine does)',
  ],
  [{ f: [{ wildcard: 'a\\*\\\\*' }] }, 'WildcardParser'],
  [{ $or: [{ a: ['x'] }, { b: [{ exists: false }] }] }, 'parseIntoOrRelationship'],
];

describe('validatePattern agrees with AWS on what is refused', () => {
  it.each(INVALID.map(([pattern, reason]) => [JSON.stringify(pattern), pattern, reason] as const))(
    'refuses %s',
    (_text, pattern, reason) => {
      expect(() => validatePattern(pattern)).toThrow(InvalidEventPatternError);
      expect(() => validatePattern(pattern)).toThrow(`Event pattern is not valid. Reason: ${reason}`);
    },
  );

  it.each(VALID.map(([pattern, source]) => [JSON.stringify(pattern), pattern, source] as const))(
    'accepts %s (%s)',
    (_text, pattern) => {
      expect(validatePattern(pattern)).toEqual(pattern);
    },
  );

  it('reads the JSON text PutRule and TestEventPattern carry, and refuses text that is not JSON', () => {
    expect(validatePattern('{"source":["a"]}')).toEqual({ source: ['a'] });
    expect(() => validatePattern('{"source": [')).toThrow(
      /^Event pattern is not valid\. Reason: Filter is not valid JSON/,
    );
  });

  it('carries AWS error code for the control plane', () => {
    const error = (() => {
      try {
        validatePattern({ f: [] });
      } catch (e) {
        return e as InvalidEventPatternError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('InvalidEventPatternException');
    expect(error?.problems).toEqual(['Empty arrays are not allowed']);
  });
});
