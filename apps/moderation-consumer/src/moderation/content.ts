import { createHash } from 'node:crypto';

/** SHA-256 of the UTF-8 text, 64 lowercase hex digits (lets the alert refer to content without carrying it). */
export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
