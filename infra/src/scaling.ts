import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { gatewayOpenConnections } from './metrics';
import type { StageSettings } from './settings';

export interface ScalingProps {
  settings: StageSettings;
  cluster: ecs.ICluster;
  gateway: ecs.FargateService;
  worker: ecs.FargateService;
  webhooks: ecs.FargateService;
  moderation: ecs.FargateService;
  enrichmentQueue: sqs.IQueue;
  moderationQueue: sqs.IQueue;
}

/**
 * Task-count scaling. The worker follows its backlog (messages visible per running task, target
 * tracking on a metric-math expression) and the age of its oldest message (step scaling: a
 * backlog that is small but old still adds tasks). The gateway follows CPU and open WebSockets.
 */
export class Scaling extends Construct {
  constructor(scope: Construct, id: string, props: ScalingProps) {
    super(scope, id);
    const { settings, cluster, gateway, worker, webhooks, moderation, enrichmentQueue, moderationQueue } =
      props;
    const range = (app: keyof StageSettings['services']) => ({
      minCapacity: settings.services[app].minTasks,
      maxCapacity: settings.services[app].maxTasks,
    });

    const gatewayScaling = gateway.autoScaleTaskCount(range('chat-gateway'));
    gatewayScaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: settings.gateway.cpuTargetPercent,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });
    gatewayScaling.scaleToTrackCustomMetric('OpenConnections', {
      metric: gatewayOpenConnections(settings.stage),
      targetValue: settings.gateway.connectionsPerTask,
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    });

    webhooks.autoScaleTaskCount(range('webhook-receiver')).scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: 60,
    });

    const moderationScaling = moderation.autoScaleTaskCount(range('moderation-consumer'));
    moderationScaling.scaleOnMetric('Backlog', {
      metric: moderationQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      scalingSteps: [
        { upper: 0, change: -1 },
        { lower: 100, change: +1 },
        { lower: 1_000, change: +2 },
      ],
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
    });

    if (settings.enrichment.runtime !== 'ecs') {
      // The Lambda variant consumes the queue; the service only serves the admin API.
      worker.autoScaleTaskCount({ minCapacity: 1, maxCapacity: 2 }).scaleOnCpuUtilization('Cpu', {
        targetUtilizationPercent: 60,
      });
      return;
    }
    const workerScaling = worker.autoScaleTaskCount(range('enrichment-worker'));
    const target = workerScaling.node.findChild('Target') as appscaling.ScalableTarget;
    new appscaling.CfnScalingPolicy(this, 'WorkerBacklogPerTask', {
      policyName: `manga-assist-${settings.stage}-worker-backlog-per-task`,
      policyType: 'TargetTrackingScaling',
      scalingTargetId: target.scalableTargetId,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: settings.enrichment.backlogPerTask,
        scaleInCooldown: 300,
        scaleOutCooldown: 60,
        customizedMetricSpecification: {
          metrics: [
            {
              id: 'visible',
              returnData: false,
              metricStat: {
                metric: {
                  namespace: 'AWS/SQS',
                  metricName: 'ApproximateNumberOfMessagesVisible',
                  dimensions: [{ name: 'QueueName', value: enrichmentQueue.queueName }],
                },
                stat: 'Sum',
              },
            },
            {
              id: 'tasks',
              returnData: false,
              metricStat: {
                metric: {
                  namespace: 'ECS/ContainerInsights',
                  metricName: 'RunningTaskCount',
                  dimensions: [
                    { name: 'ClusterName', value: cluster.clusterName },
                    { name: 'ServiceName', value: worker.serviceName },
                  ],
                },
                stat: 'Average',
              },
            },
            {
              id: 'backlogPerTask',
              expression: 'IF(tasks > 0, visible / tasks, visible)',
              label: 'Messages per task',
              returnData: true,
            },
          ],
        },
      },
    });
    workerScaling.scaleOnMetric('OldestMessageAge', {
      metric: enrichmentQueue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      scalingSteps: [
        { upper: 60, change: 0 },
        { lower: 300, change: +1 },
        { lower: settings.alarms.oldestMessageAgeSeconds / 2, change: +3 },
      ],
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.minutes(2),
    });
  }
}
