// npm run chat -- [options] [message]: a terminal chat with the gateway, answers streamed as they come.
import { createInterface } from 'node:readline/promises';
import { connectChat, fetchDevToken } from './client';
import { parseArgs, UsageError } from './args';
import { createChatSession } from './session';

async function main() {
  const options = parseArgs(process.argv.slice(2), process.env);
  const token = options.token ?? (await fetchDevToken(options.url, options.userId));
  const client = await connectChat(options.url, token);
  const session = createChatSession({
    client,
    write: (text) => process.stdout.write(text),
    uiLang: options.language,
    lang: options.explicitLang,
  });

  if (options.message) {
    await session.handle(options.message);
    client.close();
    return;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  process.stdout.write(`${session.welcome}\n`);
  for (;;) {
    let line: string;
    try {
      line = await rl.question('> ');
    } catch {
      break;
    }
    if ((await session.handle(line)) === 'quit') break;
  }
  rl.close();
  client.close();
}

main().catch((error) => {
  process.stderr.write(
    `${error instanceof UsageError ? error.message : `chat: ${(error as Error).message}`}\n`,
  );
  process.exit(error instanceof UsageError ? 2 : 1);
});
