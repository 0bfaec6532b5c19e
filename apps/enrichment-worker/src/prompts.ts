import type { EnrichmentType, MangaInfo } from './messages';

const describe = (m: MangaInfo) =>
  [
    `Title: ${m.title}${m.titleJp ? ` (${m.titleJp})` : ''}`,
    `Author: ${m.author ?? 'Unknown'}`,
    `Genre: ${m.genre ?? 'Unknown'}`,
    `Volume: ${m.volume ?? 'N/A'}`,
    `Synopsis: ${m.synopsis ?? 'No synopsis available'}`,
  ].join('\n');

export function buildPrompt(type: EnrichmentType, manga: MangaInfo): string {
  switch (type) {
    case 'synopsis':
      return `Write a spoiler-free synopsis of 3-4 sentences for this manga.\n${describe(manga)}`;
    case 'tags':
      return `Give 5 search tags for this manga as one comma-separated line starting with 'Tags: '.\n${describe(manga)}`;
    case 'description':
      return (
        `Generate a compelling product description for this manga item.\n${describe(manga)}\n\n` +
        `Write a 2-3 sentence description that would appeal to manga fans. ` +
        `Also provide 5 search tags as a comma-separated list on a new line starting with 'Tags: '.`
      );
  }
}

/** Splits "Tags: a, b, c" (or a bare comma list) into at most 10 trimmed tags. */
export function parseTags(text: string): string[] {
  const line = text.split('\n').find((l) => /^\s*tags\s*[:：]/i.test(l)) ?? text;
  return line
    .replace(/^\s*tags\s*[:：]/i, '')
    .split(/[,、，]/)
    .map((t) => t.trim())
    .filter(Boolean)
    .slice(0, 10);
}

export function parseResult(type: EnrichmentType, text: string): Record<string, unknown> {
  const clean = text.trim();
  if (type === 'synopsis') return { synopsis: clean };
  if (type === 'tags') return { tags: parseTags(clean) };
  const body = clean
    .split('\n')
    .filter((l) => !/^\s*tags\s*[:：]/i.test(l))
    .join('\n')
    .trim();
  return { description: body || clean, tags: parseTags(clean) };
}
