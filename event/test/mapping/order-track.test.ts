import type { Order } from '@commercetools/platform-sdk';
import { buildOrderEvent } from '../../src/mapping/order';
import { DEFAULT_TRACKING_FIELDS, parseTrackingTarget, type TrackingField } from '../../src/mapping/tracking';
import type { MappingOptions, OrderFacts } from '../../src/mapping/types';
import type { TrackCall } from '../../src/segment/calls';
import guestJson from '../fixtures/orders/order-guest.json';
import taxExcludedJson from '../fixtures/orders/order-tax-excluded.json';

/** What every order event shares (order-track.ts): identity, tracked context, email, custom fields. */
const guest = guestJson as unknown as Order;
const registered = taxExcludedJson as unknown as Order;
const BROWSER = '5b1f0c3e-2a4d-4e6f-8a9b-0c1d2e3f4a5b';

const tracking: TrackingField[] = Object.entries(DEFAULT_TRACKING_FIELDS).map(([path, field]) => {
  const parsed = parseTrackingTarget(path);
  if (!('target' in parsed)) throw new Error(path);
  return { target: parsed.target, field };
});
const options: MappingOptions = {
  projectKey: 'demo-shop',
  consentFieldName: 'consent',
  tracking,
  emailInEvents: true,
  orderPropertyFields: { giftMessage: 'gift_message', pickupStore: 'pickup_store', loyaltyPoints: 'total' },
};

const withFields = (order: Order, fields: Record<string, unknown>): Order => ({
  ...order,
  custom: { type: { typeId: 'type', id: '4a0b7f3c-2d8e-4f51-a6c9-1e7d3b5f9a20' }, fields },
});

function trackOf(order: Order, extra: Partial<MappingOptions> & OrderFacts = {}): TrackCall {
  const result = buildOrderEvent(
    order,
    { ...options, ...extra },
    {
      event: { name: 'Order Paid', slug: 'order-paid' },
      occurrence: { discriminator: 'm-1', timestamp: '2026-11-23T10:15:00.000Z' },
    },
  );
  if (result.kind !== 'calls') throw new Error(`skipped: ${result.reason}`);
  return result.calls[0] as TrackCall;
}

describe('identity', () => {
  it('names a registered customer’s order by userId and the browser: the tracking field, else the order’s own', () => {
    expect(trackOf(withFields(registered, { segmentAnonymousId: BROWSER }))).toMatchObject({
      userId: registered.customerId,
      anonymousId: BROWSER,
    });
    expect(trackOf(registered)).toMatchObject({ userId: registered.customerId, anonymousId: registered.anonymousId });
    expect(trackOf({ ...registered, anonymousId: undefined })).not.toHaveProperty('anonymousId');
  });

  it('names a guest by the tracking field before the order’s own anonymousId, and before any fallback', () => {
    expect(trackOf(withFields(guest, { segmentAnonymousId: BROWSER }))).toMatchObject({ anonymousId: BROWSER });
    expect(trackOf(withFields(guest, { segmentAnonymousId: BROWSER }))).not.toHaveProperty('userId');
    const unattributed = withFields({ ...guest, anonymousId: undefined }, { segmentAnonymousId: BROWSER });
    expect(trackOf(unattributed, { anonymousIdFallback: 'order-id' })).toMatchObject({ anonymousId: BROWSER });
  });
});

describe('context', () => {
  it('merges the tracked context with consent, the group and the email, which stay the connector’s', () => {
    const consent = { categoryPreferences: { Advertising: false } };
    const order = withFields({ ...registered, businessUnit: { typeId: 'business-unit', key: 'acme' } } as Order, {
      clientIp: '203.0.113.42',
      utmSource: 'newsletter',
      consent: JSON.stringify(consent),
    });
    expect(trackOf(order).context).toEqual({
      ip: '203.0.113.42',
      campaign: { source: 'newsletter' },
      consent,
      groupId: 'acme',
      traits: { email: registered.customerEmail },
    });
  });
});

describe('context.traits.email', () => {
  it('is a registered customer’s order email, always', () => {
    expect(trackOf(registered).context).toEqual({ traits: { email: registered.customerEmail } });
  });

  it('is a guest’s email only once commercetools confirmed no registered customer uses it', () => {
    expect(trackOf(guest, { guestEmailRegistered: false }).context).toEqual({ traits: { email: guest.customerEmail } });
    expect(trackOf(guest, { guestEmailRegistered: true })).not.toHaveProperty('context');
    expect(trackOf(guest)).not.toHaveProperty('context');
  });

  it('is never sent with EMAIL_IN_EVENTS off', () => {
    expect(trackOf(registered, { emailInEvents: false })).not.toHaveProperty('context');
    expect(trackOf(guest, { emailInEvents: false, guestEmailRegistered: false })).not.toHaveProperty('context');
  });
});

describe('custom fields as properties', () => {
  it('adds the configured fields; the connector’s own properties win', () => {
    const order = withFields(registered, {
      giftMessage: 'Happy birthday!',
      pickupStore: { typeId: 'channel', id: '5e3c1a2b-7d9f-4e61-8a0b-c2d4e6f8a1b3' },
      loyaltyPoints: 1250,
    });
    const { properties } = trackOf(order);
    expect(properties).toMatchObject({
      gift_message: 'Happy birthday!',
      pickup_store: '5e3c1a2b-7d9f-4e61-8a0b-c2d4e6f8a1b3',
      total: 227.46,
    });
  });
});
