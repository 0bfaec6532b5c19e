import { countByReason, redriveSchema } from './dlq-http';

describe('DLQ admin request and listing helpers', () => {
  it('counts parked messages per reason', () => {
    expect(countByReason([{ reason: 'a' }, { reason: 'b' }, { reason: 'a' }])).toEqual({ a: 2, b: 1 });
    expect(countByReason([])).toEqual({});
  });

  it('a redrive request takes only an optional non-empty reason', () => {
    expect(redriveSchema.safeParse({}).success).toBe(true);
    expect(redriveSchema.safeParse({ reason: 'ResourceNotFound' }).success).toBe(true);
    expect(redriveSchema.safeParse({ reason: '' }).success).toBe(false);
    expect(redriveSchema.safeParse({ all: true }).success).toBe(false);
  });
});
