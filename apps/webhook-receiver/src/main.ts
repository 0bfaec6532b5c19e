import { createServiceRuntime, runMain } from '@manga-assist/service-runtime';
import { loadWebhookReceiverConfig } from './config';
import { startWebhookReceiver } from './service';

runMain('webhook-receiver', async () => {
  const config = loadWebhookReceiverConfig();
  const runtime = createServiceRuntime({
    service: 'webhook-receiver',
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
  runtime.shutdown.listen();
  await startWebhookReceiver({ config, runtime });
});
