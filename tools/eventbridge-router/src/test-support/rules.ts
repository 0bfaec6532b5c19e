import {
  CreateEventBusCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { eventBridgeRuleRequests, type RoutingRule } from '@manga-assist/event-schemas';

export const queueArn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

/**
 * Puts the routing rules on a router through the EventBridge API, with the requests the
 * provisioning path sends (eventBridgeRuleRequests). For this tool's tests; the local stack and
 * provision-cli use tools/local-stack's provision().
 */
export async function putRoutingRules(
  client: EventBridgeClient,
  rules: RoutingRule[],
  { deadLetterQueue, withDeadLetter = true }: { deadLetterQueue: string; withDeadLetter?: boolean },
): Promise<void> {
  for (const bus of new Set(rules.map((r) => r.eventBusName))) {
    await client.send(new CreateEventBusCommand({ Name: bus }));
  }
  for (const rule of rules) {
    const { putRule, putTargets } = eventBridgeRuleRequests(rule, {
      queueArn,
      deadLetterQueueArn: queueArn(deadLetterQueue),
    });
    await client.send(new PutRuleCommand(putRule));
    const targets = withDeadLetter
      ? putTargets.Targets
      : putTargets.Targets?.map(({ DeadLetterConfig: _dlq, ...t }) => t);
    await client.send(new PutTargetsCommand({ ...putTargets, Targets: targets }));
  }
}
