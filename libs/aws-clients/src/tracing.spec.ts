import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { startTracing, stopTracing, tracingSettingsFromEnv, withSpan } from '@manga-assist/service-runtime';
import type { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createAwsClients } from './clients';

// One CLIENT span per SDK command, added by middleware (works in the esbuild bundles, where the
// require-hook instrumentation cannot), against a real DynamoDB emulator.
describe('AWS SDK command spans', () => {
  const dynamo = dynalite({ createTableMs: 0 });
  let exporter: InMemorySpanExporter;
  let flush: () => Promise<void>;
  let clients: ReturnType<typeof createAwsClients>;

  beforeAll(async () => {
    exporter = new (await import('@opentelemetry/sdk-trace-base')).InMemorySpanExporter();
    flush = (await startTracing(tracingSettingsFromEnv('svc', { OTEL_TRACES_EXPORTER: 'otlp' }), exporter))!
      .flush;
    await new Promise<void>((r) => dynamo.listen(0, '127.0.0.1', () => r()));
    clients = createAwsClients({
      region: 'us-east-1',
      endpoints: { dynamodb: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}` },
      maxSockets: 4,
    });
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: 'Things',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });
  afterAll(async () => {
    clients.destroy();
    await new Promise<void>((r) => dynamo.close(() => r()));
    await stopTracing();
  });

  it('a document-client write inside an operation is one child span; a refused condition is not an error', async () => {
    const put = (id: string) =>
      clients.documentClient.send(
        new PutCommand({
          TableName: 'Things',
          Item: { id, secret: 'never-in-a-span' },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
    await withSpan('operation', {}, async () => {
      await put('a');
      await expect(put('a')).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    });
    await put('outside'); // no active span: no trace of its own
    await flush();
    const spans = exporter.getFinishedSpans();
    const operation = spans.find((s) => s.name === 'operation')!;
    const puts = spans.filter((s) => s.name === 'DynamoDB.PutItem');
    expect(puts).toHaveLength(2);
    for (const p of puts) {
      expect(p.parentSpanContext?.spanId).toBe(operation.spanContext().spanId);
      expect(p.attributes['aws.dynamodb.table_names']).toEqual(['Things']);
      expect(p.status.code).not.toBe(2);
    }
    expect(puts[1].attributes['aws.dynamodb.condition_failed']).toBe(true);
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain('never-in-a-span');
  });
});
