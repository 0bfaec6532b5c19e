// The CPU floor of one chat request: the gateway's two unavoidable SDK calls (Converse, then the
// session PutItem), issued by a process of their own with the clients the gateway builds
// (serviceAws from the same environment, as the services build theirs: same agents, retry, credentials), so that the CPU
// counted is the caller's only (the emulator and dynalite run in the stack's processes).
// Run by gateway.bench.ts --peers: `tsx tools/bench/src/sdk-floor.ts [warm-up]`, environment of the
// local stack; driven over stdin (see main).
import { createInterface } from 'node:readline';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { awsEnv, resourceNamesEnv, serviceAws } from '@manga-assist/aws-clients';
import { z } from 'zod';
import { newSessionItem } from './session-item';

const WARMUP = Number(process.argv[2] ?? 300);
const { aws, names, close } = serviceAws(z.object({ ...awsEnv, ...resourceNamesEnv }).parse(process.env), {
  bedrockMaxAttempts: Number(process.env.FM_MAX_ATTEMPTS ?? 3),
});
const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
// About the size of the gateway's system prompt (role, language, grounding): the same serialisation work.
const SYSTEM = 'You are MangaAssist, the shopping assistant of a Japanese manga web store. '.repeat(9);
const message = (i: number) => `おすすめの新刊マンガを教えて #${i}`;

const converse = async (i: number) => {
  const out = await aws.bedrock.send(
    new ConverseCommand({
      modelId: MODEL,
      system: [{ text: SYSTEM }],
      messages: [{ role: 'user', content: [{ text: message(i) }] }],
      inferenceConfig: { maxTokens: 1024, temperature: 0.7 },
    }),
  );
  return (out.output?.message?.content ?? []).map((b) => b.text ?? '').join('');
};
const putItem = async (i: number, text: string) => {
  await aws.documentClient.send(
    new PutCommand({
      TableName: names.tables.sessions,
      Item: newSessionItem(message(i), text),
      ConditionExpression: 'attribute_not_exists(sessionId)',
    }),
  );
};
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** n pairs (Converse, then PutItem) started open loop at `rate` per second, as the gateway gets them. */
async function atRate(first: number, n: number, rate: number) {
  const t0 = performance.now();
  const all: Promise<void>[] = [];
  for (let k = 0; k < n; k++) {
    const wait = t0 + (k * 1000) / rate - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const i = first + k;
    all.push(converse(i).then((text) => putItem(i, text)));
  }
  await Promise.all(all);
}

/**
 * After a warm-up, one command per stdin line: `both|converse|put <n>` runs n iterations in sequence,
 * `rate <n> <per second>` n pairs open loop at that rate; each answers one JSON line {op, n, cpuMs}
 * (CPU of the whole batch); `exit` ends. The bench interleaves batches
 * with its own measurements, so that the floor and the gateway see the same machine load.
 */
async function main() {
  let text = '';
  for (let i = 0; i < WARMUP; i++) await putItem(i, (text = await converse(i)));
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  const lines = createInterface({ input: process.stdin });
  let i = 0;
  for await (const line of lines) {
    const [op, count, rate] = line.trim().split(/\s+/);
    if (op === 'exit') break;
    const n = Number(count);
    const c0 = cpuMs();
    if (op === 'rate') {
      await atRate(i, n, Number(rate));
      i += n;
    }
    for (let k = 0; op !== 'rate' && k < n; k++, i++) {
      if (op === 'converse') text = await converse(i);
      else if (op === 'put') await putItem(i, text);
      else await putItem(i, (text = await converse(i)));
    }
    process.stdout.write(`${JSON.stringify({ op, n, cpuMs: cpuMs() - c0 })}\n`);
  }
  lines.close();
  close();
}
main().catch((error) => {
  console.error(error);
  process.exit(1);
});
