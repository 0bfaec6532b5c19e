import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

// Docker cannot run on the CI machines: this checks docker-compose.yml's structure instead.
const root = resolve(__dirname, '../../..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    {
      image?: string;
      build?: { context: string; dockerfile: string };
      ports?: string[];
      environment?: Record<string, string>;
      depends_on?: string[] | Record<string, unknown>;
    }
  >;
};
const apps = ['chat-gateway', 'webhook-receiver', 'enrichment-worker', 'moderation-consumer'];

describe('docker-compose.yml', () => {
  it('runs the whole stack: emulators, tools and the four apps', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'bedrock-emulator',
        'chat-gateway',
        'dynamodb',
        'enrichment-worker',
        'eventbridge-router',
        'moderation-consumer',
        'provision',
        'redis',
        'webhook-sink',
        'sqs',
        'webhook-receiver',
      ].sort(),
    );
    expect(compose.services.dynamodb.image).toMatch(/^amazon\/dynamodb-local/);
    expect(compose.services.redis.image).toMatch(/^redis/);
  });

  it('builds every image from a Dockerfile that exists', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (!service.build) continue;
      expect({
        name,
        exists: existsSync(join(root, service.build.context, service.build.dockerfile)),
      }).toEqual({ name, exists: true });
    }
  });

  it('publishes each host port once', () => {
    const hostPorts = Object.values(compose.services).flatMap((s) =>
      (s.ports ?? []).map((p) => p.split(':')[0]),
    );
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
  });

  it('only depends on services it defines', () => {
    for (const service of Object.values(compose.services)) {
      const deps = Array.isArray(service.depends_on)
        ? service.depends_on
        : Object.keys(service.depends_on ?? {});
      for (const dep of deps) expect(Object.keys(compose.services)).toContain(dep);
    }
  });

  it('points every app at the local endpoints, never at AWS', () => {
    for (const app of apps) {
      const env = compose.services[app].environment ?? {};
      expect(env).toMatchObject({
        DYNAMODB_ENDPOINT: 'http://dynamodb:8000',
        SQS_ENDPOINT: 'http://sqs:9324',
        EVENTBRIDGE_ENDPOINT: 'http://eventbridge-router:4020',
        BEDROCK_ENDPOINT: 'http://bedrock-emulator:4010',
      });
    }
  });

  it.each(apps)('%s has a multi-stage, non-root Dockerfile that ships only the bundle', (app) => {
    const dockerfile = readFileSync(join(root, 'apps', app, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER (?!root)\S+/m);
    expect(dockerfile).toContain(`dist/apps/${app}`);
  });

  it('keeps node_modules, build output and secrets out of every build context', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', 'dist', '.git', '.env']) expect(ignored).toContain(entry);
  });
});
