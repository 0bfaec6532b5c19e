import { createServiceRuntime, runMain } from '@manga-assist/service-runtime';
import { loadEnrichmentWorkerConfig } from './config';
import { startEnrichmentWorker } from './service';

runMain('enrichment-worker', async () => {
  const config = loadEnrichmentWorkerConfig();
  const runtime = createServiceRuntime({
    service: 'enrichment-worker',
    logLevel: config.LOG_LEVEL,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  });
  runtime.shutdown.listen();
  await startEnrichmentWorker({ config, runtime });
});
