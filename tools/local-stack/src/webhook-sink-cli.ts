// The outbound-webhook sink as a process (docker-compose's `webhook-sink`): logs each signed
// alert / CRM delivery the moderation consumer sends. Development stand-in only.
import { z } from 'zod';
import { createLogger, env, loadConfig, runMain } from '@manga-assist/service-runtime';
import { startWebhookSink } from './webhook-sink';

runMain('webhook-sink', async () => {
  const config = loadConfig(
    'webhook-sink',
    z.object({
      WEBHOOK_SINK_PORT: env.port(4030),
      WEBHOOK_SINK_HOST: env.string('0.0.0.0'),
      WEBHOOK_SINK_SECRET: env.string(),
    }),
  );
  const logger = createLogger({ service: 'webhook-sink' });
  const sink = await startWebhookSink({
    secret: config.WEBHOOK_SINK_SECRET,
    port: config.WEBHOOK_SINK_PORT,
    host: config.WEBHOOK_SINK_HOST,
    onDelivery: (delivery) => logger.info({ delivery }, 'outbound webhook received'),
  });
  logger.info({ url: sink.url }, 'webhook sink listening');
  const stop = () => void sink.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
});
