import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Cross-region inference profiles are model ids with a geography prefix (`us.anthropic...`). */
const PROFILE_PREFIX = /^(us|eu|apac|us-gov|global|jp|au|ca)\.(.+)$/;

/** The foundation model behind an inference profile id, or undefined for a plain model id. */
export function profileFoundationModel(modelId: string): string | undefined {
  return PROFILE_PREFIX.exec(modelId)?.[2];
}

export const BEDROCK_INVOKE_ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];

/**
 * The ARNs a caller of `modelIds` needs: a foundation model in this region; for an inference
 * profile, the profile itself and the foundation model in the regions the profile routes to.
 */
export function bedrockResourceArns(stack: Stack, modelIds: readonly string[]): string[] {
  const arns = new Set<string>();
  for (const id of new Set(modelIds)) {
    const model = profileFoundationModel(id);
    if (model) {
      arns.add(`arn:${stack.partition}:bedrock:${stack.region}:${stack.account}:inference-profile/${id}`);
      arns.add(`arn:${stack.partition}:bedrock:*::foundation-model/${model}`);
    } else {
      arns.add(`arn:${stack.partition}:bedrock:${stack.region}::foundation-model/${id}`);
    }
  }
  return [...arns];
}

/** The one statement that lets a service call its configured models, and nothing else. */
export function bedrockInvokeStatement(stack: Stack, modelIds: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'InvokeConfiguredModels',
    actions: BEDROCK_INVOKE_ACTIONS,
    resources: bedrockResourceArns(stack, modelIds),
  });
}
