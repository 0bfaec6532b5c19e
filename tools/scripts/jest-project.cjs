// One project's Jest config, unit or integration. A spec is an integration test when it (or a
// test-support file it imports) starts real parts: the local stack, the emulators, the EventBridge
// router, dynalite, fauxqs, Redis, a child process or a built bundle. Everything else is a unit
// test. `test` runs the unit tests, `integration` the rest; both run in `npm test` and CI.
const { readFileSync, readdirSync, existsSync } = require('node:fs');
const { join, dirname, resolve, relative } = require('node:path');

const REAL_PARTS =
  /@manga-assist\/(local-stack|bedrock-emulator|eventbridge-router)|startLocalStack|from 'dynalite'|from 'fauxqs'|from 'ioredis'|node:child_process|from 'playwright-core'/;

function specFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : specFiles(path);
    return e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The file, or the relative files it imports (transitively), starts real parts. */
function usesRealParts(file, seen = new Set()) {
  if (seen.has(file) || !existsSync(file)) return false;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  if (REAL_PARTS.test(text)) return true;
  for (const m of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
    const base = resolve(dirname(file), m[1]);
    for (const candidate of [`${base}.ts`, join(base, 'index.ts')])
      if (usesRealParts(candidate, seen)) return true;
  }
  return false;
}

module.exports = function jestProject(rootDir, displayName, kind) {
  const specs = specFiles(join(rootDir, 'src'));
  const chosen = specs.filter((f) => usesRealParts(f) === (kind === 'integration'));
  return {
    displayName: kind === 'integration' ? `${displayName}:integration` : displayName,
    preset: '../../jest.preset.js',
    rootDir,
    // Exact paths; a pattern that matches nothing would make Jest fall back to its defaults.
    testMatch: chosen.length
      ? chosen.map((f) => `<rootDir>/${relative(rootDir, f)}`)
      : ['<rootDir>/__none__'],
  };
};
