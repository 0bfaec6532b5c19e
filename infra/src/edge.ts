import { CfnParameter, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { APP_PORTS } from './services';
import type { StageSettings } from './settings';

/** Above the gateway's WebSocket heartbeat (WS_HEARTBEAT_MS, 30 s): an idle socket is pinged before the ALB cuts it. */
export const ALB_IDLE_TIMEOUT_SECONDS = 120;
/** Covers the longest synchronous request (the 29 s ceiling) so a draining target finishes its requests. */
export const DEREGISTRATION_DELAY_SECONDS = 30;

export interface EdgeProps {
  settings: StageSettings;
  vpc: ec2.IVpc;
  gateway: ecs.FargateService;
  webhooks: ecs.FargateService;
}

/**
 * Internet-facing ALB (HTTPS, HTTP redirected) in front of chat-gateway (default) and
 * webhook-receiver (`/webhooks/*`), protected by a WAF web ACL: AWS managed rule groups, a
 * rate-based rule per client IP and, per webhook source, an optional source-IP allowlist.
 */
export class Edge extends Construct {
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly gatewayTargets: elbv2.ApplicationTargetGroup;
  readonly webhookTargets: elbv2.ApplicationTargetGroup;
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, { settings, vpc, gateway, webhooks }: EdgeProps) {
    super(scope, id);
    const certificateArn =
      settings.certificateArn ??
      new CfnParameter(this, 'CertificateArn', {
        type: 'String',
        description: 'ACM certificate ARN for the HTTPS listener (same region as the stack)',
        allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/.+$',
      }).valueAsString;

    const logs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: settings.stage === 'prod' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: settings.stage !== 'prod',
    });
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Public ALB: HTTPS, and HTTP only to redirect',
      allowAllOutbound: false,
    });
    securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS from the internet');
    securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP, redirected to HTTPS');
    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup,
      idleTimeout: Duration.seconds(ALB_IDLE_TIMEOUT_SECONDS),
      dropInvalidHeaderFields: true,
    });
    this.alb.logAccessLogs(logs, 'alb');
    this.alb.addRedirect({ sourcePort: 80, targetPort: 443 });
    const https = this.alb.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'application/json',
        messageBody: '{"error":"not_found"}',
      }),
    });
    const targetGroup = (
      name: string,
      service: ecs.FargateService,
      app: 'chat-gateway' | 'webhook-receiver',
    ) =>
      new elbv2.ApplicationTargetGroup(this, name, {
        vpc,
        port: APP_PORTS[app],
        protocol: elbv2.ApplicationProtocol.HTTP,
        targets: [service.loadBalancerTarget({ containerName: app, containerPort: APP_PORTS[app] })],
        deregistrationDelay: Duration.seconds(DEREGISTRATION_DELAY_SECONDS),
        healthCheck: {
          path: '/readyz',
          interval: Duration.seconds(15),
          timeout: Duration.seconds(5),
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 3,
        },
      });
    this.webhookTargets = targetGroup('WebhookTargets', webhooks, 'webhook-receiver');
    this.gatewayTargets = targetGroup('GatewayTargets', gateway, 'chat-gateway');
    https.addAction('Webhooks', {
      priority: 10,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/webhooks/*'])],
      action: elbv2.ListenerAction.forward([this.webhookTargets]),
    });
    https.addAction('Chat', {
      priority: 20,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
      action: elbv2.ListenerAction.forward([this.gatewayTargets]),
    });

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`manga-assist-${settings.stage}`),
      rules: webAclRules(this, settings),
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAlb', {
      resourceArn: this.alb.loadBalancerArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}

const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  sampledRequestsEnabled: true,
  metricName,
});

const managed = (
  name: string,
  priority: number,
  overrides: wafv2.CfnWebACL.RuleActionOverrideProperty[] = [],
): wafv2.CfnWebACL.RuleProperty => ({
  name,
  priority,
  overrideAction: { none: {} },
  statement: {
    managedRuleGroupStatement: {
      vendorName: 'AWS',
      name,
      ...(overrides.length ? { ruleActionOverrides: overrides } : {}),
    },
  },
  visibilityConfig: visibility(name),
});

function webAclRules(scope: Construct, settings: StageSettings): wafv2.CfnWebACL.RuleProperty[] {
  const rules: wafv2.CfnWebACL.RuleProperty[] = [
    // Webhook bodies (catalog feeds) legitimately exceed the rule group's 8 KB body check; the
    // receiver bounds body size itself (413).
    managed('AWSManagedRulesCommonRuleSet', 10, [
      { name: 'SizeRestrictions_BODY', actionToUse: { count: {} } },
    ]),
    managed('AWSManagedRulesKnownBadInputsRuleSet', 20),
    managed('AWSManagedRulesAmazonIpReputationList', 30),
    {
      name: 'RatePerClientIp',
      priority: 40,
      action: { block: {} },
      statement: { rateBasedStatement: { limit: settings.waf.ratePer5Min, aggregateKeyType: 'IP' } },
      visibilityConfig: visibility('RatePerClientIp'),
    },
  ];
  let priority = 50;
  for (const [source, cidrs] of Object.entries(settings.waf.webhookAllowlist)) {
    if (!cidrs?.length) continue;
    const ipSet = new wafv2.CfnIPSet(scope, `Allowlist-${source}`, {
      scope: 'REGIONAL',
      ipAddressVersion: 'IPV4',
      addresses: cidrs,
      description: `Addresses ${source} delivers webhooks from`,
    });
    rules.push({
      name: `WebhookAllowlist-${source}`,
      priority: priority++,
      action: { block: {} },
      statement: {
        andStatement: {
          statements: [
            {
              byteMatchStatement: {
                fieldToMatch: { uriPath: {} },
                positionalConstraint: 'STARTS_WITH',
                searchString: `/webhooks/${source}`,
                textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
              },
            },
            { notStatement: { statement: { ipSetReferenceStatement: { arn: ipSet.attrArn } } } },
          ],
        },
      },
      visibilityConfig: visibility(`WebhookAllowlist-${source}`),
    });
  }
  return rules;
}
