// `npm start`: the whole MangaAssist system on one machine, no AWS account. Starts the local
// stack (DynamoDB, SQS, Redis, Bedrock emulator, EventBridge router) on fixed ports, then the four
// services, prints their URLs, and stops everything cleanly on Ctrl-C.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startLocalStack, type LocalStack } from './stack';
import { DEFAULT_REDIS_URL, probeRedis } from './redis';
import { LOCAL_OUTBOUND_SECRET, LOCAL_SINK_PORT, localServices } from './services';
import { startWebhookSink } from './webhook-sink';
import { startChild, stopChild, waitForReady, type Supervised } from './supervisor';

const root = resolve(__dirname, '../../..');
const log = (msg: string) => process.stdout.write(`[local-stack] ${msg}\n`);

async function ensureRedis(): Promise<Supervised | undefined> {
  if (await probeRedis(DEFAULT_REDIS_URL)) return undefined;
  const binary = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
  if (!binary) {
    log(
      'Redis is not running and redis-server is not installed: services run without cache and rate limits in Redis (degraded).',
    );
    return undefined;
  }
  log(`starting ${binary} on 127.0.0.1:6379`);
  const redis = startChild(
    'redis',
    binary,
    ['--port', '6379', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    process.env,
  );
  for (let i = 0; i < 50 && !(await probeRedis(DEFAULT_REDIS_URL)); i++)
    await new Promise((r) => setTimeout(r, 100));
  return redis;
}

async function main() {
  const redis = await ensureRedis();
  const stack: LocalStack = await startLocalStack({
    ports: { dynamodb: 8000, sqs: 9324, bedrock: 4010, eventbridge: 4020 },
    bedrock: { profile: 'demo' },
    eventbridge: true,
    archivePath: join(root, 'tmp', 'local-stack', 'events.jsonl'),
  });
  log(
    `DynamoDB ${stack.endpoints.dynamodb}  SQS ${stack.endpoints.sqs}  Redis ${stack.redisUrl ?? '(none: degraded)'}`,
  );
  log(
    `Bedrock emulator (development stand-in, not a model) ${stack.env.BEDROCK_ENDPOINT}  EventBridge router ${stack.env.EVENTBRIDGE_ENDPOINT}`,
  );

  const sink = await startWebhookSink({
    secret: LOCAL_OUTBOUND_SECRET,
    port: LOCAL_SINK_PORT,
    onDelivery: (d) =>
      log(
        `outbound webhook ${d.path} (signature ${d.signatureValid ? 'valid' : 'INVALID'}): ${JSON.stringify(d.body).slice(0, 300)}`,
      ),
  });
  log(`Outbound webhook sink (alerts, CRM) ${sink.url}  (GET lists deliveries)`);

  const children: Supervised[] = [];
  for (const service of localServices(root)) {
    const env = {
      ...process.env,
      ...stack.env,
      REDIS_KEY_PREFIX: 'local:',
      ...service.env,
      PORT: String(service.port),
    };
    // tsx as a loader inside the service's own process (its CLI would fork a second one that a
    // SIGKILL of the first leaves running).
    children.push(startChild(service.name, process.execPath, ['--import', 'tsx', service.entry], env));
  }

  let stopping = false;
  const stopAll = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    log(`${reason}: stopping services...`);
    await Promise.all(children.map((c) => stopChild(c)));
    await stack.stop();
    await sink.stop();
    if (redis) await stopChild(redis);
    log('stopped');
    process.exit(0);
  };
  // `on`, not `once`: a Ctrl-C reaches every process of the group, and wrappers (npm, tsx) forward
  // it again; a second signal must not kill the supervisor halfway through stopping.
  process.on('SIGINT', () => void stopAll('SIGINT'));
  process.on('SIGTERM', () => void stopAll('SIGTERM'));
  for (const c of children) {
    void c.exited.then((code) => {
      if (!stopping) {
        log(`${c.name} exited unexpectedly (code ${code})`);
        void stopAll('service failure').then(() => process.exit(1));
      }
    });
  }

  const services = localServices(root);
  const ready = await Promise.all(services.map((s) => waitForReady(`http://127.0.0.1:${s.port}/readyz`)));
  log('');
  for (const [i, s] of services.entries()) {
    log(
      `${ready[i] ? 'ready ' : 'NOT READY'}  ${s.name.padEnd(20)} http://127.0.0.1:${s.port}  (/healthz /readyz /metrics)`,
    );
  }
  log('Chat page: http://127.0.0.1:3000/   CLI: npm run chat   Ctrl-C stops everything.');
  if (ready.some((r) => !r)) await stopAll('a service did not become ready');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[local-stack] failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
