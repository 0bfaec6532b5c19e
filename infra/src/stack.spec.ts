import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { queueDefinitions, tableDefinitions, ttlAttributes } from '@manga-assist/aws-clients';
import {
  DETAIL_TYPES,
  SOURCE_BY_DETAIL_TYPE,
  TARGET_RETRY_POLICY,
  eventJsonSchema,
  routingRules,
} from '@manga-assist/event-schemas';
import { buildApp } from './app';
import { bedrockResourceArns } from './bedrock';
import { stageResourceNames } from './names';
import { MangaAssistStack } from './stack';
import { APP_NAMES, STAGES, type StageName } from './settings';
import { ALB_IDLE_TIMEOUT_SECONDS, DEREGISTRATION_DELAY_SECONDS } from './edge';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

const outdir = () => mkdtempSync(join(tmpdir(), 'infra-spec-'));

function synth(stage: StageName, context: Record<string, unknown> = {}, lambdaBundleDir?: string) {
  const { stacks } = buildApp({ outdir: outdir(), stages: [stage], context, lambdaBundleDir });
  const stack = stacks[0] as MangaAssistStack;
  return { stack, template: Template.fromStack(stack) };
}

const ofType = (template: Template, type: string): Resources => template.findResources(type) as Resources;

const logicalIdOf = (stack: MangaAssistStack, construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

describe.each(['dev', 'prod'] as const)('the %s stage', (stage) => {
  let stack: MangaAssistStack;
  let template: Template;
  const names = stageResourceNames(stage);
  beforeAll(() => ({ stack, template } = synth(stage)));

  it('has exactly the five tables of tableDefinitions(), with their keys, TTL, PITR and deletion protection in prod', () => {
    const tables = Object.values(ofType(template, 'AWS::DynamoDB::Table'));
    const definitions = tableDefinitions(names);
    expect(tables).toHaveLength(5);
    expect(definitions).toHaveLength(5);
    const ttl = ttlAttributes(names);
    for (const def of definitions) {
      const table = tables.find((t) => t.Properties.TableName === def.TableName);
      expect(table).toBeDefined();
      const p = table!.Properties;
      expect(p.KeySchema).toEqual(def.KeySchema);
      expect(p.AttributeDefinitions).toEqual(def.AttributeDefinitions);
      expect(p.BillingMode).toBe('PAY_PER_REQUEST');
      expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(p.DeletionProtectionEnabled).toBe(stage === 'prod');
      const ttlAttribute = ttl[def.TableName as string];
      expect(p.TimeToLiveSpecification).toEqual(
        ttlAttribute ? { AttributeName: ttlAttribute, Enabled: true } : undefined,
      );
    }
    expect(Object.keys(ttl).length).toBeGreaterThanOrEqual(3);
  });

  it('has every queue of queueDefinitions() with its DLQ redrive, visibility, FIFO and SSE', () => {
    const queues = Object.entries(ofType(template, 'AWS::SQS::Queue'));
    const byName = (name: string) => queues.find(([, q]) => q.Properties.QueueName === name);
    for (const def of queueDefinitions(names)) {
      const main = byName(def.name);
      const dlq = byName(def.dlq);
      expect(main && dlq).toBeTruthy();
      expect(main![1].Properties).toMatchObject({
        VisibilityTimeout: def.visibilityTimeoutSeconds,
        SqsManagedSseEnabled: true,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlq![0], 'Arn'] },
          maxReceiveCount: def.maxReceiveCount,
        },
      });
      expect(main![1].Properties.FifoQueue).toBe(def.fifo ? true : undefined);
      expect(dlq![1].Properties).toMatchObject({
        MessageRetentionPeriod: def.dlqRetentionSeconds,
        SqsManagedSseEnabled: true,
      });
      expect(dlq![1].Properties.FifoQueue).toBe(def.fifo ? true : undefined);
    }
  });

  it('has the bus, a 30-day archive and one rule per routingRules() entry with the identical EventPattern', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: names.eventBusName });
    template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 30 });
    const rules = Object.values(ofType(template, 'AWS::Events::Rule'));
    const expected = routingRules(names);
    expect(rules).toHaveLength(expected.length);
    const queues = Object.entries(ofType(template, 'AWS::SQS::Queue'));
    for (const rule of expected) {
      const found = rules.find((r) => r.Properties.Name === rule.name);
      expect(found).toBeDefined();
      expect(found!.Properties.EventPattern).toStrictEqual(rule.pattern);
      expect(found!.Properties.EventBusName).toEqual({ Ref: logicalIdOf(stack, stack.routing.bus) });
      const [target] = found!.Properties.Targets;
      const [queueId] = queues.find(([, q]) => q.Properties.QueueName === rule.target.queueName)!;
      expect(target.Arn).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
      expect(target.SqsParameters).toEqual(
        rule.target.messageGroupId ? { MessageGroupId: rule.target.messageGroupId } : undefined,
      );
      expect(target.DeadLetterConfig.Arn).toEqual({
        'Fn::GetAtt': [logicalIdOf(stack, stack.routing.eventsDlq), 'Arn'],
      });
      expect(target.RetryPolicy).toEqual(TARGET_RETRY_POLICY);
    }
  });

  it('registers one JSON Schema (Draft 4) per detail type, generated from the zod schemas', () => {
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    const schemas = Object.values(ofType(template, 'AWS::EventSchemas::Schema'));
    expect(schemas).toHaveLength(Object.values(DETAIL_TYPES).length);
    for (const detailType of Object.values(DETAIL_TYPES)) {
      const found = schemas.find(
        (s) => s.Properties.SchemaName === `${SOURCE_BY_DETAIL_TYPE[detailType]}@${detailType}`,
      );
      expect(found?.Properties.Type).toBe('JSONSchemaDraft4');
      expect(JSON.parse(found!.Properties.Content)).toEqual(eventJsonSchema(detailType));
    }
  });

  it('lets EventBridge send to each target queue and target DLQ, only from its rule', () => {
    const rules = Object.entries(ofType(template, 'AWS::Events::Rule'));
    const policies = Object.values(ofType(template, 'AWS::SQS::QueuePolicy'));
    for (const [ruleId, rule] of rules) {
      const [target] = rule.Properties.Targets;
      for (const arn of [target.Arn, target.DeadLetterConfig.Arn]) {
        const queueId = arn['Fn::GetAtt'][0];
        const policy = policies.find((p) => p.Properties.Queues.some((q: any) => q.Ref === queueId));
        expect(policy).toBeDefined();
        expect(policy!.Properties.PolicyDocument.Statement).toContainEqual(
          expect.objectContaining({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: arn,
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ruleId, 'Arn'] } } },
          }),
        );
      }
    }
  });

  it('has every runbook alarm with its threshold, notifying the alarm topic', () => {
    const t = STAGES[stage].alarms;
    const alarms = Object.values(ofType(template, 'AWS::CloudWatch::Alarm'));
    const alarm = (suffix: string) => {
      const found = alarms.find((a) => a.Properties.AlarmName === `manga-assist-${stage}-${suffix}`);
      if (!found) throw new Error(`no alarm ${suffix}`);
      expect(found.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/AlarmTopic/) }]);
      return found.Properties;
    };
    expect(alarm('http-5xx-rate')).toMatchObject({
      Threshold: t.http5xxPercent,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(alarm('model-latency-p95')).toMatchObject({
      Threshold: 20,
      ExtendedStatistic: 'p95',
      MetricName: 'chat_model_duration_seconds',
      Namespace: `MangaAssist/${stage}`,
    });
    expect(alarm('enrichment-queue-depth')).toMatchObject({
      Threshold: 10_000,
      MetricName: 'ApproximateNumberOfMessagesVisible',
    });
    expect(alarm('enrichment-oldest-message-age')).toMatchObject({
      Threshold: 900,
      MetricName: 'ApproximateAgeOfOldestMessage',
    });
    const stalled = alarm('catalog-writes-stalled');
    expect(stalled.Threshold).toBe(1);
    expect(JSON.stringify(stalled.Metrics)).toContain('ConsumedWriteCapacityUnits');
    expect(alarm('enrichment-critical-write-errors')).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      MetricName: 'enrichment_critical_errors_total',
    });
    expect(alarm('model-throttles-default')).toMatchObject({
      Namespace: 'AWS/Bedrock',
      MetricName: 'InvocationThrottles',
      Threshold: t.modelThrottlesPer5Min,
      Dimensions: [{ Name: 'ModelId', Value: STAGES[stage].models.default }],
    });
    for (const dlq of ['enrichment', 'moderation', 'events']) {
      expect(alarm(`dlq-${dlq}`)).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    }
    for (const lang of ['ja', 'en']) {
      const anomaly = alarm(`client-400-rate-${lang}`);
      expect(anomaly.ComparisonOperator).toBe('GreaterThanUpperThreshold');
      expect(JSON.stringify(anomaly.Metrics)).toContain(
        `ANOMALY_DETECTION_BAND(m0, ${t.client4xxBandStdDevs})`,
      );
      expect(JSON.stringify(anomaly.Metrics)).toContain(`"Value":"${lang}"`);
    }
    expect(alarm('fallback-rate')).toMatchObject({ Threshold: t.fallbackPercent });
    // The Lambda alarm exists only with the Lambda variant (see below).
    expect(alarms.find((a) => a.Properties.AlarmName?.endsWith('lambda-concurrency'))).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('scales the worker on backlog per task and age of oldest message, the gateway on CPU and open connections', () => {
    const targets = Object.values(ofType(template, 'AWS::ApplicationAutoScaling::ScalableTarget'));
    for (const app of APP_NAMES) {
      const { minTasks, maxTasks } = STAGES[stage].services[app];
      if (app === 'enrichment-worker' || app === 'moderation-consumer' || app === 'chat-gateway') {
        expect(
          targets.some((t) => t.Properties.MinCapacity === minTasks && t.Properties.MaxCapacity === maxTasks),
        ).toBe(true);
      }
    }
    const policies = Object.values(ofType(template, 'AWS::ApplicationAutoScaling::ScalingPolicy'));
    const backlog = policies.find(
      (p) => p.Properties.PolicyName === `manga-assist-${stage}-worker-backlog-per-task`,
    );
    expect(backlog?.Properties.TargetTrackingScalingPolicyConfiguration).toMatchObject({
      TargetValue: STAGES[stage].enrichment.backlogPerTask,
      CustomizedMetricSpecification: {
        Metrics: expect.arrayContaining([
          expect.objectContaining({
            Id: 'backlogPerTask',
            Expression: 'IF(tasks > 0, visible / tasks, visible)',
            ReturnData: true,
          }),
        ]),
      },
    });
    const stepOnAge = policies.filter((p) => p.Properties.PolicyType === 'StepScaling');
    expect(stepOnAge.length).toBeGreaterThan(0);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('OldestMessageAge') }],
    });
    expect(policies).toContainEqual(
      expect.objectContaining({
        Properties: expect.objectContaining({
          TargetTrackingScalingPolicyConfiguration: expect.objectContaining({
            PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
            TargetValue: STAGES[stage].gateway.cpuTargetPercent,
          }),
        }),
      }),
    );
    expect(policies).toContainEqual(
      expect.objectContaining({
        Properties: expect.objectContaining({
          TargetTrackingScalingPolicyConfiguration: expect.objectContaining({
            CustomizedMetricSpecification: expect.objectContaining({ MetricName: 'chat_websockets_open' }),
            TargetValue: STAGES[stage].gateway.connectionsPerTask,
          }),
        }),
      }),
    );
  });

  it('grants no IAM statement a "*" resource for DynamoDB, SQS, EventBridge or Bedrock', () => {
    const statements = Object.values(ofType(template, 'AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as any[],
    );
    const guarded = /^(dynamodb|sqs|events|bedrock):/;
    let checked = 0;
    for (const s of statements) {
      const actions: string[] = [s.Action].flat();
      if (!actions.some((a) => guarded.test(a))) continue;
      checked++;
      expect([s.Resource].flat()).not.toContain('*');
      expect(actions.filter((a) => guarded.test(a)).every((a) => !a.endsWith(':*'))).toBe(true);
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it('allows Bedrock InvokeModel(+WithResponseStream) only on the configured models', () => {
    const statements = Object.values(ofType(template, 'AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as any[],
    );
    const bedrock = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('bedrock:')));
    expect(bedrock).toHaveLength(4); // gateway, webhooks (sentiment), worker, moderation
    const expected = stack.resolve(bedrockResourceArns(stack, Object.values(STAGES[stage].models)));
    for (const s of bedrock) {
      expect([s.Action].flat().sort()).toEqual([
        'bedrock:InvokeModel',
        'bedrock:InvokeModelWithResponseStream',
      ]);
      expect([s.Resource].flat()).toEqual(expected);
    }
    expect(JSON.stringify(expected)).toContain('foundation-model/anthropic.claude-3-haiku-20240307-v1:0');
  });

  it('runs four Fargate services with circuit-breaker rollback, a stop timeout above the drain and an ADOT sidecar', () => {
    const services = Object.values(ofType(template, 'AWS::ECS::Service'));
    expect(services).toHaveLength(4);
    for (const s of services) {
      expect(s.Properties.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({
        Enable: true,
        Rollback: true,
      });
      expect(s.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
    }
    const tasks = Object.values(ofType(template, 'AWS::ECS::TaskDefinition'));
    expect(tasks).toHaveLength(4);
    for (const app of APP_NAMES) {
      const task = tasks.find((t) => t.Properties.Family === `manga-assist-${stage}-${app}`);
      const containers: any[] = task!.Properties.ContainerDefinitions;
      const main = containers.find((c) => c.Name === app);
      const collector = containers.find((c) => c.Name === 'aws-otel-collector');
      expect(main.StopTimeout).toBeGreaterThanOrEqual(STAGES[stage].shutdownSeconds[app]);
      // The image runs node --single-threaded because a task has at most one vCPU (apps/Dockerfile).
      expect(Number(task!.Properties.Cpu)).toBeLessThanOrEqual(1024);
      expect(main.Environment).toContainEqual({
        Name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
        Value: 'http://localhost:4318',
      });
      expect(main.Environment).toContainEqual({ Name: 'OTEL_TRACES_EXPORTER', Value: 'otlp' });
      expect(main.Environment).toContainEqual({ Name: 'METRICS_EMF', Value: 'true' });
      expect(main.Environment).toContainEqual({
        Name: 'METRICS_EMF_NAMESPACE',
        Value: `MangaAssist/${stage}`,
      });
      expect(main.DependsOn).toEqual([{ ContainerName: 'aws-otel-collector', Condition: 'START' }]);
      expect(JSON.stringify(main.Image)).toContain(`manga-assist/${app}:${STAGES[stage].imageTag}`);
      expect(collector.Environment).toContainEqual({
        Name: 'AOT_CONFIG_CONTENT',
        Value: expect.stringMatching(/endpoint: 127\.0\.0\.1:4318[\s\S]*awsxray/),
      });
    }
    const xray = Object.values(ofType(template, 'AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('xray:PutTraceSegments'),
    );
    expect(xray).toHaveLength(4);
  });

  it('puts the gateway and webhooks behind an HTTPS ALB with redirect, /readyz checks and a WAF', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'HTTPS', Port: 443 });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [
        { Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443' }) },
      ],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'idle_timeout.timeout_seconds', Value: String(ALB_IDLE_TIMEOUT_SECONDS) },
      ]),
    });
    expect(ALB_IDLE_TIMEOUT_SECONDS).toBeGreaterThan(30); // WS_HEARTBEAT_MS default
    const groups = Object.values(ofType(template, 'AWS::ElasticLoadBalancingV2::TargetGroup'));
    expect(groups).toHaveLength(2);
    for (const g of groups) {
      expect(g.Properties.HealthCheckPath).toBe('/readyz');
      expect(g.Properties.TargetGroupAttributes).toContainEqual({
        Key: 'deregistration_delay.timeout_seconds',
        Value: String(DEREGISTRATION_DELAY_SECONDS),
      });
    }
    const acl = Object.values(ofType(template, 'AWS::WAFv2::WebACL'))[0].Properties;
    const ruleNames = acl.Rules.map((r: any) => r.Name);
    expect(ruleNames).toEqual(
      expect.arrayContaining([
        'AWSManagedRulesCommonRuleSet',
        'AWSManagedRulesKnownBadInputsRuleSet',
        'RatePerClientIp',
      ]),
    );
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  it('needs no NAT: gateway endpoints for DynamoDB and S3, interface endpoints for the rest; Redis with TLS', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const endpoints = Object.values(ofType(template, 'AWS::EC2::VPCEndpoint'));
    const services = JSON.stringify(endpoints.map((e) => e.Properties.ServiceName));
    for (const s of [
      'dynamodb',
      's3',
      'sqs',
      'events',
      'bedrock-runtime',
      'secretsmanager',
      'ecr.api',
      'ecr.dkr',
      'logs',
      'xray',
    ]) {
      expect(services).toContain(`.${s}`);
    }
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
    });
  });
});

describe('stage settings', () => {
  it('allows a source-IP allowlist per webhook source in the WAF', () => {
    const settings = {
      ...STAGES.dev,
      waf: { ...STAGES.dev.waf, webhookAllowlist: { stripe: ['3.18.12.63/32'] } },
    };
    const stack = new MangaAssistStack(new App({ outdir: outdir() }), 'Allowlist', {
      settings,
      env: { region: settings.region },
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::WAFv2::IPSet', { Addresses: ['3.18.12.63/32'] });
    const acl = Object.values(ofType(template, 'AWS::WAFv2::WebACL'))[0].Properties;
    const allow = acl.Rules.find((r: any) => r.Name === 'WebhookAllowlist-stripe');
    expect(allow.Action).toEqual({ Block: {} });
    expect(JSON.stringify(allow.Statement)).toContain('/webhooks/stripe');
    expect(JSON.stringify(allow.Statement)).toContain('NotStatement');
  });

  it('scopes Bedrock to an inference profile and its foundation model when the model id is a profile', () => {
    const profile = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
    const { template } = synth('dev', { modelDefault: profile });
    const statements = Object.values(ofType(template, 'AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as any[],
    );
    const bedrock = statements.find((s) => [s.Action].flat().includes('bedrock:InvokeModel'));
    const resources = JSON.stringify(bedrock.Resource);
    expect(resources).toContain(`:inference-profile/${profile}`);
    expect(resources).toContain(':bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0');
    expect(resources).toContain('::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0');
    expect(bedrock.Resource).toHaveLength(3);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds no unacknowledged error in either stage (synthesis fails on one)', () => {
    const dir = outdir();
    const { app } = buildApp({ outdir: dir, stages: ['dev', 'prod'] });
    expect(() => app.synth()).not.toThrow();
    const reportFile = join(dir, 'validation-report.json');
    const reports = existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')).pluginReports : [];
    expect(reports.flatMap((p: any) => p.violations)).toEqual([]);
  });

  it('does fail synthesis on a finding nobody acknowledged', () => {
    const dir = outdir();
    const { app, stacks } = buildApp({ outdir: dir, stages: ['dev'] });
    new s3.Bucket(stacks[0], 'UnencryptedNoSslBucket');
    expect(() => app.synth()).toThrow();
    const report = JSON.parse(readFileSync(join(dir, 'validation-report.json'), 'utf8'));
    const rules = report.pluginReports.flatMap((p: any) => p.violations.map((v: any) => v.ruleName));
    expect(rules).toContain('AwsSolutions-S10');
  });
});

describe('the Lambda variant of the enrichment consumer', () => {
  let template: Template;
  beforeAll(() => {
    const bundle = join(outdir(), 'bundle');
    mkdirSync(bundle);
    writeFileSync(join(bundle, 'index.js'), 'exports.handler = async () => ({ batchItemFailures: [] });\n');
    ({ template } = synth('prod', { enrichmentRuntime: 'lambda' }, bundle));
  });

  it('has reserved concurrency, an SQS event source with ReportBatchItemFailures, batch size and MaximumConcurrency', () => {
    const { reservedConcurrency, batchSize, maxConcurrency } = STAGES.prod.enrichment.lambda;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      ReservedConcurrentExecutions: reservedConcurrency,
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: maxConcurrency },
    });
  });

  it('alarms at 80% of the reserved concurrency, and the ECS worker stops consuming', () => {
    const { reservedConcurrency } = STAGES.prod.enrichment.lambda;
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'manga-assist-prod-lambda-concurrency',
      MetricName: 'ConcurrentExecutions',
      Threshold: Math.floor(reservedConcurrency * 0.8),
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'manga-assist-prod-enrichment-worker',
      ContainerDefinitions: Match.arrayWith([
        Match.objectLike({ Environment: Match.arrayWith([{ Name: 'WORKER_CONSUME', Value: 'false' }]) }),
      ]),
    });
  });

  it('refuses to synthesize without the bundled handler', () => {
    expect(() => synth('dev', { enrichmentRuntime: 'lambda' }, join(outdir(), 'missing'))).toThrow(
      /build-lambda/,
    );
  });
});
