import type { Order } from '@commercetools/platform-sdk';
import { buildOrderCompleted, needsGuestEmailLookup } from '../../src/mapping/order';
import type { MappingOptions } from '../../src/mapping/types';
import type { IdentifyCall, TrackCall } from '../../src/segment/calls';
import { defined, orderFixtures } from '../support/fixtures';
import { callsOf, expected, MAPPING_OPTIONS, orderMessageId } from '../support/mapping';

const { taxExcluded, taxIncluded, guest, invalidConsent, totalDiscount } = orderFixtures;

function completedCalls(order: Order, extra: Partial<MappingOptions> & { guestEmailRegistered?: boolean } = {}) {
  return callsOf(buildOrderCompleted(order, { ...MAPPING_OPTIONS, ...extra }));
}

function trackOf(order: Order, extra: Partial<MappingOptions> & { guestEmailRegistered?: boolean } = {}): TrackCall {
  const track = completedCalls(order, extra).find((call): call is TrackCall => call.type === 'track');
  if (!track) throw new Error('no track call');
  return track;
}

describe('needsGuestEmailLookup', () => {
  it('is true only for a guest with an anonymousId and an email', () => {
    expect(needsGuestEmailLookup(guest)).toBe(true);
    expect(needsGuestEmailLookup(taxExcluded)).toBe(false); // registered, even though it also has an anonymousId
    expect(needsGuestEmailLookup({ ...guest, customerEmail: undefined })).toBe(false);
    expect(needsGuestEmailLookup({ ...guest, anonymousId: undefined })).toBe(false);
  });
});

describe('buildOrderCompleted', () => {
  const orderCompletedId = (order: Order) => orderMessageId(order.id, 'order-completed', 'created');

  it('tracks a registered customer’s order by userId with figures, products and the expanded coupon', () => {
    const calls = completedCalls(taxExcluded);
    expect(calls).toEqual([
      {
        type: 'track',
        event: 'Order Completed',
        stores: ['us-webshop'],
        userId: 'd4a8e2f1-3b6c-4d9e-8f0a-1b2c3d4e5f60',
        anonymousId: taxExcluded.anonymousId,
        timestamp: '2026-03-14T09:26:53.102Z',
        messageId: orderCompletedId(taxExcluded),
        properties: {
          ...expected.taxExcluded.orderContext,
          checkout_id: '2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f7a',
          email: 'ottoline.fairweather@example.com',
          currency: 'USD',
          coupon: 'SAVE10',
          total: 227.46,
          revenue: 200.97,
          subtotal: 200.97,
          total_net: 208.92,
          discount: 24.32,
          shipping: 8.66,
          tax: 18.54,
          products: [
            {
              product_id: '5e8f1a2b-3c4d-4e5f-9a6b-7c8d9e0f1a2b',
              sku: 'TRS-GRY-42',
              name: 'Trail Runner Sneaker',
              variant: 'trail-runner-grey-42',
              price: 89.9,
              discount: 8.99, // 10 % off with SAVE10: (89.90 − 8.99) × 2 = 161.82
              quantity: 2,
              total_price: 161.82,
              image_url: 'https://images.example-cdn.com/products/trail-runner-sneaker-grey.jpg',
              position: 1,
            },
            {
              product_id: '6f9a2b3c-4d5e-4f6a-8b7c-8d9e0f1a2b3c',
              sku: 'MWS-NAV-M',
              name: 'Merino Wool Socks',
              variant: 'merino-socks-navy-m',
              price: 14.5,
              discount: 1.45, // (14.50 − 1.45) × 3 = 39.15
              quantity: 3,
              total_price: 39.15,
              image_url: 'https://images.example-cdn.com/products/merino-wool-socks-navy.jpg',
              position: 2,
            },
          ],
        },
      },
    ]);
  });

  it('uses the configured locale for product names', () => {
    const products = trackOf(taxExcluded, { locale: 'de-DE' }).properties.products as { name: string }[];
    expect(products.map((product) => product.name)).toEqual(['Trailrunning-Sneaker', 'Merinowollsocken']);
  });

  it('leaves out the coupon when there is no code or the code is not expanded, and other absent values', () => {
    expect(trackOf(taxIncluded).properties).not.toHaveProperty('coupon');
    const [code] = taxExcluded.discountCodes ?? [];
    const unexpanded: Order = {
      ...taxExcluded,
      discountCodes: [
        { ...defined(code), discountCode: { typeId: 'discount-code', id: defined(code).discountCode.id } },
      ],
    };
    expect(trackOf(unexpanded).properties).not.toHaveProperty('coupon');
    const bare = trackOf({
      ...taxExcluded,
      orderNumber: undefined,
      cart: undefined,
      customerEmail: undefined,
    }).properties;
    expect(bare).not.toHaveProperty('order_number');
    expect(bare).not.toHaveProperty('checkout_id');
    expect(bare).not.toHaveProperty('email');
    expect(Object.values(bare)).not.toContain(undefined);
  });

  describe('coupon', () => {
    it('names the code that applied, not one listed before it that did not', () => {
      // FREESHIP comes first but lost its group's best deal to TAKE15.
      const [first, second] = totalDiscount.discountCodes ?? [];
      expect([first?.state, first?.discountCode.obj?.code]).toEqual(['ApplicationStoppedByGroupBestDeal', 'FREESHIP']);
      expect([second?.state, second?.discountCode.obj?.code]).toEqual(['MatchesCart', 'TAKE15']);
      expect(trackOf(totalDiscount).properties.coupon).toBe('TAKE15');
    });

    it.each([
      'ApplicationStoppedByGroupBestDeal',
      'ApplicationStoppedByPreviousDiscount',
      'DoesNotMatchCart',
      'MaxApplicationReached',
      'NotActive',
      'NotValid',
    ] as const)('names no code in state %s, which took nothing off', (state) => {
      const [code] = taxExcluded.discountCodes ?? [];
      const order: Order = { ...taxExcluded, discountCodes: [{ ...defined(code), state }] };
      expect(trackOf(order).properties).not.toHaveProperty('coupon');
    });
  });

  it('puts a valid consent into the context of the call', () => {
    const calls = completedCalls(taxIncluded);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.context).toEqual({
      consent: expected.taxIncluded.consent,
    });
  });

  it('sends no context when there is no consent field', () => {
    expect(completedCalls(taxExcluded)[0]).not.toHaveProperty('context');
  });

  it('skips an order whose consent cannot be read', () => {
    expect(buildOrderCompleted(invalidConsent, MAPPING_OPTIONS)).toEqual({ kind: 'skip', reason: 'invalid-consent' });
  });

  it('skips an order with neither customerId nor anonymousId', () => {
    const anonymous: Order = { ...guest, anonymousId: undefined };
    expect(buildOrderCompleted(anonymous, { ...MAPPING_OPTIONS, guestEmailRegistered: false })).toEqual({
      kind: 'skip',
      reason: 'no-identity',
    });
  });

  describe('guests', () => {
    const guestIdentify: IdentifyCall = {
      type: 'identify',
      stores: ['us-webshop'],
      anonymousId: '3f9d6c2e-8b1a-4e57-9c0d-6a2b7e4f1d83',
      traits: { email: 'guest.shopper@example.com' },
      timestamp: '2026-10-27T15:41:02.733Z',
      messageId: orderMessageId('7d0e2f4a-9b8c-4e6d-af5a-0b2c4d6e8f91', 'guest-identify', 'created'),
    };

    it('identifies an unregistered guest by anonymousId and email first, then tracks by anonymousId', () => {
      const calls = completedCalls(guest, { guestEmailRegistered: false });
      expect(calls).toHaveLength(2);
      expect(calls[0]).toEqual(guestIdentify);
      expect(calls[1]).toMatchObject({
        type: 'track',
        event: 'Order Completed',
        anonymousId: '3f9d6c2e-8b1a-4e57-9c0d-6a2b7e4f1d83',
        messageId: orderCompletedId(guest),
        properties: { email: 'guest.shopper@example.com', total: 41.78 },
      });
      expect(calls[1]).not.toHaveProperty('userId');
      expect(calls[0]?.messageId).not.toBe(calls[1]?.messageId);
    });

    it('sends no identify when the email belongs to a registered customer', () => {
      const calls = completedCalls(guest, { guestEmailRegistered: true });
      expect(calls.map((call) => call.type)).toEqual(['track']);
    });

    it('sends no identify when nobody checked whether the email is registered', () => {
      const calls = completedCalls(guest);
      expect(calls.map((call) => call.type)).toEqual(['track']);
    });

    it('never identifies for a registered customer’s order, whatever the flag says', () => {
      const calls = completedCalls(taxExcluded, { guestEmailRegistered: false });
      expect(calls.map((call) => call.type)).toEqual(['track']);
      expect(calls[0]).toHaveProperty('userId', taxExcluded.customerId);
    });

    it('puts the consent on the identify as well as on the track', () => {
      const withConsent: Order = { ...guest, custom: taxIncluded.custom };
      const calls = completedCalls(withConsent, { guestEmailRegistered: false });
      expect(calls).toHaveLength(2);
      for (const call of calls) {
        expect(call.context).toEqual({
          consent: expected.taxIncluded.consent,
        });
      }
    });
  });

  describe('messageIds', () => {
    it('are the same when the same order is mapped twice', () => {
      const first = completedCalls(guest, { guestEmailRegistered: false });
      const second = completedCalls(guest, { guestEmailRegistered: false });
      expect(second.map((call) => call.messageId)).toEqual(first.map((call) => call.messageId));
    });

    it('differ between projects and between orders, and stay short', () => {
      const id = trackOf(taxExcluded).messageId;
      expect(trackOf(taxExcluded, { projectKey: 'other-shop' }).messageId).not.toBe(id);
      expect(trackOf(taxIncluded).messageId).not.toBe(id);
      expect(id.length).toBeLessThan(100);
    });
  });
});
