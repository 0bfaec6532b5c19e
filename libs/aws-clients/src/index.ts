export {
  awsEnv,
  resourceNamesEnv,
  awsClientConfigFromEnv,
  resourceNamesFromEnv,
  resourceNamesToEnv,
  DEFAULT_RESOURCE_NAMES,
  type AwsEnv,
  type ResourceNamesEnv,
  type AwsClientConfig,
  type ResourceNames,
} from './config';
export {
  createAwsClients,
  serviceAws,
  type AwsClients,
  type AwsClientOptions,
  type ServiceAws,
} from './clients';
export { tableDefinitions, ttlAttributes, queueDefinitions, type QueueDefinition } from './resources';
export { resolveQueueUrl } from './queue-url';
export {
  dynamoTableCheck,
  dynamoWriteCheck,
  startupWriteChecks,
  sqsQueueCheck,
  type WriteCheckOptions,
} from './readiness';
