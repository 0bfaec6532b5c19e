/**
 * Everything that differs between stages, in one typed place. Defaults are sized for the seeds'
 * targets (1M chat messages/day, 2,000 enrichment jobs at once) in prod and for a cheap, idle
 * platform in dev. Nothing here names an AWS account: stacks are environment-agnostic unless
 * CDK_DEFAULT_ACCOUNT (set by the CDK CLI from the deploying credentials) names one.
 */
export type StageName = 'dev' | 'prod';
export type EnrichmentRuntime = 'ecs' | 'lambda';
export type AppName = 'chat-gateway' | 'webhook-receiver' | 'enrichment-worker' | 'moderation-consumer';

export const APP_NAMES: readonly AppName[] = [
  'chat-gateway',
  'webhook-receiver',
  'enrichment-worker',
  'moderation-consumer',
];

export interface ServiceSize {
  /** Fargate task CPU units (256 = 0.25 vCPU) and memory (MiB), sidecar included. */
  cpu: number;
  memoryMiB: number;
  minTasks: number;
  maxTasks: number;
}

export interface StageSettings {
  stage: StageName;
  /**
   * AWS region (the account stays whatever the deploying credentials use). Concrete rather than
   * agnostic because ALB access logging and Bedrock model ARNs depend on it.
   */
  region: string;
  /** Image tag of every `manga-assist/<app>` ECR repository (the 12-character git revision). */
  imageTag: string;
  /** Availability zones for the VPC (2 keeps ALB and Redis multi-AZ). */
  maxAzs: number;
  /**
   * NAT gateways. 0: the services reach AWS through VPC endpoints only; the moderation consumer's
   * outbound webhooks (alerts, CRM) then need a NAT (set 1+) or targets reachable inside the VPC.
   */
  natGateways: number;
  /** ACM certificate for the ALB's HTTPS listener; unset = a `CertificateArn` deploy-time parameter. */
  certificateArn?: string;
  /** Route 53 / DNS name pointed at the ALB (documentation only; the stack outputs the ALB name). */
  domainName?: string;
  alarmEmail?: string;
  /** Model ids the services call: foundation-model ids or inference profiles (`us.anthropic...`). */
  models: { default: string; complex: string };
  services: Record<AppName, ServiceSize>;
  enrichment: {
    runtime: EnrichmentRuntime;
    /** Worker scale-out: messages visible per running task it aims for. */
    backlogPerTask: number;
    lambda: { reservedConcurrency: number; maxConcurrency: number; batchSize: number; memoryMiB: number };
  };
  gateway: { cpuTargetPercent: number; connectionsPerTask: number };
  redis: { nodeType: string; replicas: number };
  waf: {
    /** Requests per 5 minutes per client IP before the rate-based rule blocks. */
    ratePer5Min: number;
    /** Optional source-IP allowlist per webhook source (CIDRs); a listed source accepts only these. */
    webhookAllowlist: Partial<Record<'stripe' | 'reviews' | 'catalog', string[]>>;
  };
  alarms: {
    http5xxPercent: number;
    modelLatencyP95Seconds: number;
    enrichmentQueueDepth: number;
    oldestMessageAgeSeconds: number;
    modelThrottlesPer5Min: number;
    fallbackPercent: number;
    /** Lambda variant: concurrent executions above this share of the reserved concurrency. */
    lambdaConcurrencyShare: number;
    /** 4xx by language: anomaly-detection band width (standard deviations above the baseline). */
    client4xxBandStdDevs: number;
  };
  /** Outbound webhook targets of the moderation consumer (alerts, order confirmations). */
  outbound: { alertWebhookUrl: string; crmWebhookUrl: string };
  logRetentionDays: 7 | 14 | 30 | 90 | 365;
  /** Share of traces sampled (parent-based): X-Ray bills per trace recorded. */
  tracesSampleRatio: number;
  /** ADOT collector (traces to X-Ray), pulled through an ECR pull-through cache of public.ecr.aws. */
  otelCollector: { repository: string; tag: string };
  /** The services' graceful-shutdown bounds (SHUTDOWN_TIMEOUT_MS), which stopTimeout must cover. */
  shutdownSeconds: Record<AppName, number>;
}

const size = (cpu: number, memoryMiB: number, minTasks: number, maxTasks: number): ServiceSize => ({
  cpu,
  memoryMiB,
  minTasks,
  maxTasks,
});

const common = {
  region: 'us-east-1',
  imageTag: 'latest',
  maxAzs: 2,
  natGateways: 0,
  models: {
    default: 'anthropic.claude-3-haiku-20240307-v1:0',
    complex: 'anthropic.claude-3-sonnet-20240229-v1:0',
  },
  gateway: { cpuTargetPercent: 60, connectionsPerTask: 5_000 },
  alarms: {
    http5xxPercent: 5,
    modelLatencyP95Seconds: 20,
    enrichmentQueueDepth: 10_000,
    oldestMessageAgeSeconds: 15 * 60,
    modelThrottlesPer5Min: 50,
    fallbackPercent: 5,
    lambdaConcurrencyShare: 0.8,
    client4xxBandStdDevs: 3,
  },
  outbound: {
    alertWebhookUrl: 'https://alerts.example.invalid/manga-assist',
    crmWebhookUrl: 'https://crm.example.invalid/manga-assist',
  },
  otelCollector: { repository: 'aws-observability/aws-otel-collector', tag: 'v0.43.3' },
  // Mirrors each app's SHUTDOWN_TIMEOUT_MS default (apps/*/src/config.ts).
  shutdownSeconds: {
    'chat-gateway': 15,
    'webhook-receiver': 15,
    'enrichment-worker': 60,
    'moderation-consumer': 30,
  },
} satisfies Partial<StageSettings>;

// Every task has at most one vCPU (1024 units): the image runs node --single-threaded for that
// reason (apps/Dockerfile). Give a task more and revisit the flag.
export const STAGES: Record<StageName, StageSettings> = {
  dev: {
    ...common,
    stage: 'dev',
    services: {
      'chat-gateway': size(512, 1024, 1, 2),
      'webhook-receiver': size(256, 512, 1, 2),
      'enrichment-worker': size(512, 1024, 1, 2),
      'moderation-consumer': size(256, 512, 1, 1),
    },
    enrichment: {
      runtime: 'ecs',
      backlogPerTask: 500,
      lambda: { reservedConcurrency: 10, maxConcurrency: 5, batchSize: 10, memoryMiB: 512 },
    },
    redis: { nodeType: 'cache.t4g.micro', replicas: 0 },
    waf: { ratePer5Min: 2_000, webhookAllowlist: {} },
    logRetentionDays: 7,
    tracesSampleRatio: 1,
  },
  prod: {
    ...common,
    stage: 'prod',
    services: {
      'chat-gateway': size(1024, 2048, 2, 20),
      'webhook-receiver': size(512, 1024, 2, 6),
      'enrichment-worker': size(1024, 2048, 1, 10),
      'moderation-consumer': size(512, 1024, 2, 4),
    },
    enrichment: {
      runtime: 'ecs',
      backlogPerTask: 500,
      lambda: { reservedConcurrency: 100, maxConcurrency: 50, batchSize: 10, memoryMiB: 1024 },
    },
    redis: { nodeType: 'cache.t4g.small', replicas: 1 },
    waf: { ratePer5Min: 2_000, webhookAllowlist: {} },
    logRetentionDays: 30,
    tracesSampleRatio: 0.05,
  },
};

export function isStageName(value: string): value is StageName {
  return value === 'dev' || value === 'prod';
}

/**
 * The settings of one stage with deploy-time overrides (CDK context, e.g. `-c imageTag=abc123`, `-c region=ap-northeast-1`,
 * `-c alarmEmail=ops@example.com`, `-c certificateArn=arn:...`, `-c enrichmentRuntime=lambda`,
 * `-c modelDefault=us.anthropic.claude-3-5-haiku-20241022-v1:0`).
 */
export function stageSettings(stage: StageName, context: Record<string, unknown> = {}): StageSettings {
  const base = STAGES[stage];
  const str = (key: string) =>
    typeof context[key] === 'string' && context[key] !== '' ? (context[key] as string) : undefined;
  const runtime = str('enrichmentRuntime');
  if (runtime !== undefined && runtime !== 'ecs' && runtime !== 'lambda') {
    throw new Error(`enrichmentRuntime must be "ecs" or "lambda", got "${runtime}"`);
  }
  return {
    ...base,
    region: str('region') ?? base.region,
    imageTag: str('imageTag') ?? base.imageTag,
    certificateArn: str('certificateArn') ?? base.certificateArn,
    alarmEmail: str('alarmEmail') ?? base.alarmEmail,
    domainName: str('domainName') ?? base.domainName,
    models: {
      default: str('modelDefault') ?? base.models.default,
      complex: str('modelComplex') ?? base.models.complex,
    },
    enrichment: {
      ...base.enrichment,
      runtime: (runtime as EnrichmentRuntime | undefined) ?? base.enrichment.runtime,
    },
  };
}
