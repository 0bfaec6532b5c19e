import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { awsEnv, resourceNamesEnv } from '@manga-assist/aws-clients';
// The apps' own configuration schemas: what each service reads is what they declare, not a copy.
import { chatGatewayEnv } from '../../../apps/chat-gateway/src/config';
import { webhookReceiverEnv } from '../../../apps/webhook-receiver/src/config';
import { enrichmentWorkerEnv } from '../../../apps/enrichment-worker/src/config';
import { moderationConsumerEnv } from '../../../apps/moderation-consumer/src/config';

// docker-compose.yml is not run here (it needs a bridge network); this checks what it says against
// the code: names, Dockerfiles, and that every variable it sets is one the service reads.
const root = resolve(__dirname, '../../..');
interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: string[] | Record<string, unknown>;
}
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const appSchemas = {
  'chat-gateway': chatGatewayEnv,
  'webhook-receiver': webhookReceiverEnv,
  'enrichment-worker': enrichmentWorkerEnv,
  'moderation-consumer': moderationConsumerEnv,
};
const apps = Object.keys(appSchemas) as (keyof typeof appSchemas)[];
/** Read by the AWS SDK's default credential chain, not by our schemas. */
const SDK_CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

/** Names a tool's entry module reads: its own source and the local modules it imports. */
function toolReads(entry: string): (name: string) => boolean {
  const file = join(root, entry);
  const sources = [readFileSync(file, 'utf8')];
  for (const [, rel] of sources[0].matchAll(/from '(\.\/[^']+)'/g)) {
    const imported = join(dirname(file), `${rel}.ts`);
    if (existsSync(imported)) sources.push(readFileSync(imported, 'utf8'));
  }
  const text = sources.join('\n');
  const spread = [
    ...(text.includes('...awsEnv') ? Object.keys(awsEnv) : []),
    ...(text.includes('...resourceNamesEnv') ? Object.keys(resourceNamesEnv) : []),
  ];
  return (name) => spread.includes(name) || new RegExp(`\\b${name}\\b`).test(text);
}

describe('docker-compose.yml', () => {
  it('runs the whole stack: emulators, tools and the four apps', () => {
    for (const name of [
      ...apps,
      'dynamodb',
      'redis',
      'sqs',
      'bedrock-emulator',
      'eventbridge-router',
      'provision',
    ]) {
      expect(Object.keys(services)).toContain(name);
    }
  });

  it('names only services it defines (depends_on and the hosts of every URL it sets)', () => {
    for (const [name, service] of Object.entries(services)) {
      const deps = Array.isArray(service.depends_on)
        ? service.depends_on
        : Object.keys(service.depends_on ?? {});
      const hosts = Object.values(service.environment ?? {}).flatMap((value) =>
        [...String(value).matchAll(/^[a-z]+:\/\/([^:/]+)/g)].map((m) => m[1]),
      );
      for (const other of [...deps, ...hosts])
        expect({ name, names: other, exists: other in services }).toEqual({
          name,
          names: other,
          exists: true,
        });
    }
  });

  it('builds every image from a Dockerfile that exists', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.build) continue;
      const dockerfile = resolve(root, service.build.context, service.build.dockerfile);
      expect({ name, exists: existsSync(dockerfile) }).toEqual({ name, exists: true });
    }
  });

  it.each(apps)(
    '%s runs the image `nx container` builds: apps/Dockerfile on the bundle, named manga-assist/<app>',
    (app) => {
      const service = services[app];
      const build = service.build ?? { context: '', dockerfile: '' };
      expect(service.image).toMatch(new RegExp(`^manga-assist/${app}:`));
      expect(resolve(root, build.context)).toBe(join(root, 'dist', 'apps', app));
      expect(resolve(root, build.context, build.dockerfile)).toBe(join(root, 'apps', 'Dockerfile'));
      expect(build.args).toMatchObject({ APP: app });
    },
  );

  it.each(apps)('%s: every variable set is one its configuration schema reads', (app) => {
    const read = new Set([...Object.keys(appSchemas[app].shape), ...SDK_CREDENTIAL_VARIABLES]);
    const unread = Object.keys(services[app].environment ?? {}).filter((name) => !read.has(name));
    expect(unread).toEqual([]);
  });

  it('tools: every variable set is one the tool reads', () => {
    for (const [name, service] of Object.entries(services)) {
      const entry = service.command?.find((part) => part.startsWith('tools/') && part.endsWith('.ts'));
      if (!entry) continue;
      const reads = toolReads(entry);
      const unread = Object.keys(service.environment ?? {}).filter(
        (variable) => !SDK_CREDENTIAL_VARIABLES.includes(variable) && !reads(variable),
      );
      expect({ name, unread }).toEqual({ name, unread: [] });
    }
  });

  it('publishes each host port once', () => {
    const hostPorts = Object.values(services).flatMap((s) => (s.ports ?? []).map((p) => p.split(':')[0]));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it('points every app at the local endpoints, never at AWS', () => {
    for (const app of apps) {
      expect(services[app].environment ?? {}).toMatchObject({
        DYNAMODB_ENDPOINT: 'http://dynamodb:8000',
        SQS_ENDPOINT: 'http://sqs:9324',
        EVENTBRIDGE_ENDPOINT: 'http://eventbridge-router:4020',
        BEDROCK_ENDPOINT: 'http://bedrock-emulator:4010',
      });
    }
  });
});

describe('apps/Dockerfile (one image shape for every app)', () => {
  const dockerfile = readFileSync(join(root, 'apps', 'Dockerfile'), 'utf8');

  it('is the base image (a build argument, default node:24-bookworm-slim) plus the bundle and its SBOM alone', () => {
    expect(dockerfile).toMatch(/^ARG BASE_IMAGE=node:24-bookworm-slim$/m);
    expect(dockerfile.match(/^FROM .*/gm)).toEqual(['FROM ${BASE_IMAGE}']);
    expect(dockerfile.match(/^(COPY|ADD) .*/gm)).toEqual([
      'COPY main.js ./main.js',
      'COPY sbom.cdx.json ./sbom.cdx.json',
    ]);
    expect(dockerfile).not.toMatch(/^RUN /m);
  });

  it('runs as the non-root node user, exec-form CMD without V8 background threads (one vCPU per task), with a HEALTHCHECK and the OCI labels', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "--single-threaded", "main\.js"\]$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    for (const label of ['source', 'revision', 'title'])
      expect(dockerfile).toContain(`org.opencontainers.image.${label}=`);
  });

  it('tools/Dockerfile takes the same base argument', () => {
    expect(readFileSync(join(root, 'tools', 'Dockerfile'), 'utf8')).toMatch(
      /^ARG BASE_IMAGE=node:24-bookworm-slim\nFROM \$\{BASE_IMAGE\}$/m,
    );
  });

  it('keeps node_modules, build output and secrets out of the repository-wide build context', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', 'dist', '.git', '.env']) expect(ignored).toContain(entry);
  });
});
