import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { errorBodySchema, jsonSchemaOf } from '@manga-assist/api-contracts';

interface ObservedResponse {
  method: string;
  /** The request path (query ignored). */
  path: string;
  status: number;
  /** The response's content-type header. */
  contentType?: string | null;
  /** The parsed JSON body (or the text of a non-JSON answer). */
  body: unknown;
}

/** Thrown when a service answers something its document does not describe; the message says what and where. */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}

export interface ContractValidator {
  /** Throws ContractViolation unless the document describes this answer (route, status, body). */
  check(response: ObservedResponse): void;
  /** `method path status` of every answer checked so far (what the tests exercised). */
  readonly seen: ReadonlySet<string>;
}

type Doc = {
  paths?: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: object }> }> }>
  >;
};

const templateToRegex = (template: string) =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}/]+\}/g, '[^/]+')}$`);

/**
 * A validator built from an OpenAPI 3.1 document: each answer's status must be listed for its route
 * and its body must match that status's schema (ajv, JSON Schema 2020-12). A path no route matches
 * must be the skeleton's JSON 404 (code NOT_FOUND) in the one error shape.
 */
export function createContractValidator(document: object): ContractValidator {
  const doc = document as Doc;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const compiled = new Map<object, ValidateFunction>();
  const compile = (schema: object) => {
    let fn = compiled.get(schema);
    if (!fn) compiled.set(schema, (fn = ajv.compile(schema)));
    return fn;
  };
  const routes = Object.entries(doc.paths ?? {}).map(([template, ops]) => ({
    template,
    regex: templateToRegex(template),
    ops,
  }));
  const notFound = compile(jsonSchemaOf(errorBodySchema, 'output'));
  const seen = new Set<string>();

  return {
    seen,
    check({ method, path, status, contentType, body }) {
      const m = method.toLowerCase();
      const bare = path.split('?')[0];
      const where = `${method.toUpperCase()} ${bare} -> ${status}`;
      const route = routes.find((r) => r.regex.test(bare) && r.ops[m]);
      if (!route) {
        const isNotFound =
          status === 404 &&
          notFound(body) &&
          (body as { error: { code: string } }).error.code === 'NOT_FOUND';
        if (!isNotFound)
          throw new ContractViolation(
            `${where}: no route of the document matches, and the answer is not the JSON 404 NOT_FOUND`,
          );
        seen.add(`${m} * 404`);
        return;
      }
      const response = route.ops[m].responses?.[String(status)];
      if (!response)
        throw new ContractViolation(
          `${where}: status ${status} is not documented for ${m.toUpperCase()} ${route.template} (documented: ${Object.keys(route.ops[m].responses ?? {}).join(', ')})`,
        );
      seen.add(`${m} ${route.template} ${status}`);
      const media = Object.entries(response.content ?? {});
      if (!media.length) return;
      const type = (contentType ?? '').split(';')[0].trim();
      const match = media.find(([t]) => t === type);
      if (!match)
        throw new ContractViolation(
          `${where}: content-type "${type}" is not documented (documented: ${media.map(([t]) => t).join(', ')})`,
        );
      const schema = match[1].schema;
      if (!schema) return;
      const validate = compile(schema);
      if (!validate(body))
        throw new ContractViolation(
          `${where}: the body does not match the documented schema: ${ajv.errorsText(validate.errors, { dataVar: 'body' })}\nbody: ${JSON.stringify(body).slice(0, 500)}`,
        );
    },
  };
}

export interface FrameValidator {
  /** Throws ContractViolation unless the frame is one of the document's messages (chosen by its `type`). */
  check(frame: unknown): void;
  readonly seen: ReadonlySet<string>;
}

/**
 * A validator built from an AsyncAPI 3 document whose messages are told apart by a `type` const
 * (the chat WebSocket's server frames): each frame must match the message of its type.
 */
export function createFrameValidator(document: object, messageNames: readonly string[]): FrameValidator {
  const messages =
    (document as { components?: { messages?: Record<string, { payload?: object }> } }).components?.messages ??
    {};
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const byType = new Map<string, ValidateFunction>();
  for (const name of messageNames) {
    const payload = messages[name]?.payload;
    if (!payload) throw new Error(`the document has no message "${name}"`);
    byType.set(name, ajv.compile(payload));
  }
  const seen = new Set<string>();
  return {
    seen,
    check(frame) {
      const type = (frame as { type?: unknown })?.type;
      const validate = typeof type === 'string' ? byType.get(type) : undefined;
      if (!validate)
        throw new ContractViolation(
          `frame type ${JSON.stringify(type)} is not in the document (documented: ${messageNames.join(', ')})`,
        );
      if (!validate(frame))
        throw new ContractViolation(
          `frame "${type}" does not match the document: ${ajv.errorsText(validate.errors, { dataVar: 'frame' })}\nframe: ${JSON.stringify(frame).slice(0, 500)}`,
        );
      seen.add(type as string);
    },
  };
}
