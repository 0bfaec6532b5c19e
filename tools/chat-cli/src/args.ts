import { LOCAL_HOST, localPorts, portOffsetFromEnv } from '@manga-assist/local-stack';
export interface CliOptions {
  url: string;
  userId: string;
  /** The language of the client's own texts (welcome, help). */
  language: 'ja' | 'en';
  /** Sent as `lang` only when chosen with --lang; otherwise the gateway decides from each message. */
  explicitLang?: 'ja' | 'en';
  token?: string;
  /** One message, answered then exit (non-interactive). */
  message?: string;
}

const USAGE = `usage: npm run chat -- [--url http://127.0.0.1:3000] [--user <id>] [--lang ja|en] [--token <jwt>] [message]
Without a message: interactive. Commands (local): /help, /clear (new conversation), /history, /quit.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: string[], env: Record<string, string | undefined> = {}): CliOptions {
  const options: CliOptions = {
    url: env.CHAT_GATEWAY_URL ?? `http://${LOCAL_HOST}:${localPorts(portOffsetFromEnv(env))['chat-gateway']}`,
    userId: env.CHAT_USER ?? `cli-${env.USER ?? 'user'}`,
    language: (env.LANG ?? '').startsWith('en') ? 'en' : 'ja',
    token: env.CHAT_TOKEN,
  };
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--url') options.url = value();
    else if (arg === '--user') options.userId = value();
    else if (arg === '--token') options.token = value();
    else if (arg === '--lang') {
      const lang = value();
      if (lang !== 'ja' && lang !== 'en') throw new UsageError('--lang must be ja or en');
      options.language = lang;
      options.explicitLang = lang;
    } else if (arg === '--help' || arg === '-h') throw new UsageError('help');
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else words.push(arg);
  }
  try {
    new URL(options.url);
  } catch {
    throw new UsageError(`not a URL: ${options.url}`);
  }
  if (words.length) options.message = words.join(' ');
  return options;
}
