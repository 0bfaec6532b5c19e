import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { traceAwsClient } from './tracing';
import { KeyCachingSha256 } from './sha256';
import { collectStream } from './stream-collector';
import {
  awsClientConfigFromEnv,
  resourceNamesFromEnv,
  type AwsClientConfig,
  type AwsEnv,
  type ResourceNames,
  type ResourceNamesEnv,
} from './config';

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
  readonly eventBridge: EventBridgeClient;
  readonly bedrock: BedrockRuntimeClient;
  readonly secretsManager: SecretsManagerClient;
  /**
   * A document client whose SDK makes one attempt per call, for a caller that retries itself with
   * its own policy (metrics, budget): one retry layer, not the caller's times the SDK's.
   */
  readonly documentClientSingleAttempt: DynamoDBDocumentClient;
  /** Closes every client created so far (sockets released). */
  destroy(): void;
}

interface AwsClientOptions {
  /** Attempts for Bedrock calls including the first (the SDK retries throttling itself). */
  bedrockMaxAttempts?: number;
  /** Attempts for the other clients. */
  maxAttempts?: number;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

const noop = () => undefined;
/**
 * The SDK's no-op logger has an `info`, so its logger middleware builds a redacted copy of every
 * command's input and output (walking their schemas) to hand to it, on every call. Without `info`
 * that copy is skipped; the SDK's warnings (called unguarded) still have somewhere to go.
 */
const SDK_LOGGER = { trace: noop, debug: noop, warn: noop, error: noop } as unknown as {
  trace(): void;
  debug(): void;
  info(): void;
  warn(): void;
  error(): void;
};

/**
 * One factory for every AWS SDK client a service uses. Clients are created on first use and
 * reused (keep-alive sockets, bounded by maxSockets). An endpoint override targets the local
 * stack; when one is set and no AWS credentials are in the environment, placeholder credentials
 * are used so that the SDK does not go looking for an instance role.
 */
export function createAwsClients(config: AwsClientConfig, options: AwsClientOptions = {}): AwsClients {
  // `timeout` on a keep-alive agent closes sockets idle in its pool (a socket in use is left alone).
  const agentOptions = {
    keepAlive: true,
    maxSockets: config.maxSockets,
    timeout: config.idleSocketTimeoutMs ?? 4000,
  };
  const httpAgent = new HttpAgent(agentOptions);
  const httpsAgent = new HttpsAgent(agentOptions);
  const requestHandler = () => new NodeHttpHandler({ httpAgent, httpsAgent, connectionTimeout: 3000 });
  const hasEnvCredentials = Boolean(process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE);

  const base = (endpoint: string | undefined) => ({
    region: config.region,
    ...(endpoint ? { endpoint } : {}),
    ...(endpoint && !hasEnvCredentials ? { credentials: LOCAL_CREDENTIALS } : {}),
    maxAttempts: options.maxAttempts ?? 3,
    // Request signing's HMACs without re-importing the same key on every call.
    sha256: KeyCachingSha256,
    logger: SDK_LOGGER,
    // Response bodies read by iteration, not piped: see stream-collector.ts.
    streamCollector: collectStream,
  });

  const created: { destroy(): void }[] = [];
  const lazy = <T extends { destroy(): void }>(make: () => T) => {
    let instance: T | undefined;
    return () => {
      if (!instance) {
        instance = make();
        created.push(instance);
        // A span per command when tracing is on (the document client shares its client's stack).
        if ('middlewareStack' in instance)
          traceAwsClient(instance as unknown as Parameters<typeof traceAwsClient>[0]);
        if ('config' in instance) reuseSigner(instance.config as SignerConfig);
      }
      return instance;
    };
  };

  const dynamodb = lazy(
    () => new DynamoDBClient({ ...base(config.endpoints.dynamodb), requestHandler: requestHandler() }),
  );
  const documentClient = lazy(() =>
    DynamoDBDocumentClient.from(dynamodb(), { marshallOptions: { removeUndefinedValues: true } }),
  );
  const dynamodbSingleAttempt = lazy(
    () =>
      new DynamoDBClient({
        ...base(config.endpoints.dynamodb),
        maxAttempts: 1,
        requestHandler: requestHandler(),
      }),
  );
  const documentClientSingleAttempt = lazy(() =>
    DynamoDBDocumentClient.from(dynamodbSingleAttempt(), {
      marshallOptions: { removeUndefinedValues: true },
    }),
  );
  const sqs = lazy(() => new SQSClient({ ...base(config.endpoints.sqs), requestHandler: requestHandler() }));
  // PutEvents is sent without per-call options and no command adds middleware of its own: the SDK
  // may resolve the middleware stack once per command class instead of on every call (0.12-0.16 ms
  // of the 1.1-1.4 ms a PutEvents of 10 entries costs here). Not for DynamoDB: the document client
  // resolves to a handler bound to its first command. Bedrock gains nothing (a call with options,
  // here its abort signal, is never cached).
  const eventBridge = lazy(
    () =>
      new EventBridgeClient({
        ...base(config.endpoints.eventbridge),
        requestHandler: requestHandler(),
        cacheMiddleware: true,
      }),
  );
  // Bedrock Runtime defaults to HTTP/2 (needed for AWS's bidirectional streams). A plain http://
  // endpoint (the local emulator) is served over HTTP/1.1 with keep-alive instead.
  const bedrock = lazy(() => {
    const endpoint = config.endpoints.bedrock;
    return new BedrockRuntimeClient({
      ...base(endpoint),
      maxAttempts: options.bedrockMaxAttempts ?? 3,
      ...(endpoint?.startsWith('http://') ? { requestHandler: requestHandler() } : {}),
    });
  });
  const secretsManager = lazy(
    () =>
      new SecretsManagerClient({
        ...base(config.endpoints.secretsManager),
        requestHandler: requestHandler(),
      }),
  );

  return {
    get dynamodb() {
      return dynamodb();
    },
    get documentClient() {
      return documentClient();
    },
    get documentClientSingleAttempt() {
      return documentClientSingleAttempt();
    },
    get sqs() {
      return sqs();
    },
    get eventBridge() {
      return eventBridge();
    },
    get bedrock() {
      return bedrock();
    },
    get secretsManager() {
      return secretsManager();
    },
    destroy() {
      for (const client of created.splice(0)) client.destroy();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

const REUSED = Symbol('signer reused');
type SignerConfig = { signer?: unknown; [REUSED]?: true };

/**
 * The SDK builds a new SigV4 signer (a copy of the whole client configuration) for every call; one
 * per auth scheme (service + region, constant for a client) is kept instead. The signer holds the
 * credentials provider, not credentials: refreshes happen as before.
 */
function reuseSigner(config: SignerConfig): void {
  const make = config.signer;
  if (typeof make !== 'function' || config[REUSED]) return;
  const signers = new Map<string, Promise<unknown>>();
  config.signer = (scheme?: { name?: string; signingName?: string; signingRegion?: string }) => {
    const key = `${scheme?.name}|${scheme?.signingName}|${scheme?.signingRegion}`;
    let signer = signers.get(key);
    if (!signer) {
      signer = Promise.resolve(make(scheme));
      signers.set(key, signer);
      signer.catch(() => signers.delete(key)); // a failed build is not kept
    }
    return signer;
  };
  config[REUSED] = true;
}

interface ServiceAws {
  aws: AwsClients;
  names: ResourceNames;
  /** Destroys the clients if they were built here; clients a test passed in stay the test's to close. */
  close(): void;
}

/** A service's AWS clients (built from its config unless given) and its resource names: the first step of every service. */
export function serviceAws(
  config: AwsEnv & ResourceNamesEnv,
  { clients, bedrockMaxAttempts }: { clients?: AwsClients; bedrockMaxAttempts?: number } = {},
): ServiceAws {
  const aws = clients ?? createAwsClients(awsClientConfigFromEnv(config), { bedrockMaxAttempts });
  return { aws, names: resourceNamesFromEnv(config), close: () => (clients ? undefined : aws.destroy()) };
}
