import { parseArgs } from 'node:util';
import { buildApp } from './app';
import { isStageName, type StageName } from './settings';

/**
 * `tsx infra/src/main.ts --out dist/infra` synthesizes every stage (nx run infra:synth); run by
 * the CDK CLI (`cdk deploy --app 'tsx infra/src/main.ts' -c stage=prod`) it builds the stage
 * named by the `stage` context.
 */
function main() {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const cdkContext = JSON.parse(process.env.CDK_CONTEXT_JSON ?? '{}') as Record<string, unknown>;
  const requested = typeof cdkContext.stage === 'string' ? cdkContext.stage : undefined;
  if (requested !== undefined && !isStageName(requested)) {
    throw new Error(`unknown stage "${requested}" (dev or prod)`);
  }
  const stages: StageName[] = requested ? [requested] : ['dev', 'prod'];
  const { app } = buildApp({ outdir: values.out ?? process.env.CDK_OUTDIR, stages, context: cdkContext });
  const assembly = app.synth();
  for (const stack of assembly.stacks) {
    process.stderr.write(`synthesized ${stack.stackName} -> ${stack.templateFullPath}\n`);
  }
}

main();
