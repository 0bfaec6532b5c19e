// npm run bench -- gateway-ab <bundle A> <bundle B> [rounds] [requests per round]
//
// Two chat-gateway bundles (e.g. `dist/apps/chat-gateway/main.js` built at two commits, copied
// aside) against each other in one run: CPU per sequential request of each, in turn with one SDK floor
// pair (sdk-floor.ts), all three on the core of the process under test, with a pause after each so
// that every request starts from an event loop that was asleep, as in `gateway --peers`. Per round:
// each gateway's CPU per request (/proc/<pid>/stat), its ratio to the floor pair, and B / A. Two
// passes, A started first then B first: the gateway started second measured about 2 % cheaper with
// the same bundle on both sides. Between full `gateway --peers` runs the sequential ratio moved by
// ±5 % on the same code; within one run, A and B meet the same machine.
// BENCH_AB_ENV_B (a JSON object of strings) is added to B's environment only: with the same bundle
// twice it measures a knock-out, e.g. BENCH_AB_ENV_B='{"REDIS_URL":""}'.
import { loadavg } from 'node:os';
import { processCpuMs } from './proc-stats';
import { startStackProcess } from './stack-process';
import { LOAD_CPU, pinSelf } from './cpu-pinning';
import { measuredGatewayEnv } from './gateway-env';
import { devToken, sendChat, startGatewayProcess, type GatewayProcess } from './gateway-process';
import { startSdkFloor } from './sdk-floor-process';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (args.length < 2) {
  console.error('usage: npm run bench -- gateway-ab <bundle A> <bundle B> [rounds] [requests per round]');
  process.exit(2);
}
const [bundleA, bundleB] = args;
const ROUNDS = Number(args[2] ?? 3);
const PER_ROUND = Number(args[3] ?? 1000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2000);
// About what a gateway sleeps between its requests in `gateway --peers` (the other paths' turns).
const PAUSE_MS = Number(process.env.BENCH_AB_PAUSE_MS ?? 4);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  pinSelf(LOAD_CPU);
  const stack = await startStackProcess('zero');
  const floor = await startSdkFloor({ ...stack.env, FM_MAX_ATTEMPTS: '3' }, WARMUP);
  const envB = process.env.BENCH_AB_ENV_B
    ? (JSON.parse(process.env.BENCH_AB_ENV_B) as Record<string, string>)
    : {};
  const variants = [
    { name: 'A', bundle: bundleA, env: {} },
    { name: 'B', bundle: bundleB, env: envB },
  ];
  try {
    console.log(
      `A: ${bundleA}\nB: ${bundleB}${process.env.BENCH_AB_ENV_B ? ` + ${process.env.BENCH_AB_ENV_B}` : ''}`,
    );
    console.log(
      `2 passes (A started first, then B first) of ${ROUNDS} rounds of ${PER_ROUND} sequential requests per gateway, in turn with one floor pair, ${PAUSE_MS} ms pause after each; after ${WARMUP} warm-up requests each; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const byPass: number[][] = [];
    // The same bundle twice (an A/A run) measured 0.981 with A started first: the gateway started
    // second was cheaper in 5 of 6 rounds. Swapping which starts first cancels that.
    for (const starting of [variants, [...variants].reverse()]) {
      const gateways: GatewayProcess[] = [];
      try {
        for (const v of starting)
          gateways.push(await startGatewayProcess(v.bundle, measuredGatewayEnv(stack, v.env)));
        const sides = await Promise.all(
          starting.map(async (v, k) => ({
            name: v.name,
            gateway: gateways[k],
            token: await devToken(gateways[k].url),
          })),
        );
        const send = async (side: (typeof sides)[number], i: number) => {
          const status = await sendChat(side.gateway.url, side.token, i);
          if (status !== 200) throw new Error(`gateway ${side.name}: HTTP ${status}`);
        };
        for (let i = 0; i < WARMUP; i++) for (const side of sides) await send(side, -i);
        console.log(`pass: ${starting.map((v) => v.name).join(' then ')} started`);
        const ratios: number[] = [];
        for (let r = 0; r < ROUNDS; r++) {
          // The order alternates by round, so that neither always follows the floor.
          const order = r % 2 ? [sides[1], sides[0]] : sides;
          const cpu0 = sides.map((s) => processCpuMs(s.gateway.pid));
          let floorMs = 0;
          for (let i = 0; i < PER_ROUND; i++) {
            for (const side of order) {
              await send(side, r * PER_ROUND + i);
              await sleep(PAUSE_MS);
            }
            floorMs += await floor.run('both', 1);
            await sleep(PAUSE_MS);
          }
          await sleep(500); // work after the last answers (session writes, events) lands in the round
          const cpu = Object.fromEntries(
            sides.map((s, k) => [s.name, (processCpuMs(s.gateway.pid) - cpu0[k]) / PER_ROUND]),
          );
          const pair = floorMs / PER_ROUND;
          ratios.push(cpu.B / cpu.A);
          console.log(
            `  round ${r + 1}: floor pair ${pair.toFixed(3)} ms; A ${cpu.A.toFixed(3)} ms (${(cpu.A / pair).toFixed(3)}x), B ${cpu.B.toFixed(3)} ms (${(cpu.B / pair).toFixed(3)}x); B / A ${(cpu.B / cpu.A).toFixed(3)}`,
          );
        }
        byPass.push(ratios);
      } finally {
        await Promise.all(gateways.map((g) => g.stop()));
      }
    }
    const all = byPass.flat();
    console.log(
      `B / A CPU per request: median ${median(all).toFixed(3)} (A first ${median(byPass[0]).toFixed(3)}, B first ${median(byPass[1]).toFixed(3)}), B cheaper in ${all.filter((x) => x < 1).length} of ${all.length} rounds; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await floor.stop();
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
