import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ResourceNames } from '@manga-assist/aws-clients';
import { eventBridgeRuleRequests, routingRules } from '@manga-assist/event-schemas';
import { pascal } from './names';

export interface EventRoutingProps {
  names: ResourceNames;
  queuesByName: ReadonlyMap<string, sqs.IQueue>;
  archiveDays: number;
  protect: boolean;
}

/**
 * The bus, an archive of everything on it, the events DLQ and one rule per routingRules() entry,
 * each built from eventBridgeRuleRequests() — the PutRule/PutTargets that provision-cli sends — so
 * pattern, target, retry policy and DLQ are the same data on AWS, in the local router and here.
 */
export class EventRouting extends Construct {
  readonly bus: events.EventBus;
  /** Events a rule could not deliver after its retry policy (a standard queue: EventBridge refuses FIFO DLQs). */
  readonly eventsDlq: sqs.Queue;
  readonly rules: events.CfnRule[] = [];

  constructor(
    scope: Construct,
    id: string,
    { names, queuesByName, archiveDays, protect }: EventRoutingProps,
  ) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: names.eventBusName });
    this.bus.archive('Archive', {
      description: `Every event on ${names.eventBusName}, for replay`,
      eventPattern: { account: [Stack.of(this).account] },
      retention: Duration.days(archiveDays),
    });
    this.eventsDlq = new sqs.Queue(this, 'EventsDlq', {
      queueName: names.queues.eventsDlq,
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const queueArn = (name: string) => {
      const queue = queuesByName.get(name);
      if (!queue) throw new Error(`routing rule target: no queue named ${name}`);
      return queue.queueArn;
    };
    for (const rule of routingRules(names)) {
      const { putRule, putTargets } = eventBridgeRuleRequests(rule, {
        queueArn,
        deadLetterQueueArn: this.eventsDlq.queueArn,
      });
      const targets = (putTargets.Targets ?? []).map((t) => ({
        id: t.Id as string,
        arn: t.Arn as string,
        ...(t.SqsParameters?.MessageGroupId
          ? { sqsParameters: { messageGroupId: t.SqsParameters.MessageGroupId } }
          : {}),
        ...(t.RetryPolicy
          ? {
              retryPolicy: {
                maximumRetryAttempts: t.RetryPolicy.MaximumRetryAttempts,
                maximumEventAgeInSeconds: t.RetryPolicy.MaximumEventAgeInSeconds,
              },
            }
          : {}),
        ...(t.DeadLetterConfig?.Arn ? { deadLetterConfig: { arn: t.DeadLetterConfig.Arn } } : {}),
      }));
      const cfnRule = new events.CfnRule(this, pascal(rule.name), {
        name: putRule.Name,
        description: putRule.Description?.slice(0, 512),
        eventBusName: this.bus.eventBusName,
        eventPattern: JSON.parse(putRule.EventPattern as string),
        state: putRule.State,
        targets,
      });
      // Queue policies: EventBridge may send to each target and to the DLQ, only for this rule.
      const target = queuesByName.get(rule.target.queueName) as sqs.IQueue;
      for (const queue of [target, this.eventsDlq]) {
        queue.addToResourcePolicy(
          new iam.PolicyStatement({
            sid: `EventBridge${pascal(rule.name)}`.slice(0, 100),
            principals: [new iam.ServicePrincipal('events.amazonaws.com')],
            actions: ['sqs:SendMessage'],
            resources: [queue.queueArn],
            conditions: { ArnEquals: { 'aws:SourceArn': cfnRule.attrArn } },
          }),
        );
      }
      this.rules.push(cfnRule);
    }
  }
}
