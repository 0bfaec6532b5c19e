import { runService } from '@manga-assist/service-runtime';
import { loadModerationConsumerConfig } from './config';
import { startModerationConsumer } from './service';

void runService('moderation-consumer', loadModerationConsumerConfig, startModerationConsumer);
