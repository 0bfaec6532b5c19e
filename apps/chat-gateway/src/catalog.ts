import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '@manga-assist/service-runtime';

export interface CatalogEntry {
  mangaId: string;
  title: string;
  /** Other names the store knows the title by (Japanese / English / romaji). */
  aliases: string[];
  author?: string;
  price?: number;
  volume?: number;
  /** The product page, when the catalog item names one. */
  url?: string;
  synopsis?: string;
}

/** What the chat page shows as a product card under an answer. */
export interface ProductCard {
  mangaId: string;
  title: string;
  volume?: number;
  /** Yen (the catalog's prices are JPY). */
  price?: number;
  url: string;
}

const normalize = (s: string) => s.normalize('NFKC').toLowerCase();
const MIN_TITLE_LENGTH = 2;

export interface TitleIndex {
  readonly size: number;
  /** Catalog entries whose title (or alias) appears in the message, longest match first. */
  find(message: string, max?: number): CatalogEntry[];
}

/**
 * In-memory title matcher: titles bucketed by their first two (normalised) characters, so a
 * message is scanned once and only titles sharing a bigram at a position are compared. Japanese has
 * no word boundaries, so this is substring matching, NFKC-folded (full-width Ａ == A).
 */
export function createTitleIndex(entries: CatalogEntry[]): TitleIndex {
  const buckets = new Map<string, { name: string; entry: CatalogEntry }[]>();
  for (const entry of entries) {
    for (const raw of [entry.title, ...entry.aliases]) {
      const name = normalize(raw.trim());
      if ([...name].length < MIN_TITLE_LENGTH) continue;
      const key = name.slice(0, 2);
      const list = buckets.get(key) ?? [];
      list.push({ name, entry });
      buckets.set(key, list);
    }
  }
  return {
    size: entries.length,
    find(message, max = 3) {
      const text = normalize(message);
      const found = new Map<string, { entry: CatalogEntry; length: number }>();
      for (let i = 0; i < text.length - 1; i++) {
        const candidates = buckets.get(text.slice(i, i + 2));
        if (!candidates) continue;
        for (const c of candidates) {
          if (text.startsWith(c.name, i)) {
            const prev = found.get(c.entry.mangaId);
            if (!prev || prev.length < c.name.length)
              found.set(c.entry.mangaId, { entry: c.entry, length: c.name.length });
          }
        }
      }
      return [...found.values()]
        .sort((a, b) => b.length - a.length)
        .slice(0, max)
        .map((f) => f.entry);
    },
  };
}

/** Facts for the system prompt; the model is told to rely on them for prices and availability. */
export function groundingText(entries: CatalogEntry[]): string | undefined {
  if (entries.length === 0) return undefined;
  const lines = entries.map((e) => {
    const parts = [`『${e.title}』 (id ${e.mangaId})`];
    if (e.author) parts.push(`author: ${e.author}`);
    if (e.price !== undefined) parts.push(`price: ¥${e.price.toLocaleString('en-US')}`);
    if (e.synopsis) parts.push(`synopsis: ${[...e.synopsis].slice(0, 240).join('')}`);
    return `- ${parts.join('; ')}`;
  });
  return `Store catalog entries for titles the customer mentioned (authoritative):\n${lines.join('\n')}`;
}

export interface CatalogGrounding {
  /** Catalog entries whose titles the message mentions; never does I/O on the request path. */
  find(message: string): CatalogEntry[];
  refresh(): Promise<void>;
  readonly size: number;
  stop(): void;
}

/**
 * Keeps a title index of the Catalog table in memory (one paged Scan with a projection, refreshed
 * in the background). A failed refresh keeps the previous index and is logged.
 */
export function createCatalogGrounding(options: {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  refreshMs: number;
  maxTitles: number;
  logger: Logger;
}): CatalogGrounding {
  let index = createTitleIndex([]);
  let inFlight: Promise<void> | undefined;

  async function load(): Promise<void> {
    const entries: CatalogEntry[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await options.documentClient.send(
        new ScanCommand({
          TableName: options.tableName,
          ExclusiveStartKey,
          ProjectionExpression:
            'mangaId, title, titleJa, titleEn, aliases, author, price, volume, #url, synopsis, enrichment.synopsis',
          ExpressionAttributeNames: { '#url': 'url' },
        }),
      );
      for (const item of page.Items ?? []) {
        const entry = toEntry(item);
        if (entry) entries.push(entry);
        if (entries.length >= options.maxTitles) break;
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey && entries.length < options.maxTitles);
    index = createTitleIndex(entries);
  }

  const refresh = () => {
    inFlight ??= load()
      .catch((error: Error) =>
        options.logger.warn({ err: error.message }, 'catalog index refresh failed; keeping the previous one'),
      )
      .finally(() => (inFlight = undefined));
    return inFlight;
  };
  const timer = setInterval(refresh, options.refreshMs);
  timer.unref();

  return {
    find: (message) => index.find(message),
    refresh,
    get size() {
      return index.size;
    },
    stop: () => clearInterval(timer),
  };
}

function toEntry(item: Record<string, unknown>): CatalogEntry | undefined {
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
  const mangaId = str(item.mangaId);
  const title = str(item.title) ?? str(item.titleJa) ?? str(item.titleEn);
  if (!mangaId || !title) return undefined;
  const aliases = [
    str(item.titleJa),
    str(item.titleEn),
    ...(Array.isArray(item.aliases) ? item.aliases.map(str) : []),
  ].filter((a): a is string => !!a && a !== title);
  const enrichment = item.enrichment as { synopsis?: unknown } | undefined;
  const price = typeof item.price === 'number' ? item.price : undefined;
  const volume = typeof item.volume === 'number' ? item.volume : undefined;
  const url = str(item.url);
  return {
    mangaId,
    title,
    aliases,
    author: str(item.author),
    price,
    ...(volume !== undefined ? { volume } : {}),
    ...(url && /^https:\/\//.test(url) ? { url } : {}),
    synopsis: str(item.synopsis) ?? str(enrichment?.synopsis),
  };
}

/** Product cards for the entries grounding found; the link is the item's own, else the store's URL pattern. */
export function productCards(entries: CatalogEntry[], urlTemplate: string): ProductCard[] {
  return entries.map((e) => ({
    mangaId: e.mangaId,
    title: e.title,
    ...(e.volume !== undefined ? { volume: e.volume } : {}),
    ...(e.price !== undefined ? { price: e.price } : {}),
    url: e.url ?? urlTemplate.replace('{mangaId}', encodeURIComponent(e.mangaId)),
  }));
}
