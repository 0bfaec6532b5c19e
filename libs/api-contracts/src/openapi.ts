import { z } from 'zod';

/** The one error body of every HTTP API (see service-runtime's `ErrorBody`), as a schema. */
export const errorBodySchema = z.object({
  error: z.looseObject({
    code: z.string().describe('Stable machine-readable code.'),
    message: z.string().describe('In the language the request asked for (also in `content-language`).'),
  }),
});

type HttpMethod = 'get' | 'post' | 'put' | 'delete';

export interface HeaderSpec {
  name: string;
  description: string;
  required?: boolean;
}

export interface ResponseSpec {
  description: string;
  /** The JSON body. Errors: pass `errorCodes` instead; the body is the one error shape. */
  schema?: z.ZodType;
  /** The error codes this status answers with (the body is the one error shape). */
  errorCodes?: readonly string[];
  /** Extra fields of the error object at this status (e.g. `retryAfterSeconds`). */
  errorDetails?: z.ZodRawShape;
  /** A non-JSON body (e.g. Prometheus text). */
  contentType?: string;
  headers?: HeaderSpec[];
}

export interface RouteSpec {
  method: HttpMethod;
  /** OpenAPI path template, e.g. `/admin/jobs/{jobId}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags?: string[];
  pathParams?: { name: string; description: string; schema: z.ZodType }[];
  headers?: HeaderSpec[];
  /** The JSON request body, validated by the service with this very schema. */
  requestBody?: { schema: z.ZodType; description?: string; contentType?: string };
  security?: 'bearer';
  responses: Record<number, ResponseSpec>;
}

interface DocumentSpec {
  title: string;
  version: string;
  description: string;
  routes: RouteSpec[];
}

type JsonSchema = Record<string, unknown>;

/**
 * zod 4's own JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1). Requests are described as the
 * service reads them (`input`: optional and defaulted fields optional), answers as it writes them
 * (`output`: no undocumented fields). Refinements a JSON Schema cannot express (grapheme counts) stay
 * in the service; the document carries the coarse limits.
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  });
  return rest;
}

function errorSchema(codes: readonly string[], details: z.ZodRawShape = {}): JsonSchema {
  const body = z.object({
    error: z.looseObject({ code: z.enum(codes as [string, ...string[]]), message: z.string(), ...details }),
  });
  return jsonSchemaOf(body, 'output');
}

const headerObject = (h: HeaderSpec) => ({
  description: h.description,
  required: h.required ?? false,
  schema: { type: 'string' },
});

function responseObject(r: ResponseSpec): JsonSchema {
  const headers: Record<string, unknown> = {};
  for (const h of r.headers ?? []) headers[h.name] = headerObject(h);
  if (r.errorCodes)
    headers['content-language'] = headerObject({
      name: 'content-language',
      description: 'Language of `error.message` (ja or en).',
      required: true,
    });
  let content: Record<string, unknown> | undefined;
  if (r.errorCodes) content = { 'application/json': { schema: errorSchema(r.errorCodes, r.errorDetails) } };
  else if (r.schema)
    content = { [r.contentType ?? 'application/json']: { schema: jsonSchemaOf(r.schema, 'output') } };
  else if (r.contentType) content = { [r.contentType]: { schema: { type: 'string' } } };
  return {
    description: r.description,
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(content ? { content } : {}),
  };
}

/** An OpenAPI 3.1 document built from the routes' zod schemas: never written by hand. */
export function buildOpenApiDocument(spec: DocumentSpec): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  const usesBearer = spec.routes.some((r) => r.security === 'bearer');
  for (const route of spec.routes) {
    const parameters = [
      ...(route.pathParams ?? []).map((p) => ({
        name: p.name,
        in: 'path',
        required: true,
        description: p.description,
        schema: jsonSchemaOf(p.schema, 'input'),
      })),
      ...(route.headers ?? []).map((h) => ({ name: h.name, in: 'header', ...headerObject(h) })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses))
      responses[status] = responseObject(response);
    (paths[route.path] ??= {})[route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      ...(route.tags ? { tags: route.tags } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.requestBody
        ? {
            requestBody: {
              required: true,
              ...(route.requestBody.description ? { description: route.requestBody.description } : {}),
              content: {
                [route.requestBody.contentType ?? 'application/json']: {
                  schema: jsonSchemaOf(route.requestBody.schema, 'input'),
                },
              },
            },
          }
        : {}),
      ...(route.security === 'bearer' ? { security: [{ bearerAuth: [] }] } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: spec.title, version: spec.version, description: spec.description },
    paths,
    ...(usesBearer
      ? {
          components: {
            securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
          },
        }
      : {}),
  };
}
