export {
  awsEnv,
  resourceNamesEnv,
  awsClientConfigFromEnv,
  resourceNamesFromEnv,
  resourceNamesToEnv,
  DEFAULT_RESOURCE_NAMES,
  type ResourceNames,
} from './config';
export { createAwsClients, serviceAws, type AwsClients } from './clients';
export { tableDefinitions, ttlAttributes, queueDefinitions } from './resources';
export { resolveQueueUrl } from './queue-url';
export { dynamoTableCheck, startupWriteChecks, sqsQueueCheck } from './readiness';
