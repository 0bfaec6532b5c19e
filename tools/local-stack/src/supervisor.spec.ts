import { startChild, superviseChild, type ServiceSupervisor } from './supervisor';

const node = (script: string) => () => startChild('svc', process.execPath, ['-e', script], {});
const until = async (what: () => boolean, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!what()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('superviseChild', () => {
  let supervisor: ServiceSupervisor | undefined;
  afterEach(() => supervisor?.stop(1000));

  it('restarts a service that exits with an error, with a growing delay, and logs the exit code', async () => {
    const lines: string[] = [];
    supervisor = superviseChild('svc', node('process.exit(3)'), (l) => lines.push(l), {
      initialDelayMs: 50,
      maxDelayMs: 200,
    });
    await until(() => supervisor!.restarts >= 3);
    expect(lines.filter((l) => l.includes('exited unexpectedly (code 3)')).length).toBeGreaterThanOrEqual(3);
    expect(lines.slice(0, 5)).toEqual([
      'svc exited unexpectedly (code 3); restarting in 50 ms',
      expect.stringMatching(/^svc restarted \(restart #1, pid \d+\)$/),
      'svc exited unexpectedly (code 3); restarting in 100 ms',
      expect.stringMatching(/^svc restarted \(restart #2, pid \d+\)$/),
      'svc exited unexpectedly (code 3); restarting in 200 ms',
    ]);
  });

  it('brings a SIGKILLed service back as a new process and names the signal', async () => {
    const lines: string[] = [];
    supervisor = superviseChild('svc', node('setInterval(() => {}, 1000)'), (l) => lines.push(l), {
      initialDelayMs: 50,
    });
    const first = supervisor.current();
    await until(() => first.child.pid !== undefined);
    first.child.kill('SIGKILL');
    await until(() => supervisor!.restarts === 1);
    expect(lines[0]).toBe('svc exited unexpectedly (signal SIGKILL); restarting in 50 ms');
    expect(supervisor.current().child.pid).not.toBe(first.child.pid);
    expect(supervisor.current().child.exitCode).toBeNull();
  });

  it('does not restart a service it was asked to stop', async () => {
    const lines: string[] = [];
    supervisor = superviseChild('svc', node('setInterval(() => {}, 1000)'), (l) => lines.push(l), {
      initialDelayMs: 10,
    });
    await supervisor.stop(1000);
    await new Promise((r) => setTimeout(r, 100));
    expect(supervisor.restarts).toBe(0);
    expect(lines).toEqual([]);
  });
});
