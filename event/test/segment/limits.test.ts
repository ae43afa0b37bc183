import fc from 'fast-check';
import type { IdentifyCall, TrackCall } from '../../src/segment/calls';
import { fitCall, jsonBytes, MAX_CALL_BYTES, OPTIONAL_PRODUCT_FIELDS } from '../../src/segment/limits';

const product = (n: number, extra: Record<string, unknown> = {}) => ({
  product_id: `8a7b6c5d-0000-4000-8000-${String(n).padStart(12, '0')}`,
  sku: `SKU-${n}`,
  name: `Product ${n} — Größe M`,
  variant: 'M',
  price: 19.99,
  quantity: 2,
  total_price: 39.98,
  image_url: `https://images.example.com/${n}/large.jpg`,
  position: n + 1,
  ...extra,
});

const order = (products: object[]): TrackCall => ({
  type: 'track',
  event: 'Order Completed',
  messageId: 'ct-order-completed-0123456789abcdef0123456789abcdef',
  userId: 'customer-1',
  timestamp: '2026-11-23T10:00:00.000Z',
  properties: {
    order_id: 'order-1',
    total: 12345.67,
    revenue: 10000,
    tax: 2000,
    shipping: 345.67,
    currency: 'EUR',
    products,
  },
});

describe('fitCall', () => {
  it('leaves a call within the budget untouched', () => {
    const call = order([product(0), product(1)]);
    expect(fitCall(call)).toEqual({ kind: 'fits', call });
  });

  it('drops optional product fields before any product, and says so', () => {
    // Just over the budget with image URLs, under it without them.
    const withImages = (count: number) =>
      order(
        Array.from({ length: count }, (_, n) =>
          product(n, { image_url: `https://images.example.com/${'p'.repeat(60)}/${n}.jpg` }),
        ),
      );
    let count = 1;
    while (jsonBytes(withImages(count)) <= MAX_CALL_BYTES) count += 1;
    const fitted = fitCall(withImages(count));
    if (fitted.kind !== 'fits') throw new Error('expected it to fit');
    const properties = fitted.call.type === 'track' ? fitted.call.properties : {};
    expect(properties).toMatchObject({ products_truncated: true, products_count: count, total: 12345.67 });
    expect(properties.products).toHaveLength(count);
    expect((properties.products as object[])[0]).not.toHaveProperty('image_url');
    expect((properties.products as object[])[0]).toHaveProperty('variant');
  });

  it('keeps every figure and the first products as large as fits, within the budget, for any number of products', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_500 }), fc.string({ maxLength: 40 }), (count, name) => {
        const call = order(Array.from({ length: count }, (_, n) => product(n, { name: `${name} ${n}` })));
        const fitted = fitCall(call);
        if (fitted.kind !== 'fits') return false;
        const kept = fitted.call as TrackCall;
        expect(jsonBytes(kept)).toBeLessThanOrEqual(MAX_CALL_BYTES);
        const { products, products_truncated: truncated, products_count: total, ...figures } = kept.properties;
        const { products: original, ...originalFigures } = call.properties;
        expect(figures).toEqual(originalFigures);
        if (kept === call) return truncated === undefined;
        expect(total).toBe(count);
        const sent = products as Record<string, unknown>[];
        // The products sent are the first ones, in order, each with at least its ids and figures.
        sent.forEach((item, index) => {
          const source = (original as Record<string, unknown>[])[index] as Record<string, unknown>;
          expect(item).toMatchObject({
            product_id: source.product_id,
            sku: source.sku,
            price: source.price,
            quantity: source.quantity,
            total_price: source.total_price,
          });
          // Products go only once every optional field has gone.
          if (sent.length < count) for (const field of OPTIONAL_PRODUCT_FIELDS) expect(item).not.toHaveProperty(field);
        });
        // No room for one more: the next product would not have fitted.
        if (sent.length < count) {
          const next = { ...((original as Record<string, unknown>[])[sent.length] as Record<string, unknown>) };
          for (const field of OPTIONAL_PRODUCT_FIELDS) delete next[field];
          expect(jsonBytes({ ...kept, properties: { ...kept.properties, products: [...sent, next] } })).toBeGreaterThan(
            MAX_CALL_BYTES,
          );
        }
        return true;
      }),
      { numRuns: 60 },
    );
  });

  describe('an order event with shipments', () => {
    const shipment = (n: number, products: object[]) => ({
      delivery_id: `d1c2b3a4-0000-4000-8000-${String(n).padStart(12, '0')}`,
      created_at: '2026-11-24T08:00:00.000Z',
      tracking_number: `1Z999AA1012345679${n}`,
      carrier: 'UPS',
      products,
    });
    /** Products without optional fields, so only the shipments or whole products can go. */
    const shippedOrder = (count: number): TrackCall => {
      const products = Array.from({ length: count }, (_, n) => {
        const { image_url: _image, variant: _variant, position: _position, ...essential } = product(n);
        return essential;
      });
      const shipped = products.map(({ product_id, sku, quantity }) => ({ product_id, sku, quantity }));
      const half = Math.ceil(count / 2);
      const call = order(products);
      return {
        ...call,
        event: 'Order Shipped',
        properties: {
          ...call.properties,
          tracking_number: '1Z999AA10123456781',
          carrier: 'UPS',
          shipments: [shipment(0, shipped.slice(0, half)), shipment(1, shipped.slice(half))],
        },
      };
    };

    it('drops what the shipments hold before any product, and keeps their tracking', () => {
      // Over the budget with the shipments' products, under it without them.
      let count = 1;
      while (jsonBytes(shippedOrder(count)) <= MAX_CALL_BYTES) count += 1;
      const call = shippedOrder(count);
      const fitted = fitCall(call);
      if (fitted.kind !== 'fits' || fitted.call.type !== 'track') throw new Error('expected a track that fits');
      const { properties } = fitted.call;
      expect(jsonBytes(fitted.call)).toBeLessThanOrEqual(MAX_CALL_BYTES);
      expect(properties).toMatchObject({
        tracking_number: '1Z999AA10123456781',
        carrier: 'UPS',
        shipments_truncated: true,
        products_count: count,
      });
      expect(properties.products).toHaveLength(count);
      const tracking = (n: number) => {
        const { products: _products, ...rest } = shipment(n, []);
        return rest;
      };
      expect(properties.shipments).toEqual([tracking(0), tracking(1)]);
    });

    it('then drops products from the end, as for any order', () => {
      const fitted = fitCall(shippedOrder(600));
      if (fitted.kind !== 'fits' || fitted.call.type !== 'track') throw new Error('expected a track that fits');
      const { properties } = fitted.call;
      expect(jsonBytes(fitted.call)).toBeLessThanOrEqual(MAX_CALL_BYTES);
      expect(properties).toMatchObject({ shipments_truncated: true, products_truncated: true, products_count: 600 });
      expect((properties.products as object[]).length).toBeLessThan(600);
      expect((properties.shipments as object[]).map((entry) => Object.keys(entry))).toEqual([
        ['delivery_id', 'created_at', 'tracking_number', 'carrier'],
        ['delivery_id', 'created_at', 'tracking_number', 'carrier'],
      ]);
    });

    it('leaves the shipments whole when dropping optional product fields is enough', () => {
      const call = shippedOrder(2);
      const large = {
        ...call,
        properties: { ...call.properties, products: [product(0, { image_url: 'x'.repeat(33_000) })] },
      };
      const fitted = fitCall(large);
      if (fitted.kind !== 'fits' || fitted.call.type !== 'track') throw new Error('expected a track that fits');
      expect(fitted.call.properties.shipments).toEqual(call.properties.shipments);
      expect(fitted.call.properties).not.toHaveProperty('shipments_truncated');
    });
  });

  it('drops the largest non-essential identify traits first', () => {
    const call: IdentifyCall = {
      type: 'identify',
      messageId: 'ct-identify-0123456789abcdef0123456789abcdef',
      userId: 'customer-1',
      timestamp: '2026-11-23T10:00:00.000Z',
      traits: { email: 'a@example.com', firstName: 'Ada', notes: 'n'.repeat(40_000), title: 'Dr' },
    };
    const fitted = fitCall(call);
    if (fitted.kind !== 'fits' || fitted.call.type !== 'identify') throw new Error('expected an identify that fits');
    expect(fitted.call.traits).toEqual({
      email: 'a@example.com',
      firstName: 'Ada',
      title: 'Dr',
      traits_truncated: true,
    });
  });

  it('measures UTF-8 bytes, not characters', () => {
    // 12,000 characters, 36,000 bytes.
    const call = order([product(0, { name: '€'.repeat(12_000) })]);
    expect(JSON.stringify(call).length).toBeLessThan(MAX_CALL_BYTES);
    expect(
      fitCall(call).kind === 'fits' && (fitCall(call) as { call: TrackCall }).call.properties.products_truncated,
    ).toBe(true);
  });
});
