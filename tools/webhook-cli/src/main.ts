// npm run webhook -- stripe|review|catalog [options]: signs a realistic delivery with the local
// secrets and sends it to the webhook receiver of `npm start`, then prints the answer.
import { parseWebhookArgs, UsageError } from './args';
import { deliver } from './deliver';

async function main() {
  const command = parseWebhookArgs(process.argv.slice(2), process.env);
  process.stdout.write(
    `POST ${command.url}/webhooks/${command.source}\n${JSON.stringify(command.payload, null, 2)}\n`,
  );
  const answer = await deliver(command.url, command.source, command.secret, command.payload);
  process.stdout.write(`-> HTTP ${answer.status} ${JSON.stringify(answer.body)}\n`);
  if (answer.status >= 400) process.exitCode = 1;
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  process.stderr.write(
    `webhook: ${(error as Error).message}${cause ? ` (${cause}: is npm start running?)` : ''}\n`,
  );
  process.exit(1);
});
