import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MangaAssistStack } from './stack';
import { stageSettings, type StageName } from './settings';

export interface BuildAppOptions {
  outdir?: string;
  stages: readonly StageName[];
  /** Deploy-time overrides (CDK context). */
  context?: Record<string, unknown>;
  lambdaBundleDir?: string;
}

export const stackName = (stage: StageName) => `MangaAssist-${stage}`;

/**
 * The CDK app: one stack per stage in the stage's region, account-agnostic unless the CDK CLI sets
 * CDK_DEFAULT_ACCOUNT (no lookups, so it synthesizes without credentials), checked by cdk-nag's
 * AwsSolutions pack.
 */
export function buildApp({ outdir, stages, context = {}, lambdaBundleDir }: BuildAppOptions) {
  const app = new App({ outdir, context });
  const stacks = stages.map((stage) => {
    const settings = stageSettings(stage, { ...context, ...app.node.tryGetContext(stage) });
    return new MangaAssistStack(app, stackName(stage), {
      settings,
      lambdaBundleDir,
      description: `MangaAssist platform (${stage})`,
      env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: settings.region },
      tags: { project: 'manga-assist', stage },
    });
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stacks };
}
