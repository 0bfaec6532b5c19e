// npm run bench -- sdk-gc [pairs]
//
// What a chat request's two SDK calls (Converse, then the session PutItem) leave to the garbage
// collector, with the clients every service builds (aws-clients: serviceAws) and with plain SDK
// clients (the SDK's defaults, same endpoints), sequentially against the local stack in its own
// processes. Per pair: old-generation growth between full GCs (what scavenges promoted), scavenge
// time and CPU. The SDK's own body reader pipes each response into a Writable, and every call's
// objects then outlived it into the old generation; aws-clients reads bodies by async iteration
// (libs/aws-clients/src/stream-collector.ts). One variant after the other, ours first: they share
// the SDK's code and one heap, and measured window by window alongside plain clients ours showed
// 3 KB per pair instead of 0.8 (why was not established).
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { loadavg } from 'node:os';
import { newSessionItem } from './session-item';
import { startStackProcess } from './stack-process';

const PAIRS = Number(process.argv[2] ?? 1500);
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 4);
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const SYSTEM = 'You are MangaAssist, the shopping assistant of a Japanese manga web store. '.repeat(9);

const gc = { full: 0, scavengeMs: 0 };
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.scavengeMs += entry.duration;
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.full++;
  }
});
const oldGeneration = () =>
  getHeapSpaceStatistics()
    .filter((s) => s.space_name === 'old_space' || s.space_name === 'large_object_space')
    .reduce((sum, s) => sum + s.space_used_size, 0);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Clients {
  bedrock: BedrockRuntimeClient;
  documentClient: DynamoDBDocumentClient;
}

async function main() {
  const stack = await startStackProcess('zero');
  const region = stack.env.AWS_REGION ?? 'us-east-1';
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const plainDynamo = new DynamoDBClient({ region, endpoint: stack.env.DYNAMODB_ENDPOINT, credentials });
  const plain: Clients = {
    // HTTP/1.1: the emulator serves plain http, as aws-clients does for it.
    bedrock: new BedrockRuntimeClient({
      region,
      endpoint: stack.env.BEDROCK_ENDPOINT,
      credentials,
      requestHandler: new NodeHttpHandler(),
    }),
    documentClient: DynamoDBDocumentClient.from(plainDynamo),
  };
  const variants: [string, Clients][] = [
    ['aws-clients (serviceAws)', stack.clients],
    ['plain SDK clients', plain],
  ];
  let i = 0;
  const pair = async (clients: Clients) => {
    const n = i++;
    const out = await clients.bedrock.send(
      new ConverseCommand({
        modelId: MODEL,
        system: [{ text: SYSTEM }],
        messages: [{ role: 'user', content: [{ text: `おすすめの新刊マンガを教えて #${n}` }] }],
        inferenceConfig: { maxTokens: 1024 },
      }),
    );
    const answer = (out.output?.message?.content ?? []).map((b) => b.text ?? '').join('');
    await clients.documentClient.send(
      new PutCommand({
        TableName: stack.names.tables.sessions,
        Item: newSessionItem(`q${n}`, answer),
        ConditionExpression: 'attribute_not_exists(sessionId)',
      }),
    );
  };
  try {
    observer.observe({ entryTypes: ['gc'] });
    const results = new Map<string, { promotedKb: number[]; scavengeMs: number[]; cpuMs: number[] }>();
    for (const [name, clients] of variants) {
      for (let k = 0; k < 2000; k++) await pair(clients); // warm-up
      const r = { promotedKb: [] as number[], scavengeMs: [] as number[], cpuMs: [] as number[] };
      results.set(name, r);
      for (let tries = 0; r.promotedKb.length < WINDOWS && tries < WINDOWS * 4; tries++) {
        const full = gc.full;
        const old0 = oldGeneration();
        const scavenge0 = gc.scavengeMs;
        const cpu0 = cpuMs();
        for (let k = 0; k < PAIRS; k++) await pair(clients);
        await new Promise((r) => setImmediate(r)); // the last GC entries
        if (gc.full !== full) continue; // a full GC emptied the old generation meanwhile
        r.promotedKb.push((oldGeneration() - old0) / 1024 / PAIRS);
        r.scavengeMs.push(((gc.scavengeMs - scavenge0) * 100) / PAIRS);
        r.cpuMs.push((cpuMs() - cpu0) / PAIRS);
      }
    }
    const range = (xs: number[], digits: number) =>
      xs.length
        ? `${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)}`
        : 'n/a (a full GC in every window)';
    console.log(
      `sdk-gc: Converse + session PutItem pairs, sequential, ${PAIRS} per window and variant, windows without a full GC (load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
    );
    for (const [name] of variants) {
      const r = results.get(name) ?? { promotedKb: [], scavengeMs: [], cpuMs: [] };
      console.log(
        `  ${name.padEnd(26)} old generation +${range(r.promotedKb, 2)} KB per pair, scavenges ${range(r.scavengeMs, 2)} ms per 100 pairs, CPU ${range(r.cpuMs, 3)} ms per pair (${r.promotedKb.length} windows)`,
      );
    }
    const ours = results.get(variants[0][0])?.promotedKb ?? [];
    const sdk = results.get(variants[1][0])?.promotedKb ?? [];
    if (ours.length && sdk.length) {
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      console.log(`  promoted per pair, aws-clients / plain SDK: ${(mean(ours) / mean(sdk)).toFixed(3)}`);
    }
  } finally {
    observer.disconnect();
    plain.bedrock.destroy();
    plainDynamo.destroy();
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
