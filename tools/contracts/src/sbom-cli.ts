import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleSbom, type EsbuildMetafile, type PackageLock } from './sbom';

/** `tsx tools/contracts/src/sbom-cli.ts <app>`: dist/apps/<app>/sbom.cdx.json from the build's meta.json. */
const app = process.argv[2];
if (!app || !/^[a-z-]+$/.test(app)) {
  console.error('usage: sbom-cli.ts <app>');
  process.exit(2);
}
const root = join(__dirname, '..', '..', '..');
const dist = join(root, 'dist', 'apps', app);
const metafile = JSON.parse(readFileSync(join(dist, 'meta.json'), 'utf8')) as EsbuildMetafile;
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as PackageLock;
const revision = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
  cwd: root,
  encoding: 'utf8',
}).trim();
const sbom = bundleSbom(app, revision, metafile, lock);
writeFileSync(join(dist, 'sbom.cdx.json'), `${JSON.stringify(sbom, null, 2)}\n`);
console.log(`${app}: dist/apps/${app}/sbom.cdx.json lists ${sbom.components.length} bundled packages`);
