import { createServiceRuntime, runMain } from '@manga-assist/service-runtime';
import { loadModerationConsumerConfig } from './config';
import { startModerationConsumer } from './service';

runMain('moderation-consumer', async () => {
  const config = loadModerationConsumerConfig();
  const runtime = createServiceRuntime({
    service: 'moderation-consumer',
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
  runtime.shutdown.listen();
  await startModerationConsumer({ config, runtime });
});
