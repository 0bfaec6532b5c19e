import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ResourceNames } from '@manga-assist/aws-clients';
import { routingRules } from '@manga-assist/event-schemas';
import { pascal } from './names';

export interface EventRoutingProps {
  names: ResourceNames;
  queuesByName: ReadonlyMap<string, sqs.IQueue>;
  archiveDays: number;
}

/** How long and how often EventBridge retries a target before the event goes to the target's DLQ. */
export const TARGET_RETRY = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 24 * 3600 };

/**
 * The bus, an archive of everything on it, and one rule per routingRules() entry, whose
 * EventPattern is that entry's pattern unchanged (the local router matches the same data).
 */
export class EventRouting extends Construct {
  readonly bus: events.EventBus;
  /** Per rule name: the DLQ of its target (undeliverable events). */
  readonly targetDlqs = new Map<string, sqs.Queue>();
  readonly rules: events.CfnRule[] = [];

  constructor(scope: Construct, id: string, { names, queuesByName, archiveDays }: EventRoutingProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: names.eventBusName });
    this.bus.archive('Archive', {
      description: `Every event on ${names.eventBusName}, for replay`,
      eventPattern: { account: [Stack.of(this).account] },
      retention: Duration.days(archiveDays),
    });

    for (const rule of routingRules(names)) {
      const target = queuesByName.get(rule.target.queueName);
      if (!target) throw new Error(`rule ${rule.name}: no queue named ${rule.target.queueName}`);
      const id = pascal(rule.name);
      // EventBridge target DLQs must be standard queues; this one keeps events the target refused.
      const dlq = new sqs.Queue(this, `${id}TargetDlq`, {
        retentionPeriod: Duration.days(14),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
      });
      const cfnRule = new events.CfnRule(this, id, {
        name: rule.name,
        description: rule.description.slice(0, 512),
        eventBusName: this.bus.eventBusName,
        eventPattern: rule.pattern,
        state: 'ENABLED',
        targets: [
          {
            id: 'queue',
            arn: target.queueArn,
            ...(rule.target.messageGroupIdPath
              ? { sqsParameters: { messageGroupId: rule.target.messageGroupIdPath } }
              : {}),
            deadLetterConfig: { arn: dlq.queueArn },
            retryPolicy: TARGET_RETRY,
          },
        ],
      });
      for (const queue of [target, dlq]) {
        queue.addToResourcePolicy(
          new iam.PolicyStatement({
            sid: `EventBridge${id}`.slice(0, 100),
            principals: [new iam.ServicePrincipal('events.amazonaws.com')],
            actions: ['sqs:SendMessage'],
            resources: [queue.queueArn],
            conditions: { ArnEquals: { 'aws:SourceArn': cfnRule.attrArn } },
          }),
        );
      }
      this.targetDlqs.set(rule.name, dlq);
      this.rules.push(cfnRule);
    }
  }
}
