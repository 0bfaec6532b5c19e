import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import { DETAIL_TYPES, SOURCE_BY_DETAIL_TYPE, eventJsonSchema } from '@manga-assist/event-schemas';

/**
 * A schema registry for the bus with one JSON Schema (Draft 4) per detail type, generated from the
 * zod schemas of libs/event-schemas, so consumers can browse events and generate code bindings.
 */
export class EventSchemaRegistry extends Construct {
  readonly registry: eventschemas.CfnRegistry;

  constructor(scope: Construct, id: string, { busName }: { busName: string }) {
    super(scope, id);
    this.registry = new eventschemas.CfnRegistry(this, 'Registry', {
      registryName: busName,
      description: `Event schemas of ${busName}, generated from libs/event-schemas`,
    });
    for (const detailType of Object.values(DETAIL_TYPES)) {
      new eventschemas.CfnSchema(this, detailType.replace(/[^A-Za-z0-9]/g, ''), {
        registryName: this.registry.attrRegistryName,
        // AWS's naming for discovered schemas: <source>@<detail type>.
        schemaName: `${SOURCE_BY_DETAIL_TYPE[detailType]}@${detailType}`,
        type: 'JSONSchemaDraft4',
        content: JSON.stringify(eventJsonSchema(detailType)),
        description: `${detailType} events published under ${SOURCE_BY_DETAIL_TYPE[detailType]}`,
      });
    }
  }
}
