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
import { loadavg } from 'node:os';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { chatSdkCalls, type ChatSdkClients } from './chat-sdk-calls';
import { startStackProcess } from './stack-process';

const PAIRS = Number(process.argv[2] ?? 1500);
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 4);

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

async function main() {
  const stack = await startStackProcess('zero');
  const region = stack.env.AWS_REGION ?? 'us-east-1';
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const plainDynamo = new DynamoDBClient({ region, endpoint: stack.env.DYNAMODB_ENDPOINT, credentials });
  const plain: ChatSdkClients = {
    // HTTP/1.1: the emulator serves plain http, as aws-clients does for it.
    bedrock: new BedrockRuntimeClient({
      region,
      endpoint: stack.env.BEDROCK_ENDPOINT,
      credentials,
      requestHandler: new NodeHttpHandler(),
    }),
    documentClient: DynamoDBDocumentClient.from(plainDynamo),
  };
  const variants = [
    { name: 'aws-clients (serviceAws)', calls: chatSdkCalls(stack.clients, stack.names.tables.sessions) },
    { name: 'plain SDK clients', calls: chatSdkCalls(plain, stack.names.tables.sessions) },
  ].map((v) => ({ ...v, promotedKb: [] as number[], scavengeMs: [] as number[], cpuMs: [] as number[] }));
  let i = 0;
  try {
    observer.observe({ entryTypes: ['gc'] });
    for (const v of variants) {
      for (let k = 0; k < 2000; k++) await v.calls.pair(i++); // warm-up
      for (let tries = 0; v.promotedKb.length < WINDOWS && tries < WINDOWS * 4; tries++) {
        const full = gc.full;
        const old0 = oldGeneration();
        const scavenge0 = gc.scavengeMs;
        const cpu0 = cpuMs();
        for (let k = 0; k < PAIRS; k++) await v.calls.pair(i++);
        await new Promise((r) => setImmediate(r)); // the last GC entries
        if (gc.full !== full) continue; // a full GC emptied the old generation meanwhile
        v.promotedKb.push((oldGeneration() - old0) / 1024 / PAIRS);
        v.scavengeMs.push(((gc.scavengeMs - scavenge0) * 100) / PAIRS);
        v.cpuMs.push((cpuMs() - cpu0) / PAIRS);
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
    for (const v of variants)
      console.log(
        `  ${v.name.padEnd(26)} old generation +${range(v.promotedKb, 2)} KB per pair, scavenges ${range(v.scavengeMs, 2)} ms per 100 pairs, CPU ${range(v.cpuMs, 3)} ms per pair (${v.promotedKb.length} windows)`,
      );
    const [ours, sdk] = variants.map((v) => v.promotedKb);
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
