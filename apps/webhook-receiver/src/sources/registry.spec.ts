import { z } from 'zod';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { webhookReceiverEnv } from '../config';
import { webhookReceiverOpenApi } from '../openapi';
import { deliveryIdOf } from '../pipeline';
import { SOURCES, schemeKey, secretsKey } from './index';
import type { SampleOption, SourceDeps } from './types';

const here = __dirname;
const FOLDER_FILES = [
  'index.ts',
  'payload.ts',
  'processor.spec.ts',
  'processor.ts',
  'sample.ts',
  'verification.ts',
];
const folders = readdirSync(here, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

/** A source's sample with every option at its default, as `npm run webhook -- <name>` sends it. */
const defaultSample = (source: (typeof SOURCES)[number]) =>
  source.sample.build(
    Object.fromEntries(
      Object.entries(source.sample.options as Record<string, SampleOption>).map(([k, o]) => [k, o.default]),
    ),
  );

const idleDeps: SourceDeps = {
  publisher: { publish: async () => ({ eventIds: [] }) },
  classifySentiment: async () => 'unknown',
};

describe('the source registry (sources/index.ts) is the one list of webhook sources', () => {
  it('registers every folder under sources/, by its folder name, once', () => {
    expect(SOURCES.map((s) => s.name).sort()).toEqual(folders);
  });

  it.each(folders)('%s/ holds the same small set of files as every source', (folder) => {
    expect(readdirSync(join(here, folder)).sort()).toEqual(FOLDER_FILES);
  });

  it('gives each source its secrets and scheme variables and its own settings in the one config schema', () => {
    const keys = Object.keys(webhookReceiverEnv.shape);
    for (const source of SOURCES) {
      expect(keys).toEqual(
        expect.arrayContaining([
          secretsKey(source.name),
          schemeKey(source.name),
          ...Object.keys(source.settings),
        ]),
      );
    }
  });

  it('documents one POST /webhooks/<name> per source with its signature headers', () => {
    const paths = (
      webhookReceiverOpenApi() as { paths: Record<string, { post?: { parameters?: { name: string }[] } }> }
    ).paths;
    const documented = Object.keys(paths).filter((p) => p.startsWith('/webhooks/'));
    expect(documented.sort()).toEqual(SOURCES.map((s) => `/webhooks/${s.name}`).sort());
    for (const source of SOURCES) {
      const headers = (paths[`/webhooks/${source.name}`].post?.parameters ?? []).map((p) => p.name);
      expect(headers).toEqual(expect.arrayContaining([...source.verification.scheme.requiredHeaders]));
    }
  });

  it.each(SOURCES.map((s) => [s.name, s] as const))(
    "%s: its sample is signed by its scheme, carries a delivery id and passes its processor's validation",
    (_name, source) => {
      const body = JSON.stringify(defaultSample(source));
      const nowSeconds = 1_763_000_000;
      const headers = source.verification.scheme.sign({
        secret: 's3cret',
        timestampSeconds: nowSeconds,
        rawBody: body,
      });
      expect(
        source.verification.scheme.verify({
          headers,
          rawBody: Buffer.from(body),
          secrets: ['s3cret'],
          nowSeconds,
          toleranceSeconds: 300,
        }),
      ).toEqual({ ok: true, timestamp: nowSeconds });
      expect(deliveryIdOf(source.verification.idField, JSON.parse(body), headers)).toEqual(
        expect.any(String),
      );
      const settings = z.object(source.settings).parse({}) as never;
      expect(() => source.processor(idleDeps, settings).validate(JSON.parse(body))).not.toThrow();
      expect(source.payload.safeParse(JSON.parse(body)).success).toBe(true);
    },
  );

  it('names no source outside its folder in the receiver and the webhook tool (code, not tests or comments)', () => {
    const root = join(here, '../../../..');
    const code = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const path = join(dir, e.name);
        if (e.isDirectory()) return path === here || e.name === 'test-support' ? [] : code(path);
        return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
      });
    const files = [
      ...code(join(root, 'apps/webhook-receiver/src')),
      ...code(join(root, 'tools/webhook-cli/src')),
      join(here, 'index.ts'),
      join(here, 'types.ts'),
    ];
    const names = SOURCES.flatMap((s) => [s.name, ...s.sample.aliases]);
    const literal = new RegExp(`(['"\`])(${names.join('|')})\\1|_(${names.join('|')})\\b`, 'i');
    const naming = files.filter((file) => {
      const text = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      return literal.test(text);
    });
    expect(naming.map((f) => relative(root, f))).toEqual([]);
  });
});
