import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DataPlane } from './data';
import { Edge } from './edge';
import { EnrichmentLambda, LAMBDA_BUNDLE_DIR } from './enrichment-lambda';
import { EventRouting } from './events';
import { EventSchemaRegistry } from './event-schemas';
import { Monitoring } from './monitoring';
import { stageResourceNames } from './names';
import { Network, Redis } from './network';
import { Scaling } from './scaling';
import { Services } from './services';
import type { StageSettings } from './settings';
import { acknowledgeNagFindings } from './nag';

export interface MangaAssistStackProps extends StackProps {
  settings: StageSettings;
  /** Where the bundled enrichment Lambda lives (Lambda variant only). */
  lambdaBundleDir?: string;
}

/** One stage of the whole platform: data, events, network, compute, edge, scaling, alarms. */
export class MangaAssistStack extends Stack {
  readonly data: DataPlane;
  readonly routing: EventRouting;
  readonly services: Services;
  readonly monitoring: Monitoring;
  readonly enrichmentLambda?: EnrichmentLambda;

  constructor(scope: Construct, id: string, props: MangaAssistStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const names = stageResourceNames(settings.stage);
    const protect = settings.stage === 'prod';

    this.data = new DataPlane(this, 'Data', { names, protect });
    this.routing = new EventRouting(this, 'Events', {
      names,
      queuesByName: this.data.queuesByName,
      archiveDays: 30,
      protect,
    });
    new EventSchemaRegistry(this, 'EventSchemas', { busName: names.eventBusName });
    const network = new Network(this, 'Network', {
      maxAzs: settings.maxAzs,
      natGateways: settings.natGateways,
      logRetentionDays: settings.logRetentionDays as logs.RetentionDays,
    });
    const redis = new Redis(this, 'Redis', {
      vpc: network.vpc,
      subnets: network.privateSubnets,
      nodeType: settings.redis.nodeType,
      replicas: settings.redis.replicas,
    });
    this.services = new Services(this, 'Services', {
      settings,
      names,
      network,
      data: this.data,
      routing: this.routing,
      redis,
    });
    const svc = this.services.services;
    const edge = new Edge(this, 'Edge', {
      settings,
      vpc: network.vpc,
      gateway: svc['chat-gateway'],
      webhooks: svc['webhook-receiver'],
    });
    if (settings.enrichment.runtime === 'lambda') {
      this.enrichmentLambda = new EnrichmentLambda(this, 'EnrichmentLambda', {
        settings,
        names,
        data: this.data,
        routing: this.routing,
        bundleDir: props.lambdaBundleDir ?? LAMBDA_BUNDLE_DIR,
      });
    }
    new Scaling(this, 'Scaling', {
      settings,
      cluster: this.services.cluster,
      gateway: svc['chat-gateway'],
      worker: svc['enrichment-worker'],
      webhooks: svc['webhook-receiver'],
      moderation: svc['moderation-consumer'],
      enrichmentQueue: this.data.queues.enrichment,
      moderationQueue: this.data.queues.moderation,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      settings,
      alb: edge.alb,
      enrichmentQueue: this.data.queues.enrichment,
      moderationQueue: this.data.queues.moderation,
      dlqs: {
        enrichment: this.data.queues.enrichmentDlq,
        moderation: this.data.queues.moderationDlq,
        events: this.routing.eventsDlq,
      },
      catalogTable: this.data.tables.catalog,
      enrichmentFunction: this.enrichmentLambda?.fn,
    });

    new CfnOutput(this, 'LoadBalancerDns', { value: edge.alb.loadBalancerDnsName });
    new CfnOutput(this, 'EventBusName', { value: this.routing.bus.eventBusName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    acknowledgeNagFindings(this, settings);
  }
}
