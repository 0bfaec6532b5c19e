import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadEmulatorConfig } from './config';

const root = join(__dirname, '../../..');

describe('emulator CLI', () => {
  it('reads its configuration and faults from the environment', () => {
    const config = loadEmulatorConfig({
      BEDROCK_EMULATOR_PORT: '0',
      PROFILE: 'realistic',
      TIME_SCALE: '0.5',
      BEDROCK_EMULATOR_FAULT_THROTTLE_RATE: '0.3',
      BEDROCK_EMULATOR_FAULT_STREAM_ERROR_AFTER: '4',
    });
    expect(config).toMatchObject({
      port: 0,
      profile: 'realistic',
      timeScale: 0.5,
      faults: { throttleRate: 0.3, streamErrorAfterDeltas: 4 },
    });
    expect(loadEmulatorConfig({}).port).toBe(4010);
    expect(() => loadEmulatorConfig({ BEDROCK_EMULATOR_PROFILE: 'fast' })).toThrow(
      /BEDROCK_EMULATOR_PROFILE/,
    );
    expect(() => loadEmulatorConfig({ BEDROCK_EMULATOR_FAULT_THROTTLE_RATE: '3' })).toThrow(/throttleRate/);
  });

  it('prints its URL, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [require.resolve('tsx/cli'), 'tools/bedrock-emulator/src/main.ts'],
      {
        cwd: root,
        env: {
          ...process.env,
          BEDROCK_EMULATOR_PORT: '0',
          LOG_LEVEL: 'warn',
          TSX_TSCONFIG_PATH: 'tsconfig.base.json',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.once('exit', () => reject(new Error(`exited early: ${out}`)));
      });
      expect(out).toMatch(/development stand-in, NOT a model/);
      const res = await fetch(`${url}/`);
      expect(res.headers.get('x-emulator')).toBe('bedrock-dev-standin');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
