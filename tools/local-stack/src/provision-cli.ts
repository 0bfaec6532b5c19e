// Provisions every table and queue against the endpoints in the environment (docker-compose's
// one-shot `provision` service, or any DynamoDB/SQS the variables point at). Idempotent.
import { z } from 'zod';
import { loadConfig, runMain } from '@manga-assist/service-runtime';
import {
  awsClientConfigFromEnv,
  awsEnv,
  createAwsClients,
  resourceNamesEnv,
  resourceNamesFromEnv,
} from '@manga-assist/aws-clients';
import { provision } from './provision';

runMain('provision', async () => {
  const config = loadConfig('provision', z.object({ ...awsEnv, ...resourceNamesEnv }), process.env);
  const clients = createAwsClients(awsClientConfigFromEnv(config));
  try {
    const result = await provision(clients, resourceNamesFromEnv(config));
    process.stdout.write(`${JSON.stringify({ level: 'info', msg: 'provisioned', ...result })}\n`);
  } finally {
    clients.destroy();
  }
});
