// Lists the names each lib's public API (src/index.ts) exports that no other project imports.
// Usage: node tools/scripts/unused-exports.mjs [--count]. Reads files as text (imports of the form
// `import { a, type B } from '@manga-assist/<lib>'`, also `export { .. } from`); exit code 0 always.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['apps', 'libs', 'tools', 'infra'];
const files = [];
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (/\.(ts|mts|cts|tsx)$/.test(e.name)) files.push(p);
  }
};
for (const r of roots) if (existsSync(r)) walk(r);

const namesIn = (list) =>
  list
    .split(',')
    .map((s) =>
      s
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)[0]
        .trim(),
    )
    .filter(Boolean);

const used = new Map(); // lib -> Set of names used from outside the lib
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  for (const m of text.matchAll(
    /(?:import|export)\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'@manga-assist\/([a-z-]+)'/g,
  )) {
    const lib = m[2];
    if (f.startsWith(`libs/${lib}/`)) continue;
    if (!used.has(lib)) used.set(lib, new Set());
    for (const n of namesIn(m[1])) used.get(lib).add(n);
  }
}

let total = 0;
for (const lib of readdirSync('libs').sort()) {
  const index = join('libs', lib, 'src', 'index.ts');
  if (!existsSync(index)) continue;
  const exported = [...readFileSync(index, 'utf8').matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)].flatMap(
    (m) => namesIn(m[1]),
  );
  const unused = exported.filter((n) => !used.get(lib)?.has(n));
  total += unused.length;
  if (!process.argv.includes('--count') && unused.length)
    console.log(`${lib} (${unused.length} of ${exported.length}): ${unused.join(', ')}`);
}
console.log(`${total} exported names used nowhere outside their lib`);
