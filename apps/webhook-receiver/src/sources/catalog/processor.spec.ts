import { catalogEvents, validateCatalog } from './processor';

describe('catalog validation and fan-out', () => {
  const items = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ id: `m-${i}`, title: `巻${i}`, price: 500 + i }));

  it('makes one CatalogUpdate.<type> per item, all 35 of 35 (not the first 10)', () => {
    const v = validateCatalog({ batch_id: 'b-1', type: 'price_change', items: items(35) }, 500);
    const events = catalogEvents(v);
    expect(events).toHaveLength(35);
    expect(new Set(events.map((e) => e.detail.product_id)).size).toBe(35);
    expect(events[34]).toMatchObject({
      detailType: 'CatalogUpdate.price_change',
      detail: {
        product_id: 'm-34',
        update_type: 'price_change',
        batch_id: 'b-1',
        processing_stage: 'raw',
        data: { price: 534 },
      },
    });
  });

  it('answers 413 above the item cap and 422 for an invalid item or type', () => {
    expect(() => validateCatalog({ batch_id: 'b', type: 'new_release', items: items(11) }, 10)).toThrow(
      expect.objectContaining({ code: 'too_many_items', status: 413 }),
    );
    expect(() => validateCatalog({ batch_id: 'b', type: 'new_release', items: [{ id: 'x' }] }, 10)).toThrow(
      expect.objectContaining({ code: 'invalid_payload', detail: 'items[0] needs id and title' }),
    );
    expect(() => validateCatalog({ batch_id: 'b', type: 'reprint', items: items(1) }, 10)).toThrow(
      expect.objectContaining({ status: 422 }),
    );
  });
});
