import { z } from 'zod';
import { buildOpenApiDocument, jsonSchemaOf } from '@manga-assist/api-contracts';
import { ContractViolation, createContractValidator, createFrameValidator } from './validator';

const document = buildOpenApiDocument({
  title: 't',
  version: '1',
  description: 'd',
  routes: [
    {
      method: 'get',
      path: '/items/{id}',
      operationId: 'item',
      summary: 's',
      pathParams: [{ name: 'id', description: 'id', schema: z.string() }],
      responses: {
        200: { description: 'ok', schema: z.object({ id: z.string() }) },
        404: { description: 'missing', errorCodes: ['ITEM_NOT_FOUND'] },
      },
    },
  ],
});

describe('contract validator (answers checked against an OpenAPI document)', () => {
  const json = 'application/json; charset=utf-8';
  const check =
    (status: number, body: unknown, path = '/items/7', contentType = json) =>
    () =>
      createContractValidator(document).check({ method: 'GET', path, status, contentType, body });

  it('accepts what the document describes, templated paths and the one error shape included', () => {
    expect(check(200, { id: '7' })).not.toThrow();
    expect(check(404, { error: { code: 'ITEM_NOT_FOUND', message: 'x', extra: 1 } })).not.toThrow();
    expect(check(404, { error: { code: 'NOT_FOUND', message: 'x' } }, '/elsewhere')).not.toThrow();
  });

  it('names the route and status of an answer the document does not describe', () => {
    expect(check(500, {})).toThrow(
      'GET /items/7 -> 500: status 500 is not documented for GET /items/{id} (documented: 200, 404)',
    );
    expect(check(200, { id: 7 })).toThrow(/does not match the documented schema: body\/id must be string/);
    expect(check(200, { id: '7', more: true })).toThrow(ContractViolation);
    expect(check(404, { error: { code: 'OTHER', message: 'x' } })).toThrow(ContractViolation);
    expect(check(200, { id: '7' }, '/items/7', 'text/plain')).toThrow(
      /content-type "text\/plain" is not documented/,
    );
    expect(check(200, {}, '/elsewhere')).toThrow(/no route of the document matches/);
  });
});

describe('frame validator (messages of an AsyncAPI document, by type)', () => {
  const doc = {
    components: {
      messages: {
        delta: { payload: jsonSchemaOf(z.object({ type: z.literal('delta'), seq: z.number() }), 'output') },
      },
    },
  };

  it('accepts a documented frame and refuses an unknown type or a wrong field', () => {
    const frames = createFrameValidator(doc, ['delta']);
    expect(() => frames.check({ type: 'delta', seq: 0 })).not.toThrow();
    expect(() => frames.check({ type: 'surprise' })).toThrow(/frame type "surprise" is not in the document/);
    expect(() => frames.check({ type: 'delta', seq: 'one' })).toThrow(
      /frame "delta" does not match the document/,
    );
    expect(frames.seen).toEqual(new Set(['delta']));
  });
});
