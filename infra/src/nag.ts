import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { profileFoundationModel } from './bedrock';
import type { MangaAssistStack } from './stack';
import { APP_NAMES, type StageSettings } from './settings';

const ack = (scope: IConstruct, id: string, reason: string) =>
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${id}`, reason });

/**
 * The cdk-nag AwsSolutions findings this design accepts, each on the narrowest construct and with
 * its reason. Anything not listed here fails `synth`.
 */
export function acknowledgeNagFindings(stack: MangaAssistStack, settings: StageSettings): void {
  for (const dlq of [stack.routing.eventsDlq]) {
    ack(
      dlq,
      'SQS3',
      'This queue IS a dead-letter queue: the DeadLetterConfig of an EventBridge rule target, which cdk-nag does not see as a DLQ reference',
    );
  }
  // An inference profile routes each call to the model in one of its geography's regions.
  const profileModelFindings = Object.values(settings.models)
    .map(profileFoundationModel)
    .filter((model): model is string => model !== undefined)
    .map((model) => `IAM5[Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/${model}]`);
  const profileReason =
    "Cross-region inference profile: the call may run on the profile's model in any region of its geography; the profile ARN itself is exact";
  for (const app of APP_NAMES) {
    const task = stack.services.taskDefinitions[app];
    for (const id of profileModelFindings) ack(task, id, profileReason);
    ack(
      task,
      'ECS2',
      'Plain environment variables carry non-secret configuration only (resource names, ports, model ids); every secret comes from Secrets Manager',
    );
    ack(
      task,
      'IAM5[Resource::*]',
      'Only actions without resource-level permissions: X-Ray trace upload/sampling (ADOT sidecar) and ecr:GetAuthorizationToken (image pull)',
    );
    ack(
      task,
      `IAM5[Resource::arn:<AWS::Partition>:ecr:${settings.region}:<AWS::AccountId>:repository/ma-${settings.stage}-ecr-public/*]`,
      "The ECR pull-through cache creates the collector repository on first pull; scoped to this stage's cache prefix",
    );
  }
  const redis = stack.node.findChild('Redis');
  ack(
    redis,
    'AEC6',
    'Redis holds only a response cache and rate-limit counters; access is limited by security group to the gateway tasks and encrypted with TLS. AUTH/RBAC would add a rotated secret to REDIS_URL (future work)',
  );
  if (settings.redis.replicas === 0) {
    ack(
      redis,
      'AEC4',
      'dev runs one cache node: the gateway degrades gracefully without Redis (slower, not broken); prod runs a replica with Multi-AZ failover',
    );
  }
  const edge = stack.node.findChild('Edge');
  ack(
    edge.node.findChild('AccessLogs'),
    'S1',
    'This bucket is the ALB access-log destination itself; logging it to another bucket would recurse',
  );
  ack(
    edge.node.findChild('SecurityGroup'),
    'EC23',
    'The internet-facing ALB must accept HTTPS (and HTTP, redirected) from anywhere; WAF filters in front of it',
  );
  if (stack.enrichmentLambda) {
    const role = stack.enrichmentLambda.fn;
    ack(
      role,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "The AWS-managed basic execution policy only writes the function's logs",
    );
    ack(
      role,
      'IAM5[Resource::*]',
      'X-Ray active tracing (PutTraceSegments/PutTelemetryRecords) has no resource-level permissions',
    );
    for (const id of profileModelFindings) ack(role, id, profileReason);
  }
}
