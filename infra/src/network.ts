import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface NetworkProps {
  maxAzs: number;
  natGateways: number;
  logRetentionDays: logs.RetentionDays;
}

const VPC_CIDR = '10.40.0.0/16';

/** The interface endpoints that let tasks in private subnets reach AWS without a NAT. */
const INTERFACE_ENDPOINTS: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
  Sqs: ec2.InterfaceVpcEndpointAwsService.SQS,
  Events: ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE,
  BedrockRuntime: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME,
  SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  XRay: ec2.InterfaceVpcEndpointAwsService.XRAY,
};

/**
 * A VPC with public subnets (the ALB only) and private subnets (tasks, Redis, endpoints).
 * DynamoDB and S3 (ECR image layers) through gateway endpoints, the rest through interface
 * endpoints: with natGateways 0 the private subnets have no route to the internet at all.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly privateSubnets: ec2.SubnetSelection;

  constructor(scope: Construct, id: string, { maxAzs, natGateways, logRetentionDays }: NetworkProps) {
    super(scope, id);
    const privateType =
      natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;
    this.privateSubnets = { subnetType: privateType };
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', { retention: logRetentionDays });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(VPC_CIDR),
      maxAzs,
      natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: privateType, cidrMask: 20 },
      ],
      flowLogs: {
        rejected: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
          trafficType: ec2.FlowLogTrafficType.REJECT,
        },
      },
    });
    this.vpc.addGatewayEndpoint('DynamoDb', {
      service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [this.privateSubnets],
    });
    this.vpc.addGatewayEndpoint('S3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [this.privateSubnets],
    });
    const endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'Interface endpoints: HTTPS from inside the VPC only',
      allowAllOutbound: false,
    });
    endpointSecurityGroup.addIngressRule(ec2.Peer.ipv4(VPC_CIDR), ec2.Port.tcp(443), 'HTTPS from the VPC');
    for (const [name, service] of Object.entries(INTERFACE_ENDPOINTS)) {
      this.vpc.addInterfaceEndpoint(name, {
        service,
        subnets: this.privateSubnets,
        privateDnsEnabled: true,
        securityGroups: [endpointSecurityGroup],
        open: false,
      });
    }
  }
}

export interface RedisProps {
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  nodeType: string;
  replicas: number;
}

/** ElastiCache Redis (response cache, rate limits): TLS in transit, encrypted at rest, private subnets. */
export class Redis extends Construct {
  readonly securityGroup: ec2.SecurityGroup;
  readonly url: string;
  readonly port = 6380;

  constructor(scope: Construct, id: string, { vpc, subnets, nodeType, replicas }: RedisProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Redis: reachable only from the services that use it',
      allowAllOutbound: false,
    });
    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'Subnets', {
      description: 'MangaAssist Redis private subnets',
      subnetIds: vpc.selectSubnets(subnets).subnetIds,
    });
    const group = new elasticache.CfnReplicationGroup(this, 'Cluster', {
      replicationGroupDescription: 'MangaAssist response cache and rate limits',
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: nodeType,
      numCacheClusters: 1 + replicas,
      automaticFailoverEnabled: replicas > 0,
      multiAzEnabled: replicas > 0,
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      port: this.port,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
    });
    this.url = `rediss://${group.attrPrimaryEndPointAddress}:${group.attrPrimaryEndPointPort}`;
  }
}
