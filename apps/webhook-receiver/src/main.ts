import { runService } from '@manga-assist/service-runtime';
import { loadWebhookReceiverConfig } from './config';
import { startWebhookReceiver } from './service';

void runService('webhook-receiver', loadWebhookReceiverConfig, startWebhookReceiver);
