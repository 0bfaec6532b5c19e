import fc from 'fast-check';
import type { EventPattern } from '@manga-assist/event-schemas';
import { matchesPattern } from './match';
import { validatePattern } from './validate';

/*
 * Table-driven cases built from the examples in AWS's EventBridge User Guide:
 * - "Comparison operators for use in event patterns in Amazon EventBridge" (formerly "Content
 *   filtering in Amazon EventBridge event patterns"):
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/content-filtering-with-event-patterns.html
 * - "Amazon EventBridge event patterns" (exact values, AND/OR, null and empty strings, arrays):
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
 * The event below is the EC2 state-change sample those pages use, extended with the fields
 * their examples filter on (c-count, d-count, x-limit, FileName, ...).
 */
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    FileName: 'image.PNG',
    FilePath: '/usr/lib/libc.so',
    service: 'EventBridge',
    eventVersion: '',
    responseElements: null,
    sourceIPAddress: '10.0.0.255',
    tags: ['prod', 'web'],
    items: [
      { id: 'a', qty: 1 },
      { id: 'b', qty: 2 },
    ],
  },
};

type Case = [description: string, pattern: EventPattern, expected: boolean];

const cases: Case[] = [
  // Exact values, AND across fields, OR inside arrays (eb-event-patterns.html)
  ['source exact', { source: ['aws.ec2'] }, true],
  ['source exact, other value', { source: ['aws.s3'] }, false],
  ['OR inside the value array', { detail: { state: ['running', 'terminated'] } }, true],
  ['AND across fields (one fails)', { source: ['aws.ec2'], detail: { state: ['running'] } }, false],
  [
    'AND across fields (both hold)',
    { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] },
    true,
  ],
  ['exact match is case sensitive', { source: ['AWS.EC2'] }, false],
  ['number exact', { detail: { 'c-count': [5] } }, true],
  ['number exact does not match the string "5"', { detail: { 'c-count': ['5'] } }, false],
  ['missing field never matches an exact value', { detail: { nope: ['x'] } }, false],
  // Arrays: the pattern matches if the intersection with the event array is non-empty (eb-event-patterns-arrays.html)
  [
    'resources array intersection',
    { resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0', 'arn:x'] },
    true,
  ],
  [
    'resources array, no intersection',
    { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] },
    false,
  ],
  ['event array of strings', { detail: { tags: ['web'] } }, true],
  ['object pattern over an event array of objects', { detail: { items: { id: ['b'], qty: [2] } } }, true],
  ['fields must come from the same array element', { detail: { items: { id: ['a'], qty: [2] } } }, false],
  // Null and empty string are different (eb-event-patterns.html "Matching null values and empty strings")
  ['null matches null', { detail: { responseElements: [null] } }, true],
  ['empty string matches empty string', { detail: { eventVersion: [''] } }, true],
  ['null does not match empty string', { detail: { eventVersion: [null] } }, false],
  ['empty string does not match null', { detail: { responseElements: [''] } }, false],
  ['null does not match an absent field', { detail: { absent: [null] } }, false],
  // Prefix (operators page: "time" starts with "2017-10-02"; here the date of our event)
  ['prefix', { time: [{ prefix: '2017-12-22' }] }, true],
  ['prefix, other', { time: [{ prefix: '2017-10-02' }] }, false],
  [
    'prefix ignore case (service starts with "eventb")',
    { detail: { service: [{ prefix: { 'equals-ignore-case': 'EVENTB' } }] } },
    true,
  ],
  ['prefix is case sensitive without ignore-case', { detail: { service: [{ prefix: 'eventb' }] } }, false],
  // Suffix (FileName ends with .png)
  ['suffix is case sensitive', { detail: { FileName: [{ suffix: '.png' }] } }, false],
  ['suffix ignore case', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, true],
  // Equals-ignore-case (Name is "Alice" / detail-type ignoring case)
  [
    'equals-ignore-case',
    { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
    true,
  ],
  ['equals-ignore-case, other', { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance launch' }] }, false],
  // Wildcard (EventBusArn arn:aws:events:us-east-1:*:event-bus/*; FilePath */lib/*)
  ['wildcard in the middle', { detail: { FilePath: [{ wildcard: '*/lib/*' }] } }, true],
  ['wildcard, anchored', { detail: { FilePath: [{ wildcard: 'lib/*' }] } }, false],
  ['wildcard account segment', { resources: [{ wildcard: 'arn:aws:ec2:us-west-1:*:instance/*' }] }, true],
  ['escaped \\* is a literal star', { detail: { FilePath: [{ wildcard: '/usr/\\*' }] } }, false],
  // Anything-but (state besides "initializing"; x-limit besides 123; lists; prefix; suffix; ignore case; wildcard)
  ['anything-but string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
  ['anything-but the same string', { detail: { state: [{ 'anything-but': 'terminated' }] } }, false],
  ['anything-but number', { detail: { 'c-count': [{ 'anything-but': 123 }] } }, true],
  [
    'anything-but list of strings',
    { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
    true,
  ],
  [
    'anything-but list containing the value',
    { detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } },
    false,
  ],
  ['anything-but list of numbers', { detail: { 'c-count': [{ 'anything-but': [100, 200, 5] }] } }, false],
  ['anything-but prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, true],
  [
    'anything-but prefix that is there',
    { detail: { state: [{ 'anything-but': { prefix: 'term' } }] } },
    false,
  ],
  ['anything-but suffix', { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } }, true],
  [
    'anything-but suffix that is there',
    { detail: { FileName: [{ 'anything-but': { suffix: '.PNG' } }] } },
    false,
  ],
  [
    'anything-but equals-ignore-case list',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['TERMINATED', 'stopped'] } }] } },
    false,
  ],
  ['anything-but wildcard', { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, false],
  ['anything-but never matches an absent field', { detail: { absent: [{ 'anything-but': 'x' }] } }, false],
  // Numeric (c-count > 0 and <= 5; d-count < 10; x-limit = 3.018e2)
  ['numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, true],
  ['numeric upper bound exclusive', { detail: { 'c-count': [{ numeric: ['>', 0, '<', 5] }] } }, false],
  ['numeric one-sided', { detail: { 'd-count': [{ numeric: ['<', 10] }] } }, true],
  ['numeric equality with exponent', { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, true],
  [
    'all three numeric conditions (AND)',
    {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    },
    true,
  ],
  ['numeric does not match a string', { detail: { state: [{ numeric: ['>', 0] }] } }, false],
  // IP address (sourceIPAddress in 10.0.0.0/24)
  ['cidr inside', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, true],
  ['cidr outside', { detail: { sourceIPAddress: [{ cidr: '10.0.1.0/24' }] } }, false],
  // Exists (c-count exists; absent field with exists false; only leaves count)
  ['exists true on a leaf', { detail: { 'c-count': [{ exists: true }] } }, true],
  ['exists false on a present leaf', { detail: { 'c-count': [{ exists: false }] } }, false],
  ['exists false on an absent field', { detail: { 'e-count': [{ exists: false }] } }, true],
  ['exists true on an absent field', { detail: { 'e-count': [{ exists: true }] } }, false],
  ['exists true on an object (not a leaf) does not match', { detail: [{ exists: true }] }, false],
  ['exists false under an absent parent', { nothing: { here: [{ exists: false }] } }, true],
  // $or (operators page: "$or" over numeric conditions, and source OR detail conditions)
  [
    '$or, one alternative holds',
    {
      detail: {
        $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ numeric: ['<', 10] }] }],
      },
    },
    true,
  ],
  [
    '$or, no alternative holds',
    {
      detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { state: ['running'] }] },
    },
    false,
  ],
  [
    'top-level $or combined with AND',
    {
      source: ['aws.ec2'],
      $or: [{ 'detail-type': ['EC2 Instance Launch'] }, { detail: { state: ['terminated'] } }],
    },
    true,
  ],
  [
    'top-level $or with a failing AND field',
    {
      source: ['aws.s3'],
      $or: [{ 'detail-type': ['EC2 Instance Launch'] }, { detail: { state: ['terminated'] } }],
    },
    false,
  ],
];

describe('matchesPattern (AWS EventBridge documentation examples)', () => {
  it.each(cases)('%s', (_description, pattern, expected) => {
    expect(validatePattern(pattern)).toEqual(pattern);
    expect(matchesPattern(pattern, ec2Event)).toBe(expected);
  });
});

describe('matchesPattern properties', () => {
  const NUM_RUNS = 500;
  const scalar = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));

  it('anything-but and exact are complements for a present string value', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (value, target) => {
        const event = { detail: { f: value } };
        const exact = matchesPattern({ detail: { f: [target] } }, event);
        const but = matchesPattern({ detail: { f: [{ 'anything-but': target }] } }, event);
        return exact !== but;
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('anything-but prefix is the complement of prefix for strings', () => {
    fc.assert(
      // AWS refuses an empty anything-but prefix ("Null prefix/suffix not allowed").
      fc.property(fc.string(), fc.string({ minLength: 1 }), (value, prefix) => {
        const event = { f: value };
        return (
          matchesPattern({ f: [{ prefix }] }, event) !==
          matchesPattern({ f: [{ 'anything-but': { prefix } }] }, event)
        );
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('exists true and exists false are complements for any value', () => {
    fc.assert(
      fc.property(fc.option(fc.jsonValue(), { nil: undefined }), (value) => {
        const event = value === undefined ? {} : { f: value };
        return (
          matchesPattern({ f: [{ exists: true }] }, event) !==
          matchesPattern({ f: [{ exists: false }] }, event)
        );
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a value array is an OR: matches iff some single value matches', () => {
    fc.assert(
      fc.property(fc.array(scalar, { minLength: 1, maxLength: 5 }), scalar, (values, v) => {
        const event = { f: v };
        const whole = matchesPattern({ f: values }, event);
        const any = values.some((x) => matchesPattern({ f: [x] }, event));
        return whole === any;
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a two-sided numeric range equals the AND of its two one-sided halves', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.double({ min: -2000, max: 2000, noNaN: true }),
        (a, b, v) => {
          const [lo, hi] = a < b ? [a, b] : [b, a + 1];
          const event = { n: v };
          const both = matchesPattern({ n: [{ numeric: ['>=', lo, '<', hi] }] }, event);
          return both === (v >= lo && v < hi);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  // fc.string() is ASCII here; beyond ASCII AWS's rule differs from folding (see aws-semantics.spec.ts).
  it('equals-ignore-case agrees with exact matching on case-folded strings', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (value, target) => {
        return (
          matchesPattern({ f: [{ 'equals-ignore-case': target }] }, { f: value }) ===
          (value.toLowerCase() === target.toLowerCase())
        );
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('wildcard "*" with a literal prefix equals prefix matching (no stars in the prefix)', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('*') && !s.includes('\\')),
        fc.string(),
        (prefix, value) => {
          return (
            matchesPattern({ f: [{ wildcard: `${prefix}*` }] }, { f: value }) ===
            matchesPattern({ f: [{ prefix }] }, { f: value })
          );
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('nesting a value in arrays never changes a single-path match (AWS crushes arrays)', () => {
    const condition = fc.oneof(
      scalar,
      fc.record({ prefix: fc.string() }),
      fc.record({ 'anything-but': fc.string() }),
      fc.record({ numeric: fc.tuple(fc.constant('>'), fc.integer()) }),
      fc.record({ exists: fc.boolean() }),
    );
    fc.assert(
      fc.property(condition, scalar, fc.integer({ min: 1, max: 3 }), (c, v, depth) => {
        let nested: unknown = v;
        for (let i = 0; i < depth; i++) nested = [nested];
        return (
          matchesPattern({ f: [c] } as EventPattern, { f: v }) ===
          matchesPattern({ f: [c] } as EventPattern, { f: nested })
        );
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('never throws on any JSON event', () => {
    const pattern: EventPattern = {
      source: [{ prefix: 'manga' }],
      detail: {
        $or: [{ a: [{ numeric: ['>', 1] }] }, { b: [{ 'anything-but': { suffix: 'x' } }] }],
        c: [{ exists: false }],
      },
    };
    fc.assert(
      fc.property(fc.jsonValue(), (event) => {
        matchesPattern(pattern, event);
        return true;
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
