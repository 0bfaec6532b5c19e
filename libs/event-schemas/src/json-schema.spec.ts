import { DETAIL_TYPES, SOURCE_BY_DETAIL_TYPE } from './sources';
import { eventJsonSchema } from './json-schema';

describe('eventJsonSchema (Draft 4, for the EventBridge schema registry)', () => {
  it.each(Object.values(DETAIL_TYPES))(
    'describes a whole %s event with its detail from the zod schema',
    (detailType) => {
      const schema = eventJsonSchema(detailType);
      expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
      const properties = schema.properties as Record<string, any>;
      expect(properties['detail-type']).toEqual({ type: 'string', enum: [detailType] });
      expect(properties.source).toEqual({ type: 'string', enum: [SOURCE_BY_DETAIL_TYPE[detailType]] });
      expect(properties.detail.type).toBe('object');
      expect(properties.detail.$schema).toBeUndefined();
      expect(Array.isArray(properties.detail.required)).toBe(true);
      expect(JSON.stringify(schema)).not.toContain('$defs'); // Draft 4 has no $defs
    },
  );

  it('carries the constraints of the zod schema (ReviewSubmitted rating 1-5)', () => {
    const detail = (eventJsonSchema(DETAIL_TYPES.ReviewSubmitted).properties as any).detail;
    expect(detail.properties.rating).toMatchObject({ type: 'integer', minimum: 1, maximum: 5 });
    expect(detail.required).toEqual(expect.arrayContaining(['review_id', 'product_id']));
  });
});
