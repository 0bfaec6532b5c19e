/**
 * EventBridge's control plane as the local router keeps it: buses, rules and their targets, with
 * the request checks and error answers of the AWS API (EventBridge API Reference; messages as AWS
 * sends them). Pure state and validation, no I/O: the router serves it over AWS JSON 1.1.
 */
import type { EventPattern } from '@manga-assist/event-schemas';
import { InvalidEventPatternError } from './pattern/errors';
import { matchesPattern } from './pattern/match';
import { validatePattern } from './pattern/validate';

/** An error answered in AWS's shape: `{"__type": type, "message"}` with an HTTP status. */
export class AwsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export interface SqsTarget {
  Id: string;
  Arn: string;
  Input?: string;
  InputPath?: string;
  SqsParameters?: { MessageGroupId?: string };
  DeadLetterConfig?: { Arn?: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
}

export interface RuleState {
  name: string;
  arn: string;
  eventBusName: string;
  eventPattern: string;
  pattern: EventPattern;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  /** Insertion-ordered by target id. */
  targets: Map<string, SqsTarget>;
}

interface BusState {
  name: string;
  arn: string;
  description?: string;
  creationTime: number;
  lastModifiedTime: number;
  rules: Map<string, RuleState>;
}

export interface ControlPlane {
  /** Answers one operation (`AWSEvents.<name>` without the prefix); throws AwsApiError. */
  call(operation: string, body: Record<string, unknown>): unknown;
  has(operation: string): boolean;
  /** Enabled rules of a bus, in creation order. */
  enabledRules(busName: string): RuleState[];
  busNames(): string[];
}

const NAME = /^[.\-_A-Za-z0-9]+$/;
const BUS_NAME = /^[/.\-_A-Za-z0-9]+$/;
const BUS_ARN = /^arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/(.+)$/;
const SQS_ARN = /^arn:aws[\w-]*:sqs:[a-z0-9-]+:\d{12}:([A-Za-z0-9_-]{1,75}(?:\.fifo)?)$/;
const MAX_TARGETS_PER_RULE = 5;

const validation = (message: string) => new AwsApiError('ValidationException', message);

/** AWS's generic constraint message, as its request validation words it. */
function constraint(value: unknown, field: string, rule: string): AwsApiError {
  return validation(
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${rule}`,
  );
}

function requiredString(
  body: Record<string, unknown>,
  key: string,
  field: string,
  pattern?: RegExp,
  max = 64,
): string {
  const value = body[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw validation(
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  if (value.length > max)
    throw constraint(value, field, `Member must have length less than or equal to ${max}`);
  if (pattern && !pattern.test(value)) {
    throw constraint(
      value,
      field,
      `Member must satisfy regular expression pattern: ${pattern.source.slice(1, -1)}`,
    );
  }
  return value;
}

function optionalString(
  body: Record<string, unknown>,
  key: string,
  field: string,
  max: number,
): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validation(`Parameter ${field} is not valid.`);
  if (value.length > max)
    throw constraint(value, field, `Member must have length less than or equal to ${max}`);
  return value;
}

/** Parses and validates an event pattern as PutRule and TestEventPattern do. */
export function parseEventPattern(text: string): EventPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AwsApiError(
      'InvalidEventPatternException',
      `Event pattern is not valid. Reason: ${(error as Error).message}`,
    );
  }
  try {
    return validatePattern(parsed);
  } catch (error) {
    if (error instanceof InvalidEventPatternError)
      throw new AwsApiError('InvalidEventPatternException', error.message);
    throw error;
  }
}

/** Fields TestEventPattern requires of the event (API reference: id, account, source, time, region, resources, detail-type). */
const EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'] as const;

function paginate<T>(items: T[], body: Record<string, unknown>): { page: T[]; nextToken?: string } {
  const limit = body.Limit === undefined ? 100 : Number(body.Limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw constraint(body.Limit, 'limit', 'Member must have value less than or equal to 100');
  }
  let start = 0;
  if (body.NextToken !== undefined) {
    start = Number(Buffer.from(String(body.NextToken), 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw validation('The nextToken provided is invalid.');
  }
  const page = items.slice(start, start + limit);
  const next = start + limit;
  return next < items.length
    ? { page, nextToken: Buffer.from(String(next)).toString('base64url') }
    : { page };
}

export function createControlPlane({
  region,
  account,
  now = () => Date.now(),
}: {
  region: string;
  account: string;
  now?: () => number;
}): ControlPlane {
  const buses = new Map<string, BusState>();
  const busArn = (name: string) => `arn:aws:events:${region}:${account}:event-bus/${name}`;
  const ruleArn = (bus: string, name: string) =>
    `arn:aws:events:${region}:${account}:rule/${bus === 'default' ? '' : `${bus}/`}${name}`;
  const addBus = (name: string, description?: string) => {
    const t = Math.floor(now() / 1000);
    const bus: BusState = {
      name,
      arn: busArn(name),
      description,
      creationTime: t,
      lastModifiedTime: t,
      rules: new Map(),
    };
    buses.set(name, bus);
    return bus;
  };
  addBus('default');

  /** Bus from a name or ARN (absent = default), or ResourceNotFoundException. */
  function busOf(body: Record<string, unknown>, key = 'EventBusName'): BusState {
    const raw = body[key];
    if (raw !== undefined && (typeof raw !== 'string' || raw === ''))
      throw validation(`Parameter ${key} is not valid.`);
    const name = raw === undefined ? 'default' : (BUS_ARN.exec(raw)?.[1] ?? raw);
    if (!BUS_NAME.test(name))
      throw constraint(
        raw,
        'eventBusName',
        'Member must satisfy regular expression pattern: (arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?[/\\.\\-_A-Za-z0-9]+',
      );
    const bus = buses.get(name);
    if (!bus) throw new AwsApiError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return bus;
  }

  function ruleOf(bus: BusState, name: string): RuleState {
    const rule = bus.rules.get(name);
    if (!rule)
      throw new AwsApiError(
        'ResourceNotFoundException',
        `Rule ${name} does not exist on EventBus ${bus.name}.`,
      );
    return rule;
  }

  function checkTarget(raw: unknown, index: number): SqsTarget {
    if (typeof raw !== 'object' || raw === null)
      throw validation(`Parameter Targets[${index}] is not valid.`);
    const t = raw as Record<string, unknown>;
    const id = requiredString(t, 'Id', `targets.${index + 1}.member.id`, NAME);
    const arn = requiredString(t, 'Arn', `targets.${index + 1}.member.arn`, undefined, 1600);
    const queue = SQS_ARN.exec(arn);
    if (!/^arn:aws[\w-]*:[a-z0-9-]+:/.test(arn)) {
      throw validation(`Parameter ${arn} is not valid. Reason: Provided Arn is not in correct format.`);
    }
    if (!queue) {
      // A deliberate limit of the local stand-in, said loudly rather than accepted and never delivered.
      throw validation(`Target ${id}: the local EventBridge router delivers to SQS queues only, not ${arn}.`);
    }
    const fifo = queue[1].endsWith('.fifo');
    const sqsParameters = t.SqsParameters as { MessageGroupId?: unknown } | undefined;
    if (fifo && (typeof sqsParameters?.MessageGroupId !== 'string' || sqsParameters.MessageGroupId === '')) {
      throw validation(`Parameter(s) SqsParameters must be specified for target: ${id}.`);
    }
    if (sqsParameters?.MessageGroupId !== undefined && String(sqsParameters.MessageGroupId).length > 100) {
      throw constraint(
        sqsParameters.MessageGroupId,
        `targets.${index + 1}.member.sqsParameters.messageGroupId`,
        'Member must have length less than or equal to 100',
      );
    }
    const dlq = t.DeadLetterConfig as { Arn?: unknown } | undefined;
    if (dlq?.Arn !== undefined) {
      const dlqQueue = typeof dlq.Arn === 'string' ? SQS_ARN.exec(dlq.Arn) : null;
      if (!dlqQueue)
        throw validation(
          `Parameter ${String(dlq.Arn)} is not valid. Reason: Provided Arn is not in correct format.`,
        );
      if (dlqQueue[1].endsWith('.fifo')) throw validation('SQS FIFO is not supported by Dead Letter Queues.');
    }
    const retry = t.RetryPolicy as
      { MaximumRetryAttempts?: unknown; MaximumEventAgeInSeconds?: unknown } | undefined;
    if (retry?.MaximumRetryAttempts !== undefined) {
      const n = retry.MaximumRetryAttempts;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 185) {
        throw constraint(
          n,
          `targets.${index + 1}.member.retryPolicy.maximumRetryAttempts`,
          'Member must have value less than or equal to 185',
        );
      }
    }
    if (retry?.MaximumEventAgeInSeconds !== undefined) {
      const n = retry.MaximumEventAgeInSeconds;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 60 || n > 86_400) {
        throw constraint(
          n,
          `targets.${index + 1}.member.retryPolicy.maximumEventAgeInSeconds`,
          'Member must have value between 60 and 86400',
        );
      }
    }
    const input = optionalString(t, 'Input', `targets.${index + 1}.member.input`, 8192);
    const inputPath = optionalString(t, 'InputPath', `targets.${index + 1}.member.inputPath`, 256);
    if (input !== undefined && inputPath !== undefined) {
      throw validation(
        `Only one of Input, InputPath, or InputTransformer must be provided for target ${id}.`,
      );
    }
    if (input !== undefined) {
      try {
        JSON.parse(input);
      } catch {
        throw validation(`Parameter Input is not valid for target ${id}: it must be valid JSON text.`);
      }
    }
    if (inputPath !== undefined && !/^\$(\.[A-Za-z0-9_-]+)*$/.test(inputPath)) {
      throw validation(`Parameter InputPath is not valid for target ${id}.`);
    }
    // Stored as given (ListTargetsByRule answers it back), unknown members dropped.
    return {
      Id: id,
      Arn: arn,
      ...(input !== undefined ? { Input: input } : {}),
      ...(inputPath !== undefined ? { InputPath: inputPath } : {}),
      ...(sqsParameters ? { SqsParameters: { MessageGroupId: sqsParameters.MessageGroupId as string } } : {}),
      ...(dlq?.Arn !== undefined ? { DeadLetterConfig: { Arn: dlq.Arn as string } } : {}),
      ...(retry ? { RetryPolicy: { ...(retry as SqsTarget['RetryPolicy']) } } : {}),
    };
  }

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    CreateEventBus(body) {
      const name = requiredString(body, 'Name', 'name', BUS_NAME, 256);
      if (buses.has(name))
        throw new AwsApiError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
      if (body.EventSourceName !== undefined)
        throw validation('Partner event sources are not supported by the local router.');
      if (name.includes('/')) throw validation("Event bus name must not contain '/'.");
      const bus = addBus(name, optionalString(body, 'Description', 'description', 512));
      return { EventBusArn: bus.arn, ...(bus.description ? { Description: bus.description } : {}) };
    },
    DescribeEventBus(body) {
      const bus = busOf(body, 'Name');
      return {
        Name: bus.name,
        Arn: bus.arn,
        ...(bus.description ? { Description: bus.description } : {}),
        CreationTime: bus.creationTime,
        LastModifiedTime: bus.lastModifiedTime,
      };
    },
    PutRule(body) {
      const name = requiredString(body, 'Name', 'name', NAME);
      const bus = busOf(body);
      if (body.ScheduleExpression !== undefined) {
        throw validation('ScheduleExpression is not supported by the local router (event patterns only).');
      }
      const eventPattern = optionalString(body, 'EventPattern', 'eventPattern', 4096);
      if (!eventPattern)
        throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
      const pattern = parseEventPattern(eventPattern);
      const state = body.State ?? 'ENABLED';
      if (state !== 'ENABLED' && state !== 'DISABLED') {
        throw constraint(state, 'state', 'Member must satisfy enum value set: [ENABLED, DISABLED]');
      }
      const description = optionalString(body, 'Description', 'description', 512);
      const existing = bus.rules.get(name);
      const rule: RuleState = {
        name,
        arn: ruleArn(bus.name, name),
        eventBusName: bus.name,
        eventPattern,
        pattern,
        state,
        ...(description !== undefined ? { description } : {}),
        targets: existing?.targets ?? new Map(),
      };
      bus.rules.set(name, rule);
      return { RuleArn: rule.arn };
    },
    DescribeRule(body) {
      const name = requiredString(body, 'Name', 'name', NAME);
      const rule = ruleOf(busOf(body), name);
      return { ...ruleShape(rule), CreatedBy: account };
    },
    ListRules(body) {
      const bus = busOf(body);
      const prefix = optionalString(body, 'NamePrefix', 'namePrefix', 64) ?? '';
      const rules = [...bus.rules.values()]
        .filter((r) => r.name.startsWith(prefix))
        .sort((a, b) => (a.name < b.name ? -1 : 1));
      const { page, nextToken } = paginate(rules, body);
      return { Rules: page.map(ruleShape), ...(nextToken ? { NextToken: nextToken } : {}) };
    },
    DeleteRule(body) {
      const name = requiredString(body, 'Name', 'name', NAME);
      const bus = busOf(body);
      const rule = bus.rules.get(name);
      if (!rule) return {}; // AWS answers success for a rule that is not there
      if (rule.targets.size > 0 && body.Force !== true)
        throw validation("Rule can't be deleted since it has targets.");
      bus.rules.delete(name);
      return {};
    },
    PutTargets(body) {
      const name = requiredString(body, 'Rule', 'rule', NAME);
      const bus = busOf(body);
      const targets = body.Targets;
      if (!Array.isArray(targets) || targets.length === 0) {
        throw validation(
          "1 validation error detected: Value '[]' at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
      }
      if (targets.length > 100)
        throw constraint('[...]', 'targets', 'Member must have length less than or equal to 100');
      const checked = targets.map((t, i) => checkTarget(t, i));
      const rule = ruleOf(bus, name);
      const ids = new Set([...rule.targets.keys(), ...checked.map((t) => t.Id)]);
      if (ids.size > MAX_TARGETS_PER_RULE) {
        throw new AwsApiError(
          'LimitExceededException',
          `The requested resource exceeds the maximum number allowed.`,
        );
      }
      for (const target of checked) rule.targets.set(target.Id, target);
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    ListTargetsByRule(body) {
      const name = requiredString(body, 'Rule', 'rule', NAME);
      const rule = ruleOf(busOf(body), name);
      const { page, nextToken } = paginate([...rule.targets.values()], body);
      return { Targets: page, ...(nextToken ? { NextToken: nextToken } : {}) };
    },
    RemoveTargets(body) {
      const name = requiredString(body, 'Rule', 'rule', NAME);
      const bus = busOf(body);
      const ids = body.Ids;
      if (!Array.isArray(ids) || ids.length === 0) {
        throw validation(
          "1 validation error detected: Value '[]' at 'ids' failed to satisfy constraint: Member must have length greater than or equal to 1",
        );
      }
      const rule = ruleOf(bus, name);
      for (const id of ids) rule.targets.delete(String(id));
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    TestEventPattern(body) {
      const patternText = body.EventPattern;
      const eventText = body.Event;
      if (typeof patternText !== 'string') {
        throw validation(
          "1 validation error detected: Value null at 'eventPattern' failed to satisfy constraint: Member must not be null",
        );
      }
      if (typeof eventText !== 'string') {
        throw validation(
          "1 validation error detected: Value null at 'event' failed to satisfy constraint: Member must not be null",
        );
      }
      const pattern = parseEventPattern(patternText);
      let event: unknown;
      try {
        event = JSON.parse(eventText);
      } catch {
        throw validation('Parameter Event is not valid.');
      }
      if (typeof event !== 'object' || event === null || Array.isArray(event))
        throw validation('Parameter Event is not valid.');
      const missing: string[] = EVENT_FIELDS.filter(
        (f) => typeof (event as Record<string, unknown>)[f] !== 'string',
      );
      if (!Array.isArray((event as Record<string, unknown>).resources)) missing.push('resources');
      if (missing.length > 0) {
        throw validation(
          `Parameter Event is not valid. Reason: Provided Event is missing required field(s): ${missing.join(', ')}.`,
        );
      }
      return { Result: matchesPattern(pattern, event as Parameters<typeof matchesPattern>[1]) };
    },
  };

  function ruleShape(rule: RuleState) {
    return {
      Name: rule.name,
      Arn: rule.arn,
      EventPattern: rule.eventPattern,
      State: rule.state,
      ...(rule.description !== undefined ? { Description: rule.description } : {}),
      EventBusName: rule.eventBusName,
    };
  }

  return {
    call(operation, body) {
      const handler = operations[operation];
      if (!handler)
        throw new AwsApiError(
          'UnknownOperationException',
          `Operation ${operation} is not supported by the local router`,
        );
      return handler(body);
    },
    has: (operation) => operation in operations,
    enabledRules: (busName) =>
      [...(buses.get(busName)?.rules.values() ?? [])].filter((r) => r.state === 'ENABLED'),
    busNames: () => [...buses.keys()],
  };
}
