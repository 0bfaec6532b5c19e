import { createHash } from 'node:crypto';

export interface AbVariant {
  /** Reported as `variant` on responses, hooks and metrics. */
  name: string;
  /** Alias or model id this variant calls. */
  model: string;
  /** Relative weight (e.g. 20 and 80). */
  weight: number;
}

export interface AbSplit {
  readonly variants: readonly AbVariant[];
  /** The variant for a session: the same session always gets the same variant. */
  assign(sessionId: string): { name: string; model: string };
}

/**
 * Weighted split, stable per session: the session id is hashed (sha256, salted with the variant
 * names so that two experiments do not line up) onto [0, total weight).
 */
export function createAbSplit(spec: readonly AbVariant[]): AbSplit {
  if (spec.length === 0) throw new Error('A/B split needs at least one variant');
  const names = new Set<string>();
  for (const v of spec) {
    if (!v.name || !v.model) throw new Error(`A/B variant needs a name and a model: ${JSON.stringify(v)}`);
    if (!Number.isFinite(v.weight) || v.weight < 0)
      throw new Error(`A/B variant ${v.name}: weight must be >= 0`);
    if (names.has(v.name)) throw new Error(`A/B variant ${v.name} appears twice`);
    names.add(v.name);
  }
  const total = spec.reduce((sum, v) => sum + v.weight, 0);
  if (total <= 0) throw new Error('A/B split: the weights add up to 0');
  const variants = spec.map((v) => ({ ...v }));
  const salt = variants.map((v) => v.name).join('|');

  return {
    variants,
    assign(sessionId) {
      const digest = createHash('sha256').update(`${salt}\u0000${sessionId}`).digest();
      // 48 bits of the hash -> [0, 1): uniform enough for any weight, no modulo bias worth noting.
      const point = (digest.readUIntBE(0, 6) / 2 ** 48) * total;
      let upper = 0;
      for (const v of variants) {
        upper += v.weight;
        if (point < upper) return { name: v.name, model: v.model };
      }
      const last = variants[variants.length - 1];
      return { name: last.name, model: last.model };
    },
  };
}

/**
 * `sonnet:20,haiku:80` (the name is the alias called) or `name=model:weight` for a variant whose
 * model is an id (ids contain ':', so the weight is what follows the last ':').
 */
export function parseAbSplit(text: string): AbVariant[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const colon = part.lastIndexOf(':');
      if (colon <= 0) throw new Error(`A/B split entry "${part}": expected name:weight`);
      const head = part.slice(0, colon).trim();
      const weight = Number(part.slice(colon + 1).trim());
      if (!Number.isFinite(weight) || part.slice(colon + 1).trim() === '') {
        throw new Error(`A/B split entry "${part}": weight is not a number`);
      }
      const eq = head.indexOf('=');
      const name = eq === -1 ? head : head.slice(0, eq).trim();
      const model = eq === -1 ? head : head.slice(eq + 1).trim();
      return { name, model, weight };
    });
}
