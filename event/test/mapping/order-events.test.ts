import type { Order, Shipping } from '@commercetools/platform-sdk';
import { buildOrderEvent, orderProperties } from '../../src/mapping/order';
import {
  combineResults,
  type EventName,
  type MappingOptions,
  type MappingResult,
  type Occurrence,
} from '../../src/mapping/types';
import type { SegmentCall } from '../../src/segment/calls';
import { defined, orderFixtures } from '../support/fixtures';
import { expected, MAPPING_OPTIONS, onlyTrack, orderMessageId } from '../support/mapping';

const { taxExcluded, taxIncluded, multipleShipping, jpy, kwd, noTax, guest, invalidConsent } = orderFixtures;

const ORDER_SHIPPED: EventName = { name: 'Order Shipped', slug: 'order-shipped' };
const SHIPPED_AT: Occurrence = { discriminator: 4, timestamp: '2026-03-16T11:02:45.000Z' };

const eventOf = (order: Order, event = ORDER_SHIPPED, occurrence = SHIPPED_AT, extra: Partial<MappingOptions> = {}) =>
  onlyTrack(buildOrderEvent(order, { ...MAPPING_OPTIONS, ...extra }, { event, occurrence }));

describe('buildOrderEvent', () => {
  it('tracks the event under its configured name, at the occurrence, with the order’s properties', () => {
    expect(eventOf(taxExcluded)).toEqual({
      type: 'track',
      event: 'Order Shipped',
      stores: ['us-webshop'],
      userId: expected.taxExcluded.userId,
      anonymousId: taxExcluded.anonymousId,
      // When the order was shipped, not when it was created (2026-03-14T09:26:53.102Z) or last modified.
      timestamp: '2026-03-16T11:02:45.000Z',
      messageId: orderMessageId(taxExcluded.id, 'order-shipped', 4),
      properties: orderProperties(taxExcluded),
    });
  });

  it('carries where the order stands on every event', () => {
    const shipped: Order = { ...taxExcluded, orderState: 'Complete', shipmentState: 'Shipped', paymentState: 'Paid' };
    expect(eventOf(shipped).properties).toMatchObject({
      order_id: '9b2f4c1e-7a3d-4e8b-b5c6-0d1e2f3a4b5c',
      order_number: 'US-2026-004271',
      store: 'us-webshop',
      shipping_method: 'Standard Ground',
      order_state: 'Complete',
      payment_state: 'Paid',
      shipment_state: 'Shipped',
      country: 'US',
      // taxedPrice.totalNet 208.92: the goods’ 200.97 net plus 7.95 net shipping, no tax.
      total_net: 208.92,
      total: 227.46,
    });
  });

  it('uses the configured locale for product names', () => {
    const products = eventOf(taxExcluded, ORDER_SHIPPED, SHIPPED_AT, { locale: 'de-DE' }).properties.products as {
      name: string;
    }[];
    expect(products.map((product) => product.name)).toEqual(['Trailrunning-Sneaker', 'Merinowollsocken']);
  });

  describe('total_net', () => {
    it.each<[string, Order, number]>([
      // EUR, 19 % included: taxedPrice.totalNet 106.89 (gross 127.20 − tax 20.31).
      ['tax included', taxIncluded, 106.89],
      // Two shipping methods: taxedPrice.totalNet 142.98, both methods’ net shipping included.
      ['multiple shipping', multipleShipping, 142.98],
      // No taxedPrice at all: the untaxed totalPrice, 69.20 CAD.
      ['not taxed', noTax, 69.2],
      // JPY has no minor unit: 5345 yen, not 53.45.
      ['JPY', jpy, 5345],
      // KWD has three: taxedPrice.totalNet 56533 fils is 56.533.
      ['KWD', kwd, 56.533],
    ])('is the order’s net total (%s)', (_, order, totalNet) => {
      expect(eventOf(order).properties.total_net).toBe(totalNet);
    });
  });

  describe('shipping_method', () => {
    const [home, express] = multipleShipping.shipping;
    const withShipping = (...shipping: Shipping[]): Order => ({ ...multipleShipping, shipping });
    const renamed = (entry: Shipping, shippingKey: string, shippingMethodName: string): Shipping => ({
      ...entry,
      shippingKey,
      shippingInfo: { ...entry.shippingInfo, shippingMethodName },
    });

    it('joins the method names of a Multiple-shipping order with ", "', () => {
      expect(eventOf(multipleShipping).properties.shipping_method).toBe('UPS Ground, UPS Next Day Air');
    });

    it('names each method once, in order of first use', () => {
      const again = renamed(defined(home), 'standard-gift', 'UPS Ground');
      expect(eventOf(withShipping(defined(home), defined(express), again)).properties.shipping_method).toBe(
        'UPS Ground, UPS Next Day Air',
      );
      expect(eventOf(withShipping(defined(express), again, defined(home))).properties.shipping_method).toBe(
        'UPS Next Day Air, UPS Ground',
      );
      expect(eventOf(withShipping(defined(home), again)).properties.shipping_method).toBe('UPS Ground');
    });

    it('leaves out empty names, and the property when no name is left', () => {
      const unnamed = renamed(defined(home), 'unnamed', '');
      expect(eventOf(withShipping(unnamed, defined(express))).properties.shipping_method).toBe('UPS Next Day Air');
      expect(eventOf(withShipping(unnamed)).properties).not.toHaveProperty('shipping_method');
      expect(eventOf({ ...taxExcluded, shippingInfo: undefined }).properties).not.toHaveProperty('shipping_method');
    });
  });

  describe('country and store', () => {
    it('falls back to the shipping address’s country', () => {
      const address = defined(taxExcluded.shippingAddress);
      const order: Order = { ...taxExcluded, country: undefined, shippingAddress: { ...address, country: 'CA' } };
      expect(eventOf(order).properties.country).toBe('CA');
    });

    it('prefers the order’s country over the shipping address’s', () => {
      const address = defined(taxExcluded.shippingAddress);
      expect(eventOf({ ...taxExcluded, shippingAddress: { ...address, country: 'CA' } }).properties.country).toBe('US');
    });

    it('leaves out country and store when the order has neither', () => {
      const properties = eventOf({
        ...taxExcluded,
        country: undefined,
        shippingAddress: undefined,
        store: undefined,
      }).properties;
      expect(properties).not.toHaveProperty('country');
      expect(properties).not.toHaveProperty('store');
      expect(eventOf(kwd).properties).not.toHaveProperty('store'); // the KWD fixture has no store
    });
  });

  describe('messageIds', () => {
    it('depend on the slug, not on the name, so renaming an event keeps redeliveries recognisable', () => {
      const renamedEvent = eventOf(taxExcluded, { name: 'Bestellung versandt', slug: 'order-shipped' });
      expect(renamedEvent.event).toBe('Bestellung versandt');
      expect(renamedEvent.messageId).toBe(eventOf(taxExcluded).messageId);
      expect(eventOf(taxExcluded, { name: 'Order Shipped', slug: 'order-delivered' }).messageId).not.toBe(
        eventOf(taxExcluded).messageId,
      );
    });

    it('differ between occurrences and repeat for the same one', () => {
      const id = eventOf(taxExcluded).messageId;
      expect(eventOf(taxExcluded, ORDER_SHIPPED, { ...SHIPPED_AT }).messageId).toBe(id);
      expect(eventOf(taxExcluded, ORDER_SHIPPED, { ...SHIPPED_AT, discriminator: 5 }).messageId).not.toBe(id);
      expect(eventOf(taxExcluded, ORDER_SHIPPED, { ...SHIPPED_AT, discriminator: 'created' }).messageId).not.toBe(id);
      // The time is not part of the id: a redelivery stamped differently is still the same event.
      expect(
        eventOf(taxExcluded, ORDER_SHIPPED, { ...SHIPPED_AT, timestamp: '2026-03-17T00:00:00.000Z' }).messageId,
      ).toBe(id);
    });
  });

  it('puts a valid consent into the context', () => {
    expect(eventOf(taxIncluded).context).toEqual({ consent: expected.taxIncluded.consent });
    expect(eventOf(taxExcluded)).not.toHaveProperty('context');
  });

  it('skips an order whose consent cannot be read', () => {
    expect(buildOrderEvent(invalidConsent, MAPPING_OPTIONS, { event: ORDER_SHIPPED, occurrence: SHIPPED_AT })).toEqual({
      kind: 'skip',
      reason: 'invalid-consent',
    });
  });

  it('skips an order without identity, unless a fallback gives it one', () => {
    const unattributed: Order = { ...guest, anonymousId: undefined };
    expect(buildOrderEvent(unattributed, MAPPING_OPTIONS, { event: ORDER_SHIPPED, occurrence: SHIPPED_AT })).toEqual({
      kind: 'skip',
      reason: 'no-identity',
    });
    expect(eventOf(unattributed, ORDER_SHIPPED, SHIPPED_AT, { anonymousIdFallback: 'order-id' })).toMatchObject({
      anonymousId: '7d0e2f4a-9b8c-4e6d-af5a-0b2c4d6e8f91',
    });
  });
});

describe('combineResults', () => {
  const call = (messageId: string): SegmentCall => ({
    type: 'track',
    event: 'Test',
    userId: 'u1',
    timestamp: '2026-01-01T00:00:00.000Z',
    messageId,
    properties: {},
  });
  const calls = (...ids: string[]): MappingResult => ({ kind: 'calls', calls: ids.map(call) });

  it('concatenates the calls in the order of the results', () => {
    const combined = combineResults(calls('a'), calls(), calls('b', 'c'));
    expect(combined).toEqual({ kind: 'calls', calls: [call('a'), call('b'), call('c')] });
  });

  it('is an empty list of calls without results', () => {
    expect(combineResults()).toEqual({ kind: 'calls', calls: [] });
  });

  it('returns the first skip, wherever it is, and drops the calls', () => {
    expect(
      combineResults(calls('a'), { kind: 'skip', reason: 'no-identity' }, { kind: 'skip', reason: 'invalid-consent' }),
    ).toEqual({ kind: 'skip', reason: 'no-identity' });
    expect(
      combineResults({ kind: 'skip', reason: 'invalid-consent' }, calls('a'), { kind: 'skip', reason: 'no-identity' }),
    ).toEqual({ kind: 'skip', reason: 'invalid-consent' });
  });

  it('combines real mapper output', () => {
    const completed = buildOrderEvent(taxExcluded, MAPPING_OPTIONS, {
      event: { name: 'Order Completed', slug: 'order-completed' },
      occurrence: { discriminator: 'created', timestamp: taxExcluded.createdAt },
    });
    const shipped = buildOrderEvent(taxExcluded, MAPPING_OPTIONS, { event: ORDER_SHIPPED, occurrence: SHIPPED_AT });
    const combined = combineResults(completed, shipped);
    if (combined.kind !== 'calls') throw new Error('expected calls');
    expect(combined.calls.map((c) => (c.type === 'track' ? c.event : c.type))).toEqual([
      'Order Completed',
      'Order Shipped',
    ]);
    expect(
      combineResults(
        completed,
        buildOrderEvent(invalidConsent, MAPPING_OPTIONS, { event: ORDER_SHIPPED, occurrence: SHIPPED_AT }),
      ),
    ).toEqual({
      kind: 'skip',
      reason: 'invalid-consent',
    });
  });
});
