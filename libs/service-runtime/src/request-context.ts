import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { lazyChild, type Logger } from './logger';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a well-formed incoming x-request-id (or x-amzn-requestid), else makes one. */
export function resolveRequestId(headerValue: string | string[] | undefined): string {
  const value = Array.isArray(headerValue) ? headerValue[0] : headerValue;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

interface RequestLocals {
  requestId: string;
  log: Logger;
}

/** Express middleware: a request id on every request, echoed back, and a child logger carrying it (built when used). */
export function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const requestId = resolveRequestId(req.headers['x-request-id'] ?? req.headers['x-amzn-requestid']);
    res.locals.requestId = requestId;
    res.locals.log = lazyChild(logger, { requestId });
    res.setHeader('x-request-id', requestId);
    next();
  };
}

export function requestLocals(res: Response): RequestLocals {
  return res.locals as RequestLocals;
}
