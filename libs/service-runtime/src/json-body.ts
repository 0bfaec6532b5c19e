import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';
import { COMMON_ERRORS, httpError } from './http-error';

export interface JsonBodyOptions {
  /** Largest body accepted, in bytes after decompression (413 above it). */
  limitBytes: number;
}

type MediaType = 'json' | 'other' | 'unsupported-charset';

/** Whether a Content-Type names JSON (`application/json` or a `+json` type) in UTF-8, the only charset read. */
export function jsonMediaType(contentType: string | undefined): MediaType {
  if (!contentType) return 'other';
  const [type, ...params] = contentType.toLowerCase().split(';');
  const media = type.trim();
  if (media !== 'application/json' && !(media.startsWith('application/') && media.endsWith('+json')))
    return 'other';
  for (const param of params) {
    const [name, value = ''] = param.split('=');
    if (name.trim() !== 'charset') continue;
    const charset = value.trim().replace(/^"|"$/g, '');
    if (charset !== 'utf-8' && charset !== 'utf8') return 'unsupported-charset';
  }
  return 'json';
}

const tooLarge = () => httpError('PAYLOAD_TOO_LARGE', 413, COMMON_ERRORS.tooLarge);
const badJson = () => httpError('INVALID_JSON', 400, COMMON_ERRORS.badJson);

function decoderFor(encoding: string | undefined): Transform | undefined | 'unsupported' {
  switch ((encoding ?? 'identity').trim().toLowerCase()) {
    case 'identity':
      return undefined;
    case 'gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return 'unsupported';
  }
}

/** The JSON object or array in `text` (after an optional BOM); `{}` for an empty body; not ok for anything else. */
export function parseJsonBody(text: string): { ok: true; value: unknown } | { ok: false } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const first = /\S/.exec(body)?.[0];
  if (first === undefined) return { ok: true, value: {} };
  if (first !== '{' && first !== '[') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

/**
 * The one JSON body reader of the services' Express apps (instead of express.json, whose per-request
 * media-type, charset and decoder machinery cost CPU on every request): a JSON request's
 * body becomes `req.body` (a JSON object or array; `{}` when empty), gzip, deflate and br bodies are
 * inflated; a body over the limit is a 413 (PAYLOAD_TOO_LARGE), anything unreadable a 400
 * (INVALID_JSON), both in the errors' one shape. Other media types pass through with `req.body` unset.
 */
export function jsonBody({ limitBytes }: JsonBodyOptions) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const media = jsonMediaType(req.headers['content-type']);
    if (media === 'other' || req.body !== undefined) return next();
    if (media === 'unsupported-charset') return next(badJson());
    const declared = Number(req.headers['content-length']);
    if (declared > limitBytes) return next(tooLarge());
    const decoder = decoderFor(req.headers['content-encoding']);
    if (decoder === 'unsupported') return next(badJson());
    const source: Readable = decoder ? req.pipe(decoder) : req;

    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      source.off('data', onData).off('end', onEnd).off('error', onError);
      req.off('close', onClose);
      if (decoder) {
        req.unpipe(decoder);
        decoder.destroy();
      }
      // What is left unread of a refused body is discarded by the HTTP server once the answer is out.
      if (error) return next(error);
      const parsed = parseJsonBody(Buffer.concat(chunks, size).toString('utf8'));
      if (!parsed.ok) return next(badJson());
      req.body = parsed.value;
      next();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) settle(tooLarge());
      else chunks.push(chunk);
    };
    const onEnd = () => settle();
    const onError = () => settle(badJson());
    // The client went away before the whole body arrived: nothing to parse, nobody to answer.
    const onClose = () => {
      if (!req.complete) settle(httpError('BAD_REQUEST', 400, COMMON_ERRORS.badJson));
    };
    source.on('data', onData).on('end', onEnd).on('error', onError);
    req.on('close', onClose);
  };
}
