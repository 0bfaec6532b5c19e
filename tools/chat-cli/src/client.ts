import WebSocket from 'ws';

export interface FinalFrame {
  type: 'final';
  id: string;
  sessionId: string;
  text: string;
  model: string;
  variant?: string;
  cached: boolean;
  usage: { inputTokens: number; outputTokens: number };
  costUsd: number;
  path?: string;
  latencyMs?: number;
}

export interface ErrorFrame {
  type: 'error';
  id?: string;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

export class ChatClientError extends Error {
  constructor(readonly frame: ErrorFrame) {
    super(`${frame.code}: ${frame.message}`);
    this.name = 'ChatClientError';
  }
}

/** POST /dev/token on a gateway running in local mode. */
export async function fetchDevToken(baseUrl: string, userId: string): Promise<string> {
  const res = await fetch(new URL('/dev/token', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  if (!res.ok) throw new Error(`dev token issuer answered ${res.status} (is the gateway in local mode?)`);
  return ((await res.json()) as { token: string }).token;
}

export interface ChatClient {
  sendMessage(
    message: string,
    /** `language` is sent as the request's `lang` (an explicit choice); omit it to let the gateway decide. */
    options?: {
      sessionId?: string;
      language?: string;
      onDelta?: (text: string) => void;
      onRestart?: () => void;
    },
  ): Promise<FinalFrame>;
  request<T = unknown>(action: 'getHistory' | 'clearSession', data: Record<string, unknown>): Promise<T>;
  close(): void;
}

interface Pending {
  resolve(frame: unknown): void;
  reject(error: Error): void;
  onDelta?: (text: string) => void;
  onRestart?: () => void;
}

/** Streams chat-gateway answers over its WebSocket (`/v1/ws`). */
export async function connectChat(baseUrl: string, token: string): Promise<ChatClient> {
  const wsUrl = new URL('/v1/ws', baseUrl);
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${token}` } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`websocket refused: HTTP ${res.statusCode}`)),
    );
  });
  const pending = new Map<string, Pending>();
  let seq = 0;

  ws.on('message', (raw) => {
    const frame = JSON.parse(raw.toString()) as { type: string; id?: string; text?: string };
    const p = frame.id ? pending.get(frame.id) : undefined;
    if (!p) return;
    if (frame.type === 'delta') p.onDelta?.(frame.text ?? '');
    else if (frame.type === 'restart') p.onRestart?.();
    else if (frame.type === 'start') return;
    else {
      pending.delete(frame.id as string);
      if (frame.type === 'error') p.reject(new ChatClientError(frame as ErrorFrame));
      else p.resolve(frame);
    }
  });
  ws.on('close', () => {
    for (const p of pending.values()) p.reject(new Error('connection closed'));
    pending.clear();
  });

  const call = <T>(
    action: string,
    data: Record<string, unknown>,
    hooks: Partial<Pending> = {},
    lang?: string,
  ) =>
    new Promise<T>((resolve, reject) => {
      const id = `c${++seq}`;
      pending.set(id, { resolve: resolve as (f: unknown) => void, reject, ...hooks });
      ws.send(JSON.stringify({ id, action, data, ...(lang ? { lang } : {}) }));
    });

  return {
    sendMessage: (message, options = {}) =>
      call<FinalFrame>(
        'sendMessage',
        { message, sessionId: options.sessionId },
        { onDelta: options.onDelta, onRestart: options.onRestart },
        options.language,
      ),
    request: (action, data) => call(action, data),
    close: () => ws.close(),
  };
}
