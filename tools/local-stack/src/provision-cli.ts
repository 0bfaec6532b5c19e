// Provisions everything the services need against the endpoints in the environment: AWS itself
// (no *_ENDPOINT set: the SDK's usual region and credentials) or any AWS-compatible endpoint
// (docker-compose's one-shot `provision` job, moto, the local stack). Idempotent: one line per
// resource (created / updated / unchanged / skipped), then a summary.
import { z } from 'zod';
import { env, loadConfig, runMain } from '@manga-assist/service-runtime';
import {
  awsClientConfigFromEnv,
  awsEnv,
  createAwsClients,
  resourceNamesEnv,
  resourceNamesFromEnv,
} from '@manga-assist/aws-clients';
import { provision, type ResourceChange } from './provision';

const schema = z.object({
  ...awsEnv,
  ...resourceNamesEnv,
  /** Receives before a message moves to its queue's DLQ. */
  MAX_RECEIVE_COUNT: env.int(5, { min: 1, max: 1000 }),
});

runMain('provision', async () => {
  const config = loadConfig('provision', schema, process.env);
  const clients = createAwsClients(awsClientConfigFromEnv(config));
  const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);
  try {
    const { changes } = await provision(clients, resourceNamesFromEnv(config), {
      maxReceiveCount: config.MAX_RECEIVE_COUNT,
      onChange: (change: ResourceChange) => print({ level: 'info', msg: 'resource', ...change }),
    });
    const count = (status: ResourceChange['status']) => changes.filter((c) => c.status === status).length;
    print({
      level: 'info',
      msg: 'provisioned',
      region: config.AWS_REGION,
      resources: changes.length,
      created: count('created'),
      updated: count('updated'),
      unchanged: count('unchanged'),
      skipped: count('skipped'),
    });
  } finally {
    clients.destroy();
  }
});
