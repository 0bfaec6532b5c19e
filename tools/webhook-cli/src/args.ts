import { readFileSync } from 'node:fs';
import { LOCAL_HOST, LOCAL_WEBHOOK_SECRETS, localPorts, portOffsetFromEnv } from '@manga-assist/local-stack';
import {
  SOURCES,
  type SampleOption,
  type WebhookSource,
  type WebhookSourceName,
} from '../../../apps/webhook-receiver/src/sources';

/** The name the tool shows for a source: its first alias (`review`), else its own name. */
const commandName = (s: WebhookSource) => s.sample.aliases[0] ?? s.name;

export const USAGE = [
  `usage: npm run webhook -- <${SOURCES.map(commandName).join('|')}> [options]`,
  ...SOURCES.map((s) => `  ${commandName(s).padEnd(8)} ${s.sample.usage}`),
  '  any      --file delivery.json (send this payload as is)  --url http://127.0.0.1:3001  --secret <secret>',
  "Signs with the local secrets of npm start (or --secret) and prints the receiver's answer.",
].join('\n');

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'UsageError';
  }
}

export interface WebhookCommand {
  source: WebhookSourceName;
  url: string;
  secret: string;
  payload: unknown;
}

const listed = (values: readonly string[]) =>
  values.length > 1 ? `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}` : values[0];

/** One option's value from its text (or its default), or a UsageError saying what it must be. */
function optionValue(key: string, spec: SampleOption, raw: string | undefined): string | number | undefined {
  if (spec.kind === 'int') {
    if (raw === undefined) return spec.default;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < spec.min || n > spec.max)
      throw new UsageError(`--${key} must be an integer from ${spec.min} to ${spec.max}`);
    return n;
  }
  const value = raw ?? spec.default;
  if (spec.kind === 'enum' && !spec.values.includes(value as string))
    throw new UsageError(`--${key} must be ${listed(spec.values)}`);
  if (spec.kind === 'text' && value !== undefined && spec.pattern && !spec.pattern.test(value))
    throw new UsageError(`--${key} must ${spec.must ?? `match ${spec.pattern}`}`);
  return value;
}

/** argv -> what to send, or a UsageError naming the problem. Pure apart from reading --file. */
export function parseWebhookArgs(
  argv: string[],
  env: Record<string, string | undefined> = {},
): WebhookCommand {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') throw new UsageError(name ? 'help' : 'which source?');
  const source = SOURCES.find((s) => s.name === name || s.sample.aliases.includes(name));
  if (!source) throw new UsageError(`unknown source "${name}"`);
  const opts = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected "${arg}"`);
    const value = rest[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value`);
    opts.set(arg.slice(2), value);
    i++;
  }
  const options: Record<string, SampleOption> = source.sample.options;
  for (const key of opts.keys()) {
    if (!['url', 'secret', 'file', ...Object.keys(options)].includes(key))
      throw new UsageError(`--${key} is not an option of ${name}`);
  }

  let payload: unknown;
  const file = opts.get('file');
  if (file) {
    try {
      payload = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new UsageError(`--file ${file}: ${(error as Error).message}`);
    }
  } else {
    const values = Object.fromEntries(
      Object.entries(options).map(([key, spec]) => [key, optionValue(key, spec, opts.get(key))]),
    );
    payload = source.sample.build(values);
  }

  const ports = localPorts(portOffsetFromEnv(env));
  const url =
    opts.get('url') ?? env.WEBHOOK_RECEIVER_URL ?? `http://${LOCAL_HOST}:${ports['webhook-receiver']}`;
  try {
    new URL(url);
  } catch {
    throw new UsageError(`not a URL: ${url}`);
  }
  const secret =
    opts.get('secret') ?? (LOCAL_WEBHOOK_SECRETS as Partial<Record<string, string>>)[source.name];
  if (secret === undefined) throw new UsageError(`no local secret for ${source.name}: pass --secret`);
  return { source: source.name, url, secret, payload };
}
