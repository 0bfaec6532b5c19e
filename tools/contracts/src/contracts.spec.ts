import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { checkCommittedContract, contractPath, validateOpenApi31 } from '@manga-assist/contract-testing';
import { detailSchemas } from '@manga-assist/event-schemas';
import { OPENAPI_DOCUMENTS } from './documents';

describe.each(OPENAPI_DOCUMENTS)('$service OpenAPI document', ({ file, build }) => {
  it('is a valid OpenAPI 3.1 document', async () => {
    await expect(validateOpenApi31(build())).resolves.toBeUndefined();
  });

  it('matches the committed copy in docs/contracts/ (npm run contracts)', () => {
    checkCommittedContract(file, build());
  });
});

describe('contract checks', () => {
  it('the AsyncAPI documents (chat WebSocket, event bus) parse with the official AsyncAPI parser', () => {
    // A child process, like the check below: the parser loads ES modules Jest's runtime cannot require.
    const root = join(dirname(contractPath('x')), '..', '..');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'tools/contracts/src/validate-asyncapi.ts'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.status !== 0) throw new Error(run.stderr || run.stdout || `exit ${run.status}`);
    const detailTypes = Object.keys(detailSchemas).length;
    expect(run.stdout).toContain(
      `event-bus: valid AsyncAPI 3.0.0 (${detailTypes} channels, ${detailTypes} messages)`,
    );
    expect(run.stdout).toMatch(/chat-websocket: valid AsyncAPI 3\.0\.0/);
  });

  it('name the stale file and the command that fixes it', () => {
    const { file, build } = OPENAPI_DOCUMENTS[0];
    const changed = build();
    (changed.info as { version: string }).version = '0.0.0-changed';
    expect(() => checkCommittedContract(file, changed)).toThrow(
      new RegExp(`docs/contracts/${file.replace('.', '\\.')} is stale[\\s\\S]*Run \`npm run contracts\``),
    );
  });

  it('refuse a document that is not OpenAPI 3.1', async () => {
    const broken = { ...OPENAPI_DOCUMENTS[0].build(), paths: { '/x': { get: { responses: { 200: {} } } } } };
    await expect(validateOpenApi31(broken)).rejects.toThrow(/invalid OpenAPI 3.1/);
  });

  it('npm run contracts -- --check finds every generated file current (documents and the chat client types)', () => {
    // A child process: openapi-typescript loads ES modules Jest's runtime cannot require.
    const root = join(dirname(contractPath('x')), '..', '..');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'tools/contracts/src/main.ts', '--check'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (run.status !== 0) throw new Error(run.stderr || run.stdout || `exit ${run.status}`);
    expect(run.stdout).toMatch(/contracts are up to date/);
  });
});
