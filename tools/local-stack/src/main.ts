// `npm start`: the whole MangaAssist system on one machine, no AWS account. Starts the local
// stack (DynamoDB, SQS, Redis, Bedrock emulator, EventBridge router) on fixed ports, then the four
// services, prints their URLs, and stops everything cleanly on Ctrl-C.
import { join, resolve } from 'node:path';
import { startLocalStack, type LocalStack } from './stack';
import { DEFAULT_REDIS_URL, ephemeralRedisArgs, findRedisServer, probeRedis } from './redis';
import { LOCAL_OUTBOUND_SECRET, localServices } from './services';
import { firstBusyPort, LOCAL_HOST, localPorts, portOffsetFromEnv } from './ports';
import { ttlSweepSecondsFromEnv } from './ttl-sweep';
import { startWebhookSink } from './webhook-sink';
import { startTraceCollector } from './traces/server';
import { startApiDocs } from './api-docs';
import {
  describeExit,
  startChild,
  stopChild,
  superviseChild,
  waitForReady,
  type ServiceSupervisor,
  type Supervised,
} from './supervisor';

const root = resolve(__dirname, '../../..');
const log = (msg: string) => process.stdout.write(`[local-stack] ${msg}\n`);

async function ensureRedis(): Promise<Supervised | undefined> {
  if (await probeRedis(DEFAULT_REDIS_URL)) return undefined;
  const binary = findRedisServer();
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
    ephemeralRedisArgs(Number(new URL(DEFAULT_REDIS_URL).port)),
    process.env,
  );
  for (let i = 0; i < 50 && !(await probeRedis(DEFAULT_REDIS_URL)); i++)
    await new Promise((r) => setTimeout(r, 100));
  return redis;
}

async function main() {
  let ports: ReturnType<typeof localPorts>;
  let ttlSweepSeconds: number;
  try {
    ports = localPorts(portOffsetFromEnv(process.env));
    ttlSweepSeconds = ttlSweepSecondsFromEnv(process.env);
  } catch (error) {
    process.stderr.write(`[local-stack] ${(error as Error).message}\n`);
    process.exit(1);
  }
  const busy = await firstBusyPort(ports);
  if (busy) {
    process.stderr.write(
      `[local-stack] port ${busy.port} (${busy.name}) on ${LOCAL_HOST} is already in use (${busy.code}): stop what holds it, or move every port with PORT_OFFSET=100 npm start\n`,
    );
    process.exit(1);
  }
  const redis = await ensureRedis();
  const stack: LocalStack = await startLocalStack({
    host: LOCAL_HOST,
    ports: {
      dynamodb: ports.dynamodb,
      sqs: ports.sqs,
      bedrock: ports.bedrock,
      eventbridge: ports.eventbridge,
    },
    bedrock: { profile: 'demo' },
    eventbridge: true,
    archivePath: join(root, 'tmp', 'local-stack', 'events.jsonl'),
    ttlSweep: {
      intervalMs: ttlSweepSeconds * 1000,
      onSweep: ({ table, deleted }) => {
        if (deleted > 0) log(`TTL sweep: ${deleted} expired item(s) deleted from ${table}`);
      },
      onError: (error) => log(`TTL sweep failed (retried next interval): ${error.message}`),
    },
  });
  const count = (status: string) => stack.provisioned.filter((c) => c.status === status).length;
  log(
    `provisioned through the AWS APIs (tables, queues, bus, rules, targets, policies): ${count('created')} created, ${count('unchanged')} unchanged, ${count('skipped')} skipped`,
  );
  for (const change of stack.provisioned.filter((c) => c.status === 'skipped')) {
    log(`${change.kind} ${change.name} skipped: ${change.note ?? ''}; swept every ${ttlSweepSeconds} s`);
  }
  log(
    `DynamoDB ${stack.endpoints.dynamodb}  SQS ${stack.endpoints.sqs}  Redis ${stack.redisUrl ?? '(none: degraded)'}`,
  );
  log(
    `Bedrock emulator (development stand-in, not a model) ${stack.env.BEDROCK_ENDPOINT}  EventBridge router ${stack.env.EVENTBRIDGE_ENDPOINT}`,
  );

  const sink = await startWebhookSink({
    secret: LOCAL_OUTBOUND_SECRET,
    host: LOCAL_HOST,
    port: ports['webhook-sink'],
    onDelivery: (d) =>
      log(
        `outbound webhook ${d.path} (signature ${d.signatureValid ? 'valid' : 'INVALID'}): ${JSON.stringify(d.body).slice(0, 300)}`,
      ),
  });
  log(`Outbound webhook sink (alerts, CRM) ${sink.url}  (GET lists deliveries)`);
  const traces = await startTraceCollector({ host: LOCAL_HOST, port: ports.traces });

  const children: ServiceSupervisor[] = [];
  const services = localServices(root, ports);
  const apiDocs = await startApiDocs({
    host: LOCAL_HOST,
    port: ports['api-docs'],
    services: services.map((s) => ({ name: s.name, url: `http://${LOCAL_HOST}:${s.port}` })),
  });
  for (const service of services) {
    const env = {
      ...process.env,
      ...stack.env,
      REDIS_KEY_PREFIX: 'local:',
      ...service.env,
      PORT: String(service.port),
      HOST: LOCAL_HOST,
    };
    // tsx as a loader inside the service's own process (its CLI would fork a second one that a
    // SIGKILL of the first leaves running).
    // A service that dies is restarted with backoff; the emulators and their data stay up.
    children.push(
      superviseChild(
        service.name,
        () => startChild(service.name, process.execPath, ['--import', 'tsx', service.entry], env),
        log,
      ),
    );
  }

  let stopping = false;
  // Exit 0 only when asked to stop (Ctrl-C, SIGTERM); any other reason is a failure of `npm start`.
  const stopAll = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log(`${reason}: stopping services...`);
    await Promise.all(children.map((c) => c.stop()));
    await stack.stop();
    await sink.stop();
    await traces.stop();
    await apiDocs.stop();
    if (redis) await stopChild(redis);
    log(`stopped (exit ${exitCode})`);
    process.exit(exitCode);
  };
  // `on`, not `once`: a Ctrl-C reaches every process of the group, and wrappers (npm, tsx) forward
  // it again; a second signal must not kill the supervisor halfway through stopping.
  process.on('SIGINT', () => void stopAll('SIGINT', 0));
  process.on('SIGTERM', () => void stopAll('SIGTERM', 0));
  if (redis) {
    void redis.exited.then((exit) => {
      if (!stopping) void stopAll(`redis-server exited (${describeExit(exit)})`, 1);
    });
  }

  const ready = await Promise.all(services.map((s) => waitForReady(`http://${LOCAL_HOST}:${s.port}/readyz`)));
  log('');
  for (const [i, s] of services.entries()) {
    log(
      `${ready[i] ? 'ready ' : 'NOT READY'}  ${s.name.padEnd(20)} http://${LOCAL_HOST}:${s.port}  (/healthz /readyz /metrics /openapi.json)`,
    );
  }
  log(
    `Chat page: http://${LOCAL_HOST}:${ports['chat-gateway']}/   CLI: npm run chat   Webhooks: npm run webhook -- stripe|review|catalog   Ctrl-C stops everything.`,
  );
  log(`Traces (one per user action, every service): ${traces.url}/`);
  log(`API docs (OpenAPI of every service, also at each service's /openapi.json): ${apiDocs.url}/`);
  // A service not ready yet keeps retrying its dependencies (its /readyz says why); it is not a reason to stop.
  if (ready.some((r) => !r))
    log('some services are not ready yet: their /readyz says what they are waiting for');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[local-stack] failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
