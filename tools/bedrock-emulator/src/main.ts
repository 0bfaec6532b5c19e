import { createLogger, createShutdown, runMain } from '@manga-assist/service-runtime';
import { loadEmulatorConfig } from './config';
import { startBedrockEmulator } from './server';

/** `npx tsx tools/bedrock-emulator/src/main.ts` — prints its URL, stops cleanly on SIGTERM/SIGINT. */
runMain('bedrock-emulator', async () => {
  const config = loadEmulatorConfig();
  const logger = createLogger({ service: 'bedrock-emulator', level: config.logLevel });
  const emulator = await startBedrockEmulator({ ...config, logger });
  const shutdown = createShutdown({ logger });
  shutdown.register('bedrock-emulator', () => emulator.stop());
  shutdown.listen();
  process.stdout.write(
    `Bedrock emulator (development stand-in, NOT a model) listening on ${emulator.url} ` +
      `profile=${config.profile} timeScale=${config.timeScale}\n` +
      `  BEDROCK_ENDPOINT=${emulator.url}   admin: ${emulator.url}/_emulator/{faults,stats,reset,profile}\n`,
  );
});
