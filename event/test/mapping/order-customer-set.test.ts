import type { Order } from '@commercetools/platform-sdk';
import { DEFAULT_TRACKING_FIELDS, parseTrackingTarget, type TrackingField } from '../../src/mapping/tracking';
import { buildOrderCustomerSet, guestAnonymousId } from '../../src/mapping/order-customer-set';
import type { MappingOptions } from '../../src/mapping/types';
import guestJson from '../fixtures/orders/order-guest.json';

const guest = guestJson as unknown as Order;
const CUSTOMER = '0aa11e55-0000-4000-8000-0000000000c2';
const BROWSER = '6c2a1d4f-3b5e-4f70-9a1b-2c3d4e5f6a7b';

const tracking: TrackingField[] = Object.entries(DEFAULT_TRACKING_FIELDS).map(([path, field]) => {
  const parsed = parseTrackingTarget(path);
  if (!('target' in parsed)) throw new Error(path);
  return { target: parsed.target, field };
});
const options: MappingOptions = { projectKey: 'demo-shop', consentFieldName: 'consent', tracking };

const withFields = (order: Order, fields: Record<string, unknown>): Order => ({
  ...order,
  custom: { type: { typeId: 'type', id: '4a0b7f3c-2d8e-4f51-a6c9-1e7d3b5f9a20' }, fields },
});
const unattributed: Order = { ...guest, anonymousId: undefined };
const occurrence = { discriminator: 'message-1', timestamp: '2026-11-23T10:15:00.000Z' };

describe('guestAnonymousId: what joining a guest order to its customer may join', () => {
  it('is the browser’s: the tracking field’s, else the order’s own', () => {
    expect(guestAnonymousId(withFields(guest, { segmentAnonymousId: BROWSER }), options)).toBe(BROWSER);
    expect(guestAnonymousId(guest, options)).toBe(guest.anonymousId);
  });

  it('is the order id when that was the fallback, and never the email hash', () => {
    expect(guestAnonymousId(unattributed, { ...options, anonymousIdFallback: 'order-id' })).toBe(guest.id);
    expect(guestAnonymousId(unattributed, { ...options, anonymousIdFallback: 'email-hash' })).toBeUndefined();
    expect(guestAnonymousId(unattributed, options)).toBeUndefined();
  });
});

describe('buildOrderCustomerSet', () => {
  it('identifies the customer with the guest’s anonymousId and the order’s consent, no traits', () => {
    const consent = { categoryPreferences: { Analytics: true } };
    const order = withFields(guest, {
      segmentAnonymousId: BROWSER,
      consent: JSON.stringify(consent),
      clientIp: '203.0.113.42',
    });
    const result = buildOrderCustomerSet(order, options, { customerId: CUSTOMER, occurrence });
    expect(result).toEqual({
      kind: 'calls',
      calls: [
        {
          type: 'identify',
          userId: CUSTOMER,
          anonymousId: BROWSER,
          traits: {},
          timestamp: occurrence.timestamp,
          messageId: expect.stringMatching(/^ct-order-customer-set-[0-9a-f]{32}$/),
          // The checkout's IP is not the context of an assignment made later by someone else.
          context: { consent },
          stores: ['us-webshop'],
        },
      ],
    });
  });

  it('names its messageId by the occurrence, so redeliveries repeat it and other occurrences do not', () => {
    const idOf = (discriminator: string) => {
      const result = buildOrderCustomerSet(guest, options, {
        customerId: CUSTOMER,
        occurrence: { ...occurrence, discriminator },
      });
      return result.kind === 'calls' ? result.calls[0]?.messageId : undefined;
    };
    expect(idOf('message-1')).toBe(idOf('message-1'));
    expect(idOf('message-1')).not.toBe(idOf('message-2'));
  });

  it('joins nothing without an anonymousId, and sends nothing when the consent cannot be read', () => {
    expect(buildOrderCustomerSet(unattributed, options, { customerId: CUSTOMER, occurrence })).toEqual({
      kind: 'skip',
      reason: 'no-event',
    });
    expect(
      buildOrderCustomerSet(withFields(guest, { consent: '{"categoryPreferences":' }), options, {
        customerId: CUSTOMER,
        occurrence,
      }),
    ).toEqual({ kind: 'skip', reason: 'invalid-consent' });
  });
});
