import { createServiceRuntime, runMain } from '@manga-assist/service-runtime';
import { loadChatGatewayConfig } from './config';
import { startChatGateway } from './service';

runMain('chat-gateway', async () => {
  const config = loadChatGatewayConfig();
  const runtime = createServiceRuntime({
    service: 'chat-gateway',
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
  runtime.shutdown.listen();
  await startChatGateway({ config, runtime });
});
