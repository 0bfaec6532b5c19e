import {
  activeContext,
  contextWithSpan,
  hasActiveSpan,
  recordError,
  runInContext,
  SpanKind,
  startSpan,
  tracingEnabled,
  xrayTraceHeader,
  type Attributes,
} from '@manga-assist/service-runtime';

// The OpenTelemetry AWS SDK instrumentation patches @smithy/smithy-client through require hooks,
// which never fire for modules esbuild has bundled into dist/apps/<app>/main.js. A middleware on
// each client's stack works the same bundled or not.

interface Stack {
  add(middleware: unknown, options: { step: 'initialize'; name: string; override?: boolean }): void;
}

type Input = Record<string, unknown>;

const queueName = (url: unknown) => (typeof url === 'string' ? (url.split('/').pop() ?? url) : undefined);

/** What an operator searches AWS calls by: table, queue, model, bus; never item or message contents. */
function awsCallAttributes(service: string, operation: string, input: Input): Attributes {
  const attributes: Attributes = { 'rpc.system': 'aws-api', 'rpc.service': service, 'rpc.method': operation };
  if (typeof input.TableName === 'string') attributes['aws.dynamodb.table_names'] = [input.TableName];
  const queue = queueName(input.QueueUrl);
  if (queue) {
    attributes['messaging.system'] = 'aws_sqs';
    attributes['messaging.destination.name'] = queue;
  }
  if (typeof input.modelId === 'string') attributes['gen_ai.request.model'] = input.modelId;
  if (Array.isArray(input.Entries)) {
    attributes['messaging.batch.message_count'] = input.Entries.length;
    const types = input.Entries.map((e: { DetailType?: unknown }) => e?.DetailType).filter(
      (t) => typeof t === 'string',
    );
    if (types.length) attributes['event.detail_types'] = [...new Set(types as string[])];
  }
  return attributes;
}

/**
 * SQS sends carry the active trace as the AWSTraceHeader message system attribute (X-Ray format),
 * unless the caller set one (the EventBridge router forwards the event's own header).
 */
function withSqsTraceHeader(operation: string, input: Input): Input {
  const header = () => xrayTraceHeader(activeContext());
  const add = (message: Input) => {
    const system = (message.MessageSystemAttributes ?? {}) as Record<string, unknown>;
    if (system.AWSTraceHeader) return message;
    const value = header();
    return value
      ? {
          ...message,
          MessageSystemAttributes: { ...system, AWSTraceHeader: { DataType: 'String', StringValue: value } },
        }
      : message;
  };
  if (operation === 'SendMessage') return add(input);
  if (operation === 'SendMessageBatch' && Array.isArray(input.Entries)) {
    return { ...input, Entries: (input.Entries as Input[]).map(add) };
  }
  return input;
}

/**
 * One CLIENT span per SDK command (`DynamoDB.PutItem`, `SQS.SendMessage`, `BedrockRuntime.Converse`)
 * around all its attempts, with the request id and attempt count, as a child of the active span.
 * Added only when tracing is on.
 */
export function traceAwsClient(client: { middlewareStack: Stack }): void {
  if (!tracingEnabled()) return;
  client.middlewareStack.add(
    (
      next: (args: { input: Input }) => Promise<{ output: unknown }>,
      ctx: { clientName?: string; commandName?: string },
    ) =>
      (args: { input: Input }) => {
        // Calls outside any traced operation (long polls, heartbeats, refresh timers) start no trace.
        if (!hasActiveSpan()) return next(args);
        const service = (ctx.clientName ?? 'AWS').replace(/Client$/, '');
        const operation = (ctx.commandName ?? 'Command').replace(/Command$/, '');
        const span = startSpan(`${service}.${operation}`, {
          kind: SpanKind.CLIENT,
          attributes: awsCallAttributes(service, operation, args.input),
        });
        return runInContext(contextWithSpan(span), async () => {
          try {
            const input = service === 'SQS' ? withSqsTraceHeader(operation, args.input) : args.input;
            const result = await next({ ...args, input });
            const output = result.output as {
              $metadata?: { requestId?: string; attempts?: number };
              usage?: { inputTokens?: number; outputTokens?: number };
            };
            const meta = output.$metadata;
            if (meta?.requestId) span.setAttribute('aws.request_id', meta.requestId);
            if (meta?.attempts) span.setAttribute('aws.attempts', meta.attempts);
            // Converse answers with its token usage (ConverseStream reports it in the stream instead).
            if (typeof output.usage?.inputTokens === 'number')
              span.setAttribute('gen_ai.usage.input_tokens', output.usage.inputTokens);
            if (typeof output.usage?.outputTokens === 'number')
              span.setAttribute('gen_ai.usage.output_tokens', output.usage.outputTokens);
            return result;
          } catch (error) {
            // A refused condition is an answer the caller asked for (claims, optimistic writes,
            // "create the map if missing"), not a failure: noted, not marked ERROR.
            if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
              span.setAttribute('aws.dynamodb.condition_failed', true);
            } else {
              recordError(span, error);
            }
            throw error;
          } finally {
            span.end();
          }
        });
      },
    { step: 'initialize', name: 'mangaAssistTracing', override: true },
  );
}
