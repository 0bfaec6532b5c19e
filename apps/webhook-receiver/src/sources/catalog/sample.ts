import { randomUUID } from 'node:crypto';
import { CATALOG_UPDATE_TYPES, type CatalogUpdateType } from '@manga-assist/event-schemas';
import { defineSample } from '../types';

interface CatalogSampleOptions {
  count: number;
  type?: CatalogUpdateType;
  batchId?: string | undefined;
}

const TITLES = [
  '葬送のフリーレン',
  'SPY×FAMILY',
  '薬屋のひとりごと',
  'ダンジョン飯',
  'チェンソーマン',
  '僕のヒーローアカデミア',
  '呪術廻戦',
  'ブルーロック',
];

/** A publisher's catalog batch of `count` items (volumes of well-known series, yen prices). */
function catalogBatch(o: CatalogSampleOptions) {
  const batch = o.batchId ?? `batch-${randomUUID().slice(0, 8)}`;
  return {
    batch_id: batch,
    type: o.type ?? 'new_release',
    items: Array.from({ length: o.count }, (_, i) => {
      const series = TITLES[i % TITLES.length];
      const volume = Math.floor(i / TITLES.length) + 1;
      return {
        id: `${batch}-${i + 1}`,
        title: `${series} ${volume}`,
        volume,
        author: '作者未定',
        price: 528 + 66 * (i % 5),
        currency: 'JPY',
        release_date: new Date(Date.UTC(2026, 11, 1 + (i % 28))).toISOString().slice(0, 10),
      };
    }),
  };
}

export const sample = defineSample({
  aliases: [],
  usage: `--items 25 [--type ${CATALOG_UPDATE_TYPES.join('|')}] [--batch batch-1]`,
  options: {
    items: { kind: 'int', default: 3, min: 1, max: 500 },
    type: { kind: 'enum', default: 'new_release', values: CATALOG_UPDATE_TYPES },
    batch: { kind: 'text' },
  },
  build: (o) => catalogBatch({ count: o.items, type: o.type, batchId: o.batch }),
});
