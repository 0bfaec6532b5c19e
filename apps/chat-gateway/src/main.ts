import { runService } from '@manga-assist/service-runtime';
import { loadChatGatewayConfig } from './config';
import { startChatGateway } from './service';

void runService('chat-gateway', loadChatGatewayConfig, startChatGateway);
