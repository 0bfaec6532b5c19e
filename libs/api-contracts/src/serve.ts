import type { Request, Response } from 'express';

/** `GET /openapi.json`: the service's own document, built once at start. */
export function openApiHandler(document: object): (req: Request, res: Response) => void {
  const body = JSON.stringify(document);
  return (_req, res) => {
    res.type('application/json').set('cache-control', 'no-cache').send(body);
  };
}
