import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LANGS } from '@manga-assist/unicode-validator';
import { searchExpression, serviceMetric } from './metrics';
import type { StageSettings } from './settings';

export interface MonitoringProps {
  settings: StageSettings;
  alb: elbv2.ApplicationLoadBalancer;
  enrichmentQueue: sqs.IQueue;
  moderationQueue: sqs.IQueue;
  /** Every dead-letter queue, by a readable name. */
  dlqs: Record<string, sqs.IQueue>;
  catalogTable: dynamodb.ITable;
  enrichmentFunction?: lambda.Function;
}

const FIVE_MIN = Duration.minutes(5);

/**
 * The runbooks' infrastructure measures as alarms (to one SNS topic, e-mailed when an address is
 * set) and one dashboard. Thresholds come from the stage settings.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { settings, alb, enrichmentQueue, moderationQueue, dlqs, catalogTable, enrichmentFunction } = props;
    const { stage, alarms: t } = settings;
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the MangaAssist alarm topic; CloudWatch may use it to publish',
      enableKeyRotation: true,
    });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `MangaAssist ${stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (settings.alarmEmail)
      this.topic.addSubscription(new subscriptions.EmailSubscription(settings.alarmEmail));
    const notify = new actions.SnsAction(this.topic);
    const alarm = (
      name: string,
      props: cloudwatch.CreateAlarmOptions & { metric: cloudwatch.Metric | cloudwatch.MathExpression },
    ) => {
      const created = props.metric.createAlarm(this, name, {
        alarmName: `manga-assist-${stage}-${name}`,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...props,
      });
      created.addAlarmAction(notify);
      this.alarms.push(created);
      return created;
    };

    const requests = alb.metrics.requestCount({ period: FIVE_MIN });
    const target5xx = alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: FIVE_MIN });
    const elb5xx = alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: FIVE_MIN });
    alarm('http-5xx-rate', {
      metric: new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)',
        usingMetrics: { requests, target5xx, elb5xx },
        label: '5XX % of requests',
        period: FIVE_MIN,
      }),
      threshold: t.http5xxPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      alarmDescription: `More than ${t.http5xxPercent}% of requests answered 5XX (runbook: scenario 1)`,
    });

    const modelLatency = (p: string) =>
      serviceMetric(stage, 'chat-gateway', 'chat_model_duration_seconds', p, {}, FIVE_MIN);
    alarm('model-latency-p95', {
      metric: modelLatency('p95'),
      threshold: t.modelLatencyP95Seconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      alarmDescription: `Model latency p95 above ${t.modelLatencyP95Seconds} s (the 29 s ceiling is near)`,
    });

    alarm('enrichment-queue-depth', {
      metric: enrichmentQueue.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MIN,
        statistic: 'Maximum',
      }),
      threshold: t.enrichmentQueueDepth,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      alarmDescription: `More than ${t.enrichmentQueueDepth} enrichment jobs waiting`,
    });
    for (const [name, queue] of [
      ['enrichment', enrichmentQueue],
      ['moderation', moderationQueue],
    ] as const) {
      alarm(`${name}-oldest-message-age`, {
        metric: queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MIN, statistic: 'Maximum' }),
        threshold: t.oldestMessageAgeSeconds,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        alarmDescription: `Oldest ${name} message older than ${t.oldestMessageAgeSeconds / 60} min`,
      });
    }

    const backlog = enrichmentQueue.metricApproximateNumberOfMessagesVisible({
      period: FIVE_MIN,
      statistic: 'Maximum',
    });
    const catalogWrites = catalogTable.metricConsumedWriteCapacityUnits({
      period: FIVE_MIN,
      statistic: 'Sum',
    });
    alarm('catalog-writes-stalled', {
      metric: new cloudwatch.MathExpression({
        expression: 'IF(backlog > 0 AND FILL(writes, 0) == 0, 1, 0)',
        usingMetrics: { backlog, writes: catalogWrites },
        label: 'Queue holds messages but nothing is written to the catalog',
        period: FIVE_MIN,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 3,
      alarmDescription: 'Catalog writes = 0 while the enrichment queue holds messages (runbook: scenario 5)',
    });

    alarm('enrichment-critical-write-errors', {
      metric: serviceMetric(
        stage,
        'enrichment-worker',
        'enrichment_critical_errors_total',
        'Sum',
        {},
        FIVE_MIN,
      ),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: 'AccessDenied / ResourceNotFound on a catalog write (runbook: scenario 5)',
    });

    for (const [tier, modelId] of Object.entries(settings.models)) {
      alarm(`model-throttles-${tier}`, {
        metric: new cloudwatch.Metric({
          namespace: 'AWS/Bedrock',
          metricName: 'InvocationThrottles',
          dimensionsMap: { ModelId: modelId },
          statistic: 'Sum',
          period: FIVE_MIN,
        }),
        threshold: t.modelThrottlesPer5Min,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        alarmDescription: `Bedrock throttles ${modelId} (runbook: scenarios 2 and 4)`,
      });
    }

    for (const [name, dlq] of Object.entries(dlqs)) {
      alarm(`dlq-${name}`, {
        metric: dlq.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        alarmDescription: `A message reached the dead-letter queue ${name}`,
      });
    }

    for (const lang of LANGS) {
      const client4xx = serviceMetric(
        stage,
        'chat-gateway',
        'chat_requests_total',
        'Sum',
        { status: '400', lang },
        FIVE_MIN,
      );
      const created = new cloudwatch.AnomalyDetectionAlarm(this, `client-400-rate-${lang}`, {
        alarmName: `manga-assist-${stage}-client-400-rate-${lang}`,
        metric: client4xx,
        stdDevs: t.client4xxBandStdDevs,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `400 answers in ${lang} above their baseline (runbook: scenario 3, validation)`,
      });
      created.addAlarmAction(notify);
      this.alarms.push(created);
    }

    if (enrichmentFunction) {
      const reserved = settings.enrichment.lambda.reservedConcurrency;
      alarm('lambda-concurrency', {
        metric: enrichmentFunction.metric('ConcurrentExecutions', {
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        threshold: Math.floor(reserved * t.lambdaConcurrencyShare),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        alarmDescription: `Enrichment Lambda above ${t.lambdaConcurrencyShare * 100}% of its reserved ${reserved} (runbook: scenario 4)`,
      });
    }

    const chatRequests = serviceMetric(stage, 'chat-gateway', 'chat_requests_total', 'Sum', {}, FIVE_MIN);
    const fallbacks = serviceMetric(stage, 'chat-gateway', 'chat_fallbacks_total', 'Sum', {}, FIVE_MIN);
    alarm('fallback-rate', {
      metric: new cloudwatch.MathExpression({
        expression: 'IF(requests > 0, 100 * FILL(fallbacks, 0) / requests, 0)',
        usingMetrics: { requests: chatRequests, fallbacks },
        label: 'Fallback and apology answers, % of chat requests',
        period: FIVE_MIN,
      }),
      threshold: t.fallbackPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      alarmDescription: `More than ${t.fallbackPercent}% of chat answers were a fallback or an apology`,
    });

    this.dashboard = this.buildDashboard(props);
  }

  private buildDashboard({
    settings,
    alb,
    enrichmentQueue,
    moderationQueue,
  }: MonitoringProps): cloudwatch.Dashboard {
    const { stage } = settings;
    const search = (label: string, ...args: Parameters<typeof searchExpression>) =>
      new cloudwatch.MathExpression({ expression: searchExpression(...args), label, period: FIVE_MIN });
    const queues = [
      ['enrichment', enrichmentQueue],
      ['moderation', moderationQueue],
    ] as const;
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `manga-assist-${stage}` });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Messages in flight / waiting',
        left: queues.flatMap(([name, q]) => [
          q.metricApproximateNumberOfMessagesNotVisible({
            label: `${name} in flight`,
            period: Duration.minutes(1),
          }),
          q.metricApproximateNumberOfMessagesVisible({
            label: `${name} waiting`,
            period: Duration.minutes(1),
          }),
        ]),
      }),
      new cloudwatch.GraphWidget({
        title: 'Age of oldest message (s)',
        left: queues.map(([name, q]) =>
          q.metricApproximateAgeOfOldestMessage({
            label: name,
            period: Duration.minutes(1),
            statistic: 'Maximum',
          }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Consumer throughput (messages done / min)',
        left: queues.map(([name, q]) =>
          q.metricNumberOfMessagesDeleted({ label: name, period: Duration.minutes(1), statistic: 'Sum' }),
        ),
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Model latency (s)',
        left: ['p50', 'p95'].flatMap((p) => [
          serviceMetric(stage, 'chat-gateway', 'chat_model_duration_seconds', p, {}, FIVE_MIN).with({
            label: `chat ${p}`,
          }),
          serviceMetric(stage, 'enrichment-worker', 'fm_call_duration_seconds', p, {}, FIVE_MIN).with({
            label: `enrichment ${p}`,
          }),
        ]),
      }),
      new cloudwatch.GraphWidget({
        title: '5xx (ALB) and chat answers by status and language',
        left: [
          alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
            label: 'target 5xx',
            period: FIVE_MIN,
          }),
          alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, {
            label: 'target 4xx',
            period: FIVE_MIN,
          }),
        ],
        right: [
          search('chat requests', stage, 'chat-gateway', 'chat_requests_total', ['lang', 'status'], 'Sum'),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Model cost (USD / hour)',
        left: (['chat-gateway', 'enrichment-worker', 'moderation-consumer', 'webhook-receiver'] as const).map(
          (s) =>
            serviceMetric(stage, s, 'fm_cost_usd_total', 'Sum', {}, Duration.hours(1)).with({ label: s }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'Circuit breaker state (0 closed, 1 open, 2 half-open)',
        left: [search('breaker', stage, 'chat-gateway', 'fm_breaker_state', ['model'], 'Maximum')],
      }),
    );
    return dashboard;
  }
}
