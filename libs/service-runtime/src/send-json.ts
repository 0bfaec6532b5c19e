import type { Response } from 'express';

/**
 * The one way the services write a JSON answer (instead of Express's `res.json`, which looks its
 * content type up and re-parses it on every call).
 * Node leaves the body out of a HEAD answer.
 */
export function sendJson(
  res: Response,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  const text = JSON.stringify(body);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  // Set here so that a HEAD answer carries the length its GET would have.
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}
