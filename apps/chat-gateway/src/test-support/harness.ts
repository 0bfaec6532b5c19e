import { Writable } from 'node:stream';
import WebSocket from 'ws';
import { createLogger, createServiceRuntime, type ServiceRuntime } from '@manga-assist/service-runtime';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '@manga-assist/local-stack';
import {
  createContractValidator,
  createFrameValidator,
  type ContractValidator,
  type FrameValidator,
} from '@manga-assist/contract-testing';
import { chatGatewayOpenApi } from '../openapi';
import { chatWsAsyncApi, WS_SERVER_FRAMES } from '../asyncapi';
import { loadChatGatewayConfig } from '../config';
import { startChatGateway, type ChatGateway } from '../service';

/** Polls `check` every 10 ms until it is true; fails with `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const TEST_SECRET = 'test-secret-for-chat-gateway-0123456789abcdef';

export interface Gateway {
  gateway: ChatGateway;
  runtime: ServiceRuntime;
  /** Every JSON log line the gateway wrote. */
  logs: Record<string, unknown>[];
  url: string;
  token(userId: string): Promise<string>;
  post(
    token: string | undefined,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; body: any }>;
  stop(): Promise<void>;
}

let contract: ContractValidator | undefined;
/** Every answer the harness reads is checked against the gateway's OpenAPI document (a test fails on an undocumented one). */
export const chatContract = (): ContractValidator =>
  (contract ??= createContractValidator(chatGatewayOpenApi()));

/** GET/POST with the answer checked against the document. */
export async function contractFetch(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(url, init);
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json');
  const body = json && text ? JSON.parse(text) : text;
  chatContract().check({
    method: init.method ?? 'GET',
    path: new URL(url).pathname,
    status: res.status,
    contentType: res.headers.get('content-type'),
    body,
  });
  return { status: res.status, headers: res.headers, body: json ? body : text };
}

let frames: FrameValidator | undefined;
/** Every WebSocket frame a test client receives is checked against the AsyncAPI document. */
export const wsContract = (): FrameValidator =>
  (frames ??= createFrameValidator(chatWsAsyncApi(), Object.keys(WS_SERVER_FRAMES)));

export function startStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  return startLocalStack({ bedrock: { profile: 'zero' }, ...options });
}

export async function startGateway(stack: LocalStack, env: Record<string, string> = {}): Promise<Gateway> {
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line));
      cb();
    },
  });
  const runtime = createServiceRuntime({
    service: 'chat-gateway',
    logger: createLogger({ service: 'chat-gateway', level: 'info', destination }),
    exit: () => undefined,
    defaultMetrics: false,
  });
  const config = loadChatGatewayConfig({
    ...stack.env,
    PORT: '0',
    HOST: '127.0.0.1',
    AUTH_JWT_SECRET: TEST_SECRET,
    AUTH_DEV_ISSUER: 'true',
    WEB_UI: 'true',
    ...env,
  });
  const gateway = await startChatGateway({ config, runtime });
  const url = gateway.url;
  return {
    gateway,
    runtime,
    logs,
    url,
    async token(userId) {
      const res = await contractFetch(`${url}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId }),
      });
      return (res.body as { token: string }).token;
    },
    async post(token, body, headers = {}) {
      const res = await contractFetch(`${url}/v1/chat`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { ...res, body: res.body === '' ? undefined : res.body };
    },
    async stop() {
      await runtime.shutdown.trigger('test done');
    },
  };
}

export interface WsTestClient {
  ws: WebSocket;
  frames: any[];
  /** Sends a frame and resolves with every frame of that id up to final / error / history / cleared. */
  request(frame: Record<string, unknown>): Promise<any[]>;
  close(): Promise<void>;
}

export async function openWs(
  url: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<WsTestClient> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/ws`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const frames: any[] = [];
  const waiters = new Map<string, { resolve(f: any[]): void; frames: any[] }>();
  let seq = 0;
  ws.on('message', (raw) => {
    const frame = JSON.parse(raw.toString());
    wsContract().check(frame);
    frames.push(frame);
    const w = waiters.get(frame.id);
    if (!w) return;
    w.frames.push(frame);
    if (['final', 'error', 'history', 'cleared'].includes(frame.type)) {
      waiters.delete(frame.id);
      w.resolve(w.frames);
    }
  });
  return {
    ws,
    frames,
    request(frame) {
      const id = `t${++seq}`;
      return new Promise((resolve) => {
        waiters.set(id, { resolve, frames: [] });
        ws.send(JSON.stringify({ id, ...frame }));
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}
