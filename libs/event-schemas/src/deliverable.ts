/**
 * What SQS (and so every EventBridge -> SQS route) can carry in a message: #x9 | #xA | #xD |
 * #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF. Events are JSON, and JSON.stringify escapes
 * control characters, so what is left to refuse in a string is U+FFFE, U+FFFF and lone surrogates
 * (escaped by JSON.stringify, but written back raw by any service that re-serialises the event).
 * Such content fails at the SQS hop on every retry, so it is caught before publishing.
 */
const UNDELIVERABLE = /[\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNDELIVERABLE_ALL = new RegExp(UNDELIVERABLE.source, 'g');

interface UndeliverableContent {
  /** Where it is: `items[3].title`, or a key's path followed by `(key)`. */
  path: string;
  /** `U+FFFF` */
  codePoint: string;
}

const codePointOf = (text: string) => {
  const match = UNDELIVERABLE.exec(text);
  return match ? `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
};

/** The first string (value or key) SQS and EventBridge cannot carry, anywhere in a JSON value. */
export function findUndeliverable(value: unknown, path = ''): UndeliverableContent | undefined {
  if (typeof value === 'string') {
    const codePoint = codePointOf(value);
    return codePoint ? { path: path || '(root)', codePoint } : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUndeliverable(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      const keyPoint = codePointOf(key);
      if (keyPoint) return { path: `${childPath} (key)`, codePoint: keyPoint };
      const found = findUndeliverable(child, childPath);
      if (found) return found;
    }
  }
  return undefined;
}

/** Replaces what SQS cannot carry with U+FFFD, for free text a producer chooses to clean rather than refuse. */
export function cleanUndeliverable(text: string): string {
  return text.replace(UNDELIVERABLE_ALL, '\uFFFD');
}
