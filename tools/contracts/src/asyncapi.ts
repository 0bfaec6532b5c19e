import { z } from 'zod';
import { jsonSchemaOf } from '@manga-assist/api-contracts';
import { resourceNamesEnv, resourceNamesFromEnv } from '@manga-assist/aws-clients';
import {
  SOURCE_BY_DETAIL_TYPE,
  detailSchemas,
  routingRules,
  type DetailType,
} from '@manga-assist/event-schemas';
import { chatWsAsyncApi } from '../../../apps/chat-gateway/src/asyncapi';

const key = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

/** The rules whose `detail-type` condition (exact or prefix) lets this detail type through. */
function rulesFor(detailType: DetailType) {
  const names = resourceNamesFromEnv(z.object(resourceNamesEnv).parse({}));
  return routingRules(names).filter((rule) =>
    ((rule.pattern['detail-type'] ?? []) as unknown[]).some((c) =>
      typeof c === 'string'
        ? c === detailType
        : typeof (c as { prefix?: string }).prefix === 'string' &&
          detailType.startsWith((c as { prefix: string }).prefix),
    ),
  );
}

/** AsyncAPI 3 for the bus: one channel per detail type, payload = its event-schemas schema. */
export function busAsyncApi(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const detailType of Object.keys(detailSchemas) as DetailType[]) {
    const k = key(detailType);
    const rules = rulesFor(detailType);
    messages[k] = {
      name: detailType,
      title: detailType,
      summary: `source ${SOURCE_BY_DETAIL_TYPE[detailType]}`,
      payload: jsonSchemaOf(detailSchemas[detailType], 'output'),
    };
    channels[k] = {
      address: detailType,
      title: detailType,
      description:
        `Detail type "${detailType}" from source "${SOURCE_BY_DETAIL_TYPE[detailType]}". Delivered by: ` +
        (rules.length
          ? rules.map((r) => `${r.name} -> ${r.target.queueName} (${r.description})`).join('; ')
          : 'no queue rule (archive/analytics only)'),
      messages: { [k]: { $ref: `#/components/messages/${k}` } },
      'x-eventbridge': {
        source: SOURCE_BY_DETAIL_TYPE[detailType],
        rules: rules.map((r) => ({ name: r.name, pattern: r.pattern, target: r.target.queueName })),
      },
    };
    operations[`publish_${k}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${k}` },
      summary: `Published by ${SOURCE_BY_DETAIL_TYPE[detailType]}`,
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'MangaAssist event bus',
      version: '1.0.0',
      description: 'Events on the EventBridge bus; the payload is the event `detail`.',
    },
    channels,
    operations,
    components: { messages },
  };
}

export const ASYNCAPI_DOCUMENTS = [
  { name: 'event-bus', file: 'event-bus.asyncapi.json', build: busAsyncApi },
  { name: 'chat-websocket', file: 'chat-gateway.asyncapi.json', build: chatWsAsyncApi },
];
