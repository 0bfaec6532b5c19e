import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  queueDefinitions,
  tableDefinitions,
  ttlAttributes,
  type ResourceNames,
} from '@manga-assist/aws-clients';
import { pascal } from './names';

type TableKey = keyof ResourceNames['tables'];
/** The events DLQ is EventRouting's (it belongs to the rules' targets, not to queueDefinitions()). */
type QueueKey = Exclude<keyof ResourceNames['queues'], 'eventsDlq'>;

const ATTRIBUTE_TYPES: Record<string, dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

export interface DataPlaneProps {
  names: ResourceNames;
  /** Prod: deletion protection on and tables/queues retained when the stack is deleted. */
  protect: boolean;
}

/**
 * Tables and queues, built from the same definitions the local stack provisions
 * (libs/aws-clients): keys, TTL attribute, FIFO, visibility, redrive and encryption come from there.
 */
export class DataPlane extends Construct {
  readonly tables: Record<TableKey, dynamodb.Table>;
  readonly queues: Record<QueueKey, sqs.Queue>;
  /** Every queue by its name (routing targets refer to queues by name). */
  readonly queuesByName = new Map<string, sqs.Queue>();

  constructor(scope: Construct, id: string, { names, protect }: DataPlaneProps) {
    super(scope, id);
    const removalPolicy = protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const ttl = ttlAttributes(names);
    const tableKeyOf = new Map(Object.entries(names.tables).map(([k, v]) => [v, k as TableKey]));
    const tables: Partial<Record<TableKey, dynamodb.Table>> = {};
    for (const def of tableDefinitions(names)) {
      const tableName = def.TableName as string;
      const key = tableKeyOf.get(tableName);
      if (!key)
        throw new Error(`tableDefinitions() returned ${tableName}, which is not in the resource names`);
      const attribute = (role: 'HASH' | 'RANGE'): dynamodb.Attribute | undefined => {
        const name = def.KeySchema?.find((k) => k.KeyType === role)?.AttributeName;
        if (!name) return undefined;
        const type = def.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType;
        if (!type || !ATTRIBUTE_TYPES[type])
          throw new Error(`${tableName}: no attribute type for key ${name}`);
        return { name, type: ATTRIBUTE_TYPES[type] };
      };
      const partitionKey = attribute('HASH');
      if (!partitionKey) throw new Error(`${tableName}: no partition key`);
      const table = new dynamodb.Table(this, pascal(key), {
        tableName,
        partitionKey,
        sortKey: attribute('RANGE'),
        billingMode:
          def.BillingMode === 'PROVISIONED'
            ? dynamodb.BillingMode.PROVISIONED
            : dynamodb.BillingMode.PAY_PER_REQUEST,
        timeToLiveAttribute: ttl[tableName],
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: protect,
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        removalPolicy,
      });
      tables[key] = table;
    }

    const queueKeyOf = new Map(
      Object.entries(names.queues)
        .filter(([k]) => k !== 'eventsDlq')
        .map(([k, v]) => [v, k as QueueKey]),
    );
    const queues: Partial<Record<QueueKey, sqs.Queue>> = {};
    const make = (queueName: string, props: sqs.QueueProps) => {
      const key = queueKeyOf.get(queueName);
      if (!key)
        throw new Error(`queueDefinitions() returned ${queueName}, which is not in the resource names`);
      const queue = new sqs.Queue(this, pascal(key), {
        queueName,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        removalPolicy,
        ...props,
      });
      queues[key] = queue;
      this.queuesByName.set(queueName, queue);
      return queue;
    };
    for (const def of queueDefinitions(names)) {
      const fifo = def.fifo ? true : undefined;
      const dlq = make(def.dlq, { fifo, retentionPeriod: Duration.seconds(def.dlqRetentionSeconds) });
      make(def.name, {
        fifo,
        visibilityTimeout: Duration.seconds(def.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: dlq, maxReceiveCount: def.maxReceiveCount },
      });
    }

    const missing = [
      ...Object.keys(names.tables).filter((k) => !tables[k as TableKey]),
      ...[...queueKeyOf.values()].filter((k) => !queues[k]),
    ];
    if (missing.length) throw new Error(`shared definitions do not define: ${missing.join(', ')}`);
    this.tables = tables as Record<TableKey, dynamodb.Table>;
    this.queues = queues as Record<QueueKey, sqs.Queue>;
  }
}
