import { runService } from '@manga-assist/service-runtime';
import { loadEnrichmentWorkerConfig } from './config';
import { startEnrichmentWorker } from './service';

void runService('enrichment-worker', loadEnrichmentWorkerConfig, startEnrichmentWorker);
