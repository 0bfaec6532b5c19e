import { validate } from '@readme/openapi-parser';

/** Validates `document` as OpenAPI 3.1 (schema and semantics); throws with every problem listed. */
export async function validateOpenApi31(document: object): Promise<void> {
  if ((document as { openapi?: string }).openapi?.startsWith('3.1') !== true)
    throw new Error('not an OpenAPI 3.1 document');
  const result = await validate(structuredClone(document) as never);
  if (!result.valid)
    throw new Error(`invalid OpenAPI 3.1 document: ${JSON.stringify(result.errors, null, 2)}`);
}
