// Issue 17 acceptance: SIGKILL one service under `npm start` with jobs in flight; it comes back and
// every job completes. Run against a running `npm start` (inside its network namespace):
//   source /work/shared/tools/netns-stack.sh && stack_up
//   inns node tools/scripts/kill-under-npm-start.mjs [jobs=300] [port=3002]
//   stack_down
// Submits the jobs to the enrichment worker, SIGKILLs the worker process once a third completed,
// waits for `npm start` to bring it back, then until every job is completed (or 180 s pass), and
// prints the counts, timings and pids.
import { execFileSync } from 'node:child_process';

const JOBS = Number(process.argv[2] ?? 300);
const PORT = Number(process.argv[3] ?? 3002);
const base = `http://127.0.0.1:${PORT}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const at = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

function listenerPid() {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${PORT}`], { encoding: 'utf8' });
  return Number(/pid=(\d+)/.exec(out)?.[1]) || undefined;
}

async function statuses(ids) {
  const counts = {};
  for (let i = 0; i < ids.length; i += 25) {
    const batch = await Promise.all(
      ids.slice(i, i + 25).map((id) =>
        fetch(`${base}/admin/jobs/${id}`).then(
          (r) => (r.ok ? r.json() : { status: `http_${r.status}` }),
          () => ({ status: 'unreachable' }),
        ),
      ),
    );
    for (const j of batch) counts[j.status] = (counts[j.status] ?? 0) + 1;
  }
  return counts;
}

const jobs = Array.from({ length: JOBS }, (_, i) => ({
  mangaId: `kill9-${t0}-${i}`,
  type: 'synopsis',
  manga: { title: `漫画 ${i}` },
}));
const submitted = await fetch(`${base}/admin/jobs`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ jobs }),
});
const { jobs: accepted = [] } = await submitted.json();
const ids = accepted.map((j) => j.jobId);
console.log(`${at()}  submitted ${ids.length}/${JOBS} jobs (HTTP ${submitted.status})`);

let counts = await statuses(ids);
while ((counts.completed ?? 0) < ids.length / 3) {
  await sleep(500);
  counts = await statuses(ids);
}
const pid = listenerPid();
process.kill(pid, 'SIGKILL');
const killedAt = Date.now();
console.log(`${at()}  SIGKILL enrichment-worker pid ${pid}; jobs at that moment: ${JSON.stringify(counts)}`);

let newPid;
while (!(newPid = listenerPid()) || newPid === pid) await sleep(100);
while (
  !(await fetch(`${base}/readyz`).then(
    (r) => r.ok,
    () => false,
  ))
)
  await sleep(100);
console.log(
  `${at()}  enrichment-worker back as pid ${newPid}, ready ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`,
);

const deadline = Date.now() + 180_000;
while ((counts.completed ?? 0) < ids.length && Date.now() < deadline) {
  await sleep(2000);
  counts = await statuses(ids);
}
console.log(`${at()}  final: ${JSON.stringify(counts)}  (${counts.completed ?? 0}/${ids.length} completed)`);
process.exit((counts.completed ?? 0) === ids.length ? 0 : 1);
