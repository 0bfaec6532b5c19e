import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { contractFileText, contractPath } from '@manga-assist/contract-testing';
import { CHAT_CLIENT_TYPES_FILE, clientTypesOf } from './client-types';
import { OPENAPI_DOCUMENTS } from './documents';
import { ASYNCAPI_DOCUMENTS } from './asyncapi';

const ROOT = join(dirname(contractPath('x')), '..', '..');

/** Every generated file: the documents in docs/contracts/ and the chat client's types. */
async function generatedFiles(): Promise<{ path: string; text: string }[]> {
  const files = [...OPENAPI_DOCUMENTS, ...ASYNCAPI_DOCUMENTS].map(({ file, build }) => ({
    path: contractPath(file),
    text: contractFileText(build()),
  }));
  const chat = OPENAPI_DOCUMENTS.find((d) => d.service === 'chat-gateway');
  if (chat) files.push({ path: join(ROOT, CHAT_CLIENT_TYPES_FILE), text: await clientTypesOf(chat.build()) });
  return files;
}

/**
 * `npm run contracts` writes the contracts; `npm run contracts -- --check` (CI, via the contracts
 * project's test) exits 1 naming every committed copy that differs from what the code generates.
 */
async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const { path, text } of await generatedFiles()) {
    const shown = relative(ROOT, path);
    if (check) {
      if (!existsSync(path) || readFileSync(path, 'utf8') !== text) stale.push(shown);
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    console.log(`wrote ${shown}`);
  }
  if (stale.length) {
    console.error(
      `The committed API contracts are stale (the zod schemas or routes changed):\n${stale.map((s) => `  ${s}`).join('\n')}\n` +
        'Run `npm run contracts` and commit the result, so the API change shows in review.',
    );
    process.exit(1);
  }
  if (check) console.log('contracts are up to date');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
