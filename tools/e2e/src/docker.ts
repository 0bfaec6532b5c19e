import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Runs the docker CLI; rejects with its stderr on a non-zero exit. */
export async function docker(...args: string[]): Promise<string> {
  try {
    const { stdout } = await exec('docker', args, { maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`docker ${args.slice(0, 2).join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

export interface RunningContainer {
  name: string;
  url: string;
  logs(): Promise<string>;
}

/**
 * `docker run -d --network host` an image as deployed (its own CMD, user and healthcheck) and wait
 * until its /readyz answers 200. Rejects at once, with the container's output, if it exits first.
 */
export async function runContainer(options: {
  image: string;
  name: string;
  port: number;
  env: Record<string, string>;
  labels: Record<string, string>;
  readyTimeoutMs?: number;
}): Promise<RunningContainer> {
  const { image, name, port, env, labels } = options;
  const args = ['run', '-d', '--network', 'host', '--name', name];
  for (const [key, value] of Object.entries(labels)) args.push('--label', `${key}=${value}`);
  for (const [key, value] of Object.entries({ ...env, PORT: String(port), HOST: '127.0.0.1' }))
    args.push('-e', `${key}=${value}`);
  await docker(...args, image);
  const container: RunningContainer = {
    name,
    url: `http://127.0.0.1:${port}`,
    logs: () => containerLogs(name),
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    const state = await docker('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', name);
    if (!state.startsWith('running')) {
      throw new Error(
        `${name} (${image}) stopped before it was ready (${state}):\n${await container.logs()}`,
      );
    }
    const ready = await fetch(`${container.url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return container;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} (${image}) not ready within the time limit:\n${await container.logs()}`);
}

/** What the container wrote, stdout and stderr (the CLI splits them as the process did). */
export async function containerLogs(name: string): Promise<string> {
  try {
    const { stdout, stderr } = await exec('docker', ['logs', name], { maxBuffer: 16 * 1024 * 1024 });
    return `${stdout}${stderr}`;
  } catch (error) {
    return `(docker logs failed: ${(error as Error).message})`;
  }
}

/** `docker stop` with a grace period; returns the exit code and how long the stop took. */
export async function stopContainer(
  name: string,
  graceSeconds: number,
): Promise<{ exitCode: number; ms: number; oomKilled: boolean }> {
  const started = Date.now();
  await docker('stop', '-t', String(graceSeconds), name);
  const ms = Date.now() - started;
  const [exitCode, oomKilled] = (
    await docker('inspect', '-f', '{{.State.ExitCode}} {{.State.OOMKilled}}', name)
  ).split(' ');
  return { exitCode: Number(exitCode), ms, oomKilled: oomKilled === 'true' };
}

/** Removes every container carrying the label (the test's own, whatever state they are in). */
export async function removeLabelled(label: string): Promise<void> {
  const ids = (await docker('ps', '-aq', '--filter', `label=${label}`)).split('\n').filter(Boolean);
  if (ids.length) await docker('rm', '-f', ...ids);
}
