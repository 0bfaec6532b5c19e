// The flags apps/Dockerfile starts node with, for the benches that start an app's bundle: they
// measure it as it is deployed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

/**
 * The flags the image starts node with (apps/Dockerfile's CMD, between `node` and `main.js`), so
 * that a bench measures the app as it is deployed. BENCH_IMAGE_NODE_ARGS=0 leaves them out.
 */
export function imageNodeArgs(dockerfile = join(root, 'apps', 'Dockerfile')): string[] {
  if (process.env.BENCH_IMAGE_NODE_ARGS === '0') return [];
  const cmd = readFileSync(dockerfile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('CMD ['))
    .pop();
  const argv = cmd ? (JSON.parse(cmd.slice('CMD '.length)) as string[]) : [];
  if (argv[0] !== 'node' || argv[argv.length - 1] !== 'main.js')
    throw new Error(`${dockerfile}: expected an exec-form CMD ["node", ...flags, "main.js"], found ${cmd}`);
  return argv.slice(1, -1);
}
