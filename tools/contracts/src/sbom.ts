import { createHash } from 'node:crypto';

export interface EsbuildMetafile {
  inputs: Record<string, unknown>;
}
export interface PackageLock {
  packages: Record<
    string,
    { version?: string; license?: string; dev?: boolean; resolved?: string; integrity?: string }
  >;
}

/** The lock entry (`node_modules/a/node_modules/@s/b`) of a bundled input path, nested installs included. */
export function packagePathOf(input: string): string | undefined {
  const parts = input.split('/');
  let end = -1;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== 'node_modules') continue;
    end = parts[i + 1]?.startsWith('@') ? i + 2 : i + 1;
    i = end;
  }
  if (end < 0) return undefined;
  const start = parts.indexOf('node_modules');
  return parts.slice(start, end + 1).join('/');
}

/**
 * A CycloneDX 1.5 SBOM of what a bundle really contains: the packages its esbuild metafile lists as
 * inputs, with the versions, licenses and integrity hashes package-lock.json pinned.
 */
export function bundleSbom(app: string, version: string, metafile: EsbuildMetafile, lock: PackageLock) {
  const paths = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const path = packagePathOf(input);
    if (path) paths.add(path);
  }
  const components = [...paths].sort().map((path) => {
    const entry = lock.packages[path];
    if (!entry?.version) throw new Error(`${path} is in the bundle but not in package-lock.json`);
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const purl = `pkg:npm/${name.startsWith('@') ? `%40${name.slice(1)}` : name}@${entry.version}`;
    const sha512 = entry.integrity?.startsWith('sha512-')
      ? Buffer.from(entry.integrity.slice(7), 'base64').toString('hex')
      : undefined;
    return {
      type: 'library',
      'bom-ref': purl,
      name,
      version: entry.version,
      purl,
      ...(entry.license ? { licenses: [{ license: { id: entry.license } }] } : {}),
      ...(sha512 ? { hashes: [{ alg: 'SHA-512', content: sha512 }] } : {}),
    };
  });
  const serial = createHash('sha256')
    .update(`${app}@${version}:${components.map((c) => c.purl).join(',')}`)
    .digest('hex');
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${serial.slice(0, 8)}-${serial.slice(8, 12)}-${serial.slice(12, 16)}-${serial.slice(16, 20)}-${serial.slice(20, 32)}`,
    version: 1,
    metadata: { component: { type: 'application', name: `manga-assist/${app}`, version } },
    components,
  };
}
