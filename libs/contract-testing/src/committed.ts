import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The committed copy's text: what `npm run contracts` writes and what CI compares. */
export const contractFileText = (document: object): string => `${JSON.stringify(document, null, 2)}\n`;

function workspaceRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no nx.json above ${from}`);
  }
}

/** `docs/contracts/<file>` of the workspace. */
export const contractPath = (file: string): string => join(workspaceRoot(), 'docs', 'contracts', file);

/**
 * Fails (with what to do) when the committed copy of a contract differs from the one the code
 * generates now: every API change must show up in the pull request's diff.
 */
export function checkCommittedContract(file: string, document: object): void {
  const path = contractPath(file);
  const shown = relative(workspaceRoot(), path);
  if (!existsSync(path))
    throw new Error(`${shown} is missing. Run \`npm run contracts\` and commit docs/contracts/.`);
  const committed = readFileSync(path, 'utf8');
  const current = contractFileText(document);
  if (committed === current) return;
  const a = committed.split('\n');
  const b = current.split('\n');
  const line = a.findIndex((l, i) => l !== b[i]);
  throw new Error(
    `${shown} is stale: the code's API contract changed (zod schemas or routes) but the committed document did not.\n` +
      `Run \`npm run contracts\` and commit docs/contracts/ so the change shows in review.\n` +
      `First difference at line ${line + 1}:\n  committed: ${a[line] ?? '(end of file)'}\n  generated: ${b[line] ?? '(end of file)'}`,
  );
}
