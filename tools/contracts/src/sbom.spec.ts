import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleSbom, packagePathOf, type PackageLock } from './sbom';

const lock = JSON.parse(readFileSync(join(__dirname, '../../../package-lock.json'), 'utf8')) as PackageLock;

describe('bundle SBOM (esbuild metafile inputs -> packages -> package-lock versions)', () => {
  it('maps bundled files to their (nested, scoped) package', () => {
    expect(packagePathOf('node_modules/zod/v4/core/core.js')).toBe('node_modules/zod');
    expect(packagePathOf('node_modules/@aws-sdk/client-sqs/dist-cjs/index.js')).toBe(
      'node_modules/@aws-sdk/client-sqs',
    );
    expect(packagePathOf('node_modules/a/node_modules/@s/b/x.js')).toBe('node_modules/a/node_modules/@s/b');
    expect(packagePathOf('libs/event-schemas/src/index.ts')).toBeUndefined();
  });

  it('lists each bundled package once with the locked version, purl and hash, and no workspace source', () => {
    const sbom = bundleSbom(
      'chat-gateway',
      'abc123',
      {
        inputs: {
          'node_modules/zod/v4/core/core.js': {},
          'node_modules/zod/v4/classic/schemas.js': {},
          'node_modules/pino/pino.js': {},
          'apps/chat-gateway/src/main.ts': {},
        },
      },
      lock,
    );
    expect(sbom).toMatchObject({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      metadata: { component: { name: 'manga-assist/chat-gateway', version: 'abc123' } },
    });
    expect(sbom.components.map((c) => c.name)).toEqual(['pino', 'zod']);
    const zod = sbom.components.find((c) => c.name === 'zod');
    expect(zod).toMatchObject({
      version: lock.packages['node_modules/zod'].version,
      purl: `pkg:npm/zod@${lock.packages['node_modules/zod'].version}`,
    });
    expect(zod?.hashes?.[0].alg).toBe('SHA-512');
  });

  it('refuses a bundled package the lock does not pin', () => {
    expect(() =>
      bundleSbom('x', '1', { inputs: { 'node_modules/not-in-the-lock/index.js': {} } }, lock),
    ).toThrow(/not-in-the-lock is in the bundle but not in package-lock.json/);
  });
});
