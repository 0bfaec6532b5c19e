import { z } from 'zod';
import { detailSchemas } from './parse';
import { SOURCE_BY_DETAIL_TYPE, type DetailType } from './sources';

/**
 * The JSON Schema (Draft 4, the format of EventBridge's schema registry) of a whole event of one
 * detail type: the EventBridge envelope with its source and detail type fixed and `detail`
 * generated from the same zod schema the publisher and consumers validate with.
 */
export function eventJsonSchema(detailType: DetailType): Record<string, unknown> {
  const detail = z.toJSONSchema(detailSchemas[detailType], {
    target: 'draft-04',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  // Definitions live at the root of the document, where the detail's `#/definitions/...` refs point.
  const { $schema, definitions, ...detailBody } = detail;
  const string = { type: 'string' };
  return {
    $schema,
    title: detailType,
    type: 'object',
    required: ['detail-type', 'source', 'detail'],
    properties: {
      version: string,
      id: string,
      'detail-type': { type: 'string', enum: [detailType] },
      source: { type: 'string', enum: [SOURCE_BY_DETAIL_TYPE[detailType]] },
      account: string,
      time: { type: 'string', format: 'date-time' },
      region: string,
      resources: { type: 'array', items: string },
      detail: detailBody,
    },
    ...(definitions ? { definitions } : {}),
  };
}
