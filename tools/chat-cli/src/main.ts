// npm run chat -- [options] [message]: a terminal chat with the gateway, answers streamed as they come.
import { createInterface } from 'node:readline/promises';
import { ChatClientError, connectChat, fetchDevToken, type FinalFrame } from './client';
import { parseArgs, UsageError } from './args';

async function main() {
  const options = parseArgs(process.argv.slice(2), process.env);
  const token = options.token ?? (await fetchDevToken(options.url, options.userId));
  const client = await connectChat(options.url, token);
  let sessionId: string | undefined;

  const ask = async (message: string) => {
    try {
      const final: FinalFrame = await client.sendMessage(message, {
        sessionId,
        language: options.language,
        onDelta: (text) => process.stdout.write(text),
        onRestart: () => process.stdout.write('\n[…]\n'),
      });
      sessionId = final.sessionId;
      const meta = [final.model.split('.').pop(), final.cached ? 'cached' : '', `${final.usage.inputTokens}→${final.usage.outputTokens} tokens`, `$${final.costUsd.toFixed(5)}`, final.path && final.path !== 'primary' ? final.path : ''];
      process.stdout.write(`\n\x1b[2m(${meta.filter(Boolean).join(' · ')})\x1b[0m\n`);
    } catch (error) {
      if (error instanceof ChatClientError && error.frame.code === 'SESSION_NOT_FOUND') sessionId = undefined;
      process.stdout.write(`\n\x1b[33m${error instanceof ChatClientError ? error.frame.message : (error as Error).message}\x1b[0m\n`);
    }
  };

  if (options.message) {
    await ask(options.message);
    client.close();
    return;
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  process.stdout.write(options.language === 'ja' ? 'MangaAssist へようこそ (/clear, /history, /quit)\n' : 'Welcome to MangaAssist (/clear, /history, /quit)\n');
  for (;;) {
    let line: string;
    try {
      line = (await rl.question('> ')).trim();
    } catch {
      break;
    }
    if (!line) continue;
    if (line === '/quit' || line === '/exit') break;
    if (line === '/clear') {
      if (sessionId) await client.request('clearSession', { sessionId }).catch(() => undefined);
      sessionId = undefined;
      continue;
    }
    if (line === '/history') {
      if (!sessionId) continue;
      const history = await client.request<{ turns: { role: string; content: string }[] }>('getHistory', { sessionId });
      for (const t of history.turns) process.stdout.write(`${t.role}: ${t.content}\n`);
      continue;
    }
    await ask(line);
  }
  rl.close();
  client.close();
}

main().catch((error) => {
  process.stderr.write(`${error instanceof UsageError ? error.message : `chat: ${(error as Error).message}`}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
