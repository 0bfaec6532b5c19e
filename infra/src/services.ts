import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { queueDefinitions, resourceNamesToEnv, type ResourceNames } from '@manga-assist/aws-clients';
import { bedrockInvokeStatement } from './bedrock';
import type { DataPlane } from './data';
import type { EventRouting } from './events';
import { pascal } from './names';
import type { Network, Redis } from './network';
import { importSecrets, secretName } from './secrets';
import { APP_NAMES, type AppName, type StageSettings } from './settings';

export const APP_PORTS: Record<AppName, number> = {
  'chat-gateway': 3000,
  'webhook-receiver': 3001,
  'enrichment-worker': 3002,
  'moderation-consumer': 3003,
};

/** Where the ADOT sidecar receives OTLP/HTTP from the app container (same task, same network namespace). */
export const OTLP_ENDPOINT = 'http://localhost:4318';

/** CloudWatch namespace of the services' EMF metrics, one per stage. */
export const metricsNamespace = (stage: string) => `MangaAssist/${stage}`;

const XRAY_ACTIONS = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:GetSamplingStatisticSummaries',
];

/** Collector configuration: OTLP/HTTP on loopback only, traces batched to X-Ray. */
const OTEL_CONFIG = `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:4318
processors:
  batch/traces:
    timeout: 1s
    send_batch_size: 50
exporters:
  awsxray: {}
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch/traces]
      exporters: [awsxray]
`;

export interface ServicesProps {
  settings: StageSettings;
  names: ResourceNames;
  network: Network;
  data: DataPlane;
  routing: EventRouting;
  redis: Redis;
}

interface Wiring {
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
  grant(role: iam.IRole): void;
}

/**
 * The ECS cluster and the four Fargate services, each task = the app's image from
 * `manga-assist/<app>` + an ADOT collector sidecar. Every task role gets exactly its tables,
 * queues, bus and secrets through grants, and Bedrock only on the configured models.
 */
export class Services extends Construct {
  readonly cluster: ecs.Cluster;
  readonly services = {} as Record<AppName, ecs.FargateService>;
  readonly taskDefinitions = {} as Record<AppName, ecs.FargateTaskDefinition>;
  readonly securityGroups = {} as Record<AppName, ec2.SecurityGroup>;

  constructor(scope: Construct, id: string, props: ServicesProps) {
    super(scope, id);
    const { settings, names, network, data, routing, redis } = props;
    const stack = Stack.of(this);
    const removalPolicy = settings.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: network.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const secrets = importSecrets(this, settings.stage);
    const modelIds = [settings.models.default, settings.models.complex];
    const enrichmentDef = queueDefinitions(names).find((q) => q.name === names.queues.enrichment);
    if (!enrichmentDef) throw new Error('queueDefinitions() has no enrichment queue');

    // The collector image through an ECR pull-through cache of public.ecr.aws: pulled over the
    // ECR endpoints like the apps' images, so no NAT is needed for it either.
    const cachePrefix = `ma-${settings.stage}-ecr-public`;
    new ecr.CfnPullThroughCacheRule(this, 'EcrPublicCache', {
      ecrRepositoryPrefix: cachePrefix,
      upstreamRegistryUrl: 'public.ecr.aws',
    });
    const otelRepository = ecr.Repository.fromRepositoryName(
      this,
      'OtelRepository',
      `${cachePrefix}/${settings.otelCollector.repository}`,
    );

    const common = (app: AppName): Record<string, string> => ({
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      AWS_REGION: stack.region,
      PORT: String(APP_PORTS[app]),
      ...resourceNamesToEnv(names),
      FM_MODEL_DEFAULT: settings.models.default,
      FM_MODEL_COMPLEX: settings.models.complex,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: OTLP_ENDPOINT,
      OTEL_SERVICE_NAME: app,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: String(settings.tracesSampleRatio),
      METRICS_EMF: 'true',
      METRICS_EMF_NAMESPACE: metricsNamespace(settings.stage),
    });
    const invokeModels = (role: iam.IRole) =>
      role.addToPrincipalPolicy(bedrockInvokeStatement(stack, modelIds));

    const wiring: Record<AppName, Wiring> = {
      'chat-gateway': {
        environment: { REDIS_URL: redis.url },
        secrets: { AUTH_JWT_SECRET: ecs.Secret.fromSecretsManager(secrets.authJwt) },
        grant: (role) => {
          data.tables.sessions.grantReadWriteData(role);
          data.tables.catalog.grantReadData(role);
          routing.bus.grantPutEventsTo(role);
          invokeModels(role);
        },
      },
      'webhook-receiver': {
        // The service reads (and re-reads, for rotation) the signing secrets itself.
        environment: { WEBHOOK_SECRETS_ARN: secretName(settings.stage, 'webhookSigning') },
        secrets: {},
        grant: (role) => {
          data.tables.idempotency.grantReadWriteData(role);
          routing.bus.grantPutEventsTo(role);
          secrets.webhookSigning.grantRead(role);
          invokeModels(role);
        },
      },
      'enrichment-worker': {
        environment: {
          // With the Lambda variant the queue is consumed by the function; the service keeps the admin API.
          WORKER_CONSUME: String(settings.enrichment.runtime === 'ecs'),
          VISIBILITY_TIMEOUT_SECONDS: String(enrichmentDef.visibilityTimeoutSeconds),
          JOB_MAX_RECEIVES: String(enrichmentDef.maxReceiveCount),
        },
        secrets: {},
        grant: (role) => grantEnrichment(role, data, routing, modelIds),
      },
      'moderation-consumer': {
        environment: {
          ALERT_WEBHOOK_URL: settings.outbound.alertWebhookUrl,
          CRM_WEBHOOK_URL: settings.outbound.crmWebhookUrl,
        },
        secrets: {
          ALERT_WEBHOOK_SECRET: ecs.Secret.fromSecretsManager(secrets.alertWebhook),
          CRM_WEBHOOK_SECRET: ecs.Secret.fromSecretsManager(secrets.crmWebhook),
        },
        grant: (role) => {
          data.tables.reviews.grantReadWriteData(role);
          data.queues.moderation.grantConsumeMessages(role);
          data.queues.moderationDlq.grantSendMessages(role);
          routing.bus.grantPutEventsTo(role);
          invokeModels(role);
        },
      },
    };

    for (const app of APP_NAMES) {
      const id = pascal(app);
      const size = settings.services[app];
      const port = APP_PORTS[app];
      const logGroup = new logs.LogGroup(this, `${id}Logs`, {
        logGroupName: `/manga-assist/${settings.stage}/${app}`,
        retention: settings.logRetentionDays,
        removalPolicy,
      });
      const task = new ecs.FargateTaskDefinition(this, `${id}Task`, {
        family: `manga-assist-${settings.stage}-${app}`,
        cpu: size.cpu,
        memoryLimitMiB: size.memoryMiB,
      });
      const repository = ecr.Repository.fromRepositoryName(this, `${id}Repository`, `manga-assist/${app}`);
      const container = task.addContainer('app', {
        containerName: app,
        image: ecs.ContainerImage.fromEcrRepository(repository, settings.imageTag),
        essential: true,
        environment: { ...common(app), ...wiring[app].environment },
        secrets: wiring[app].secrets,
        portMappings: [{ containerPort: port, name: 'http' }],
        logging: ecs.LogDrivers.awsLogs({
          streamPrefix: 'app',
          logGroup,
          mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        }),
        // ECS sends SIGTERM, then SIGKILL after this: it must cover the service's drain bound.
        stopTimeout: Duration.seconds(Math.min(120, settings.shutdownSeconds[app] + 5)),
        // Not ready (e.g. the start-up permission check failed) = unhealthy = replaced, and the
        // deployment circuit breaker rolls back.
        healthCheck: {
          command: [
            'CMD',
            'node',
            '-e',
            `fetch('http://127.0.0.1:${port}/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
          ],
          interval: Duration.seconds(15),
          timeout: Duration.seconds(5),
          retries: 3,
          startPeriod: Duration.seconds(30),
        },
      });
      const collector = task.addContainer('otel', {
        containerName: 'aws-otel-collector',
        image: ecs.ContainerImage.fromEcrRepository(otelRepository, settings.otelCollector.tag),
        essential: false,
        memoryReservationMiB: 64,
        environment: { AOT_CONFIG_CONTENT: OTEL_CONFIG, AWS_REGION: stack.region },
        logging: ecs.LogDrivers.awsLogs({
          streamPrefix: 'otel',
          logGroup,
          mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        }),
      });
      container.addContainerDependencies({
        container: collector,
        condition: ecs.ContainerDependencyCondition.START,
      });
      task.obtainExecutionRole().addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'PullThroughCacheFirstPull',
          actions: ['ecr:CreateRepository', 'ecr:BatchImportUpstreamImage'],
          resources: [
            `arn:${stack.partition}:ecr:${stack.region}:${stack.account}:repository/${cachePrefix}/*`,
          ],
        }),
      );
      task.taskRole.addToPrincipalPolicy(
        // X-Ray has no resource-level permissions for these actions.
        new iam.PolicyStatement({ sid: 'XRayWrite', actions: XRAY_ACTIONS, resources: ['*'] }),
      );
      wiring[app].grant(task.taskRole);

      const securityGroup = new ec2.SecurityGroup(this, `${id}SecurityGroup`, {
        vpc: network.vpc,
        description: `${app} tasks`,
        allowAllOutbound: true,
      });
      const service = new ecs.FargateService(this, `${id}Service`, {
        cluster: this.cluster,
        taskDefinition: task,
        desiredCount: size.minTasks,
        vpcSubnets: network.privateSubnets,
        securityGroups: [securityGroup],
        assignPublicIp: false,
        circuitBreaker: { enable: true, rollback: true },
        minHealthyPercent: 100,
        maxHealthyPercent: 200,
        ...(app === 'chat-gateway' || app === 'webhook-receiver'
          ? { healthCheckGracePeriod: Duration.seconds(60) }
          : {}),
      });
      this.services[app] = service;
      this.taskDefinitions[app] = task;
      this.securityGroups[app] = securityGroup;
    }
    redis.securityGroup.addIngressRule(
      this.securityGroups['chat-gateway'],
      ec2.Port.tcp(redis.port),
      'chat-gateway to Redis (TLS)',
    );
  }
}

/** The enrichment consumer's grants, shared by the ECS service and the Lambda variant. */
export function grantEnrichment(
  role: iam.IRole,
  data: DataPlane,
  routing: EventRouting,
  modelIds: readonly string[],
): void {
  data.tables.catalog.grantReadWriteData(role);
  data.tables.enrichmentJobs.grantReadWriteData(role);
  data.queues.enrichment.grantConsumeMessages(role);
  data.queues.enrichment.grantSendMessages(role);
  data.queues.enrichmentDlq.grantSendMessages(role);
  routing.bus.grantPutEventsTo(role);
  role.addToPrincipalPolicy(bedrockInvokeStatement(Stack.of(data), modelIds));
}
