import type { LocalStack } from '@manga-assist/local-stack';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startLocalStack } from '@manga-assist/local-stack';
import { ChatClientError, connectChat, fetchDevToken } from './client';
import { parseArgs, UsageError } from './args';
import { createChatSession } from './session';

describe('chat-cli', () => {
  let stack: LocalStack;
  let child: ChildProcess;
  const gateway = { url: '' };

  // The gateway runs as its own process (as `nx serve` runs it), so the CLI is tested over the wire.
  beforeAll(async () => {
    stack = await startLocalStack({ bedrock: { profile: 'zero' } });
    const port = await freePort();
    gateway.url = `http://127.0.0.1:${port}`;
    const root = join(__dirname, '../../..');
    child = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps/chat-gateway/src/main.ts')], {
      cwd: root,
      env: {
        ...process.env,
        ...stack.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        AUTH_JWT_SECRET: 'cli-test-secret-0123456789abcdef0123456789',
        AUTH_DEV_ISSUER: 'true',
      },
      stdio: 'ignore',
    });
    for (let i = 0; i < 200; i++) {
      if (
        await fetch(`${gateway.url}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('gateway did not start');
  }, 60_000);
  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await stack.stop();
  });

  it('gets a dev token, streams an answer delta by delta, keeps the session, and reads the history', async () => {
    const token = await fetchDevToken(gateway.url, 'cli-user');
    const client = await connectChat(gateway.url, token);
    const deltas: string[] = [];
    const first = await client.sendMessage('おすすめのマンガは?', {
      language: 'ja',
      onDelta: (t) => deltas.push(t),
    });
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(first.text);
    expect(first.usage.outputTokens).toBeGreaterThan(0);
    const second = await client.sendMessage('ありがとう', { sessionId: first.sessionId });
    expect(second.sessionId).toBe(first.sessionId);
    const history = await client.request<{ turns: unknown[] }>('getHistory', { sessionId: first.sessionId });
    expect(history.turns).toHaveLength(4);
    await expect(client.request('getHistory', { sessionId: 'someone-elses' })).rejects.toBeInstanceOf(
      ChatClientError,
    );
    client.close();
  });

  it('handles /help, /clear and /history locally: help never reaches the model, clear confirms, an empty history says so', async () => {
    const client = await connectChat(gateway.url, await fetchDevToken(gateway.url, 'cli-commands'));
    let out = '';
    const session = createChatSession({ client, write: (t) => (out += t), uiLang: 'en' });
    const before = stack.bedrock!.stats().requests;
    expect(await session.handle('/help')).toBe('command');
    expect(out).toContain('/history  show this conversation so far');
    expect(stack.bedrock!.stats().requests).toBe(before);

    out = '';
    await session.handle('/history');
    expect(out).toBe('No history yet: send a message to start the conversation.\n');
    out = '';
    await session.handle('/clear');
    expect(out).toBe('Nothing to clear yet (no message sent).\n');

    expect(await session.handle('新刊のおすすめは?')).toBe('sent');
    const sessionId = session.sessionId;
    out = '';
    await session.handle('/history');
    expect(out).toMatch(/^user: 新刊のおすすめは\?\nassistant: /);
    out = '';
    await session.handle('/clear');
    expect(out).toBe('Conversation cleared. Starting a new one.\n');
    expect(session.sessionId).toBeUndefined();
    await expect(client.request('getHistory', { sessionId })).resolves.toMatchObject({ turns: [] });
    out = '';
    await session.handle('/dance');
    expect(out).toContain('Unknown command: /dance');
    expect(await session.handle('/quit')).toBe('quit');
    client.close();
  });

  it('reports a refused connection clearly', async () => {
    await expect(connectChat(gateway.url, 'bad-token')).rejects.toThrow(/401/);
  });

  it('parses its arguments', () => {
    expect(parseArgs(['--lang', 'en', '--user', 'u1', 'hello', 'there'], {})).toMatchObject({
      language: 'en',
      explicitLang: 'en',
      userId: 'u1',
      message: 'hello there',
    });
    expect(parseArgs([], { CHAT_GATEWAY_URL: 'http://gw:3000', LANG: 'ja_JP.UTF-8' })).toMatchObject({
      url: 'http://gw:3000',
      language: 'ja',
    });
    expect(parseArgs([], {}).explicitLang).toBeUndefined();
    expect(parseArgs([], { PORT_OFFSET: '100' }).url).toBe('http://127.0.0.1:3100');
    expect(() => parseArgs(['--lang', 'fr'], {})).toThrow(UsageError);
    expect(() => parseArgs(['--url', 'not a url'], {})).toThrow(UsageError);
    expect(() => parseArgs(['--bogus'], {})).toThrow(/unknown option/);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
