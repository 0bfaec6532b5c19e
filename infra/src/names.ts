import { DEFAULT_RESOURCE_NAMES, type ResourceNames } from '@manga-assist/aws-clients';
import type { StageName } from './settings';

const withStage = (name: string, stage: StageName) =>
  name.endsWith('.fifo') ? `${name.slice(0, -'.fifo'.length)}-${stage}.fifo` : `${name}-${stage}`;

const mapValues = <T extends Record<string, string>>(record: T, f: (v: string) => string): T =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)])) as T;

/**
 * The local stack's names with the stage appended, so dev and prod can share an account and
 * region. Services receive them through the usual environment variables (resourceNamesToEnv).
 */
export function stageResourceNames(
  stage: StageName,
  base: ResourceNames = DEFAULT_RESOURCE_NAMES,
): ResourceNames {
  const f = (n: string) => withStage(n, stage);
  return {
    tables: mapValues(base.tables, f),
    queues: mapValues(base.queues, f),
    eventBusName: f(base.eventBusName),
  };
}

/** `catalog-updates-to-enrichment` -> `CatalogUpdatesToEnrichment` (a construct id). */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
}
