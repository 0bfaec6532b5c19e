// Runs cfn-lint (pip install cfn-lint) on every synthesized template under the given directory.
// cfn-lint's exit code is a bit mask: 2 = errors, 4 = warnings, 8 = informational. Only errors fail.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2] ?? 'dist/infra';
const templates = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.template.json')) templates.push(path);
  }
};
walk(root);
if (templates.length === 0) {
  console.error(`cfn-lint: no *.template.json under ${root} (run npx nx run infra:synth first)`);
  process.exit(1);
}
const result = spawnSync('cfn-lint', templates, { stdio: 'inherit' });
if (result.error) {
  console.error(`cfn-lint could not run (${result.error.message}); install it with: pip install cfn-lint`);
  process.exit(1);
}
const errors = (result.status ?? 1) & 2;
console.log(
  `cfn-lint: ${templates.length} templates, ${errors ? 'ERRORS' : 'no errors'} (exit code ${result.status})`,
);
process.exit(errors ? 1 : 0);
