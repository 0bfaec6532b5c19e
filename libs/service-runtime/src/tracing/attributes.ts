import { createHash } from 'node:crypto';

/**
 * A user id as spans carry it: the first 16 hex digits of its SHA-256, so an operator can find
 * every trace of one user (hash the id they search for the same way) without spans holding the id.
 */
export function hashUserId(userId: string): string {
  return createHash('sha256').update(`manga-assist-user:${userId}`, 'utf8').digest('hex').slice(0, 16);
}
