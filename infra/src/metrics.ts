import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { metricsNamespace } from './services';
import type { AppName } from './settings';

/**
 * The services' own metrics as CloudWatch sees them: the Prometheus metric names, published in
 * Embedded Metric Format (libs/service-runtime) under MangaAssist/<stage> with the `service`
 * dimension, alone and with each of the metric's labels and pairs of labels.
 */
export function serviceMetric(
  stage: string,
  service: AppName,
  metricName: string,
  statistic: string,
  labels: Record<string, string> = {},
  period = Duration.minutes(5),
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: metricsNamespace(stage),
    metricName,
    dimensionsMap: { service, ...labels },
    statistic,
    period,
  });
}

/** Open WebSockets per gateway task (the gauge's average over the tasks reporting it). */
export const gatewayOpenConnections = (stage: string) =>
  serviceMetric(
    stage,
    'chat-gateway',
    'chat_websockets_open',
    cloudwatch.Stats.AVERAGE,
    {},
    Duration.minutes(1),
  );

/** A SEARCH over every label combination of a metric, for dashboards (alarms cannot use SEARCH). */
export function searchExpression(
  stage: string,
  service: AppName,
  metricName: string,
  labels: string[],
  stat: string,
) {
  const schema = [metricsNamespace(stage), 'service', ...labels].join(',');
  return `SEARCH('{${schema}} MetricName="${metricName}" service="${service}"', '${stat}', 300)`;
}
