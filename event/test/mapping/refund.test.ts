import type { LineItem, Order, ReturnItem, ReturnPaymentState, TypedMoney } from '@commercetools/platform-sdk';
import { buildOrderRefunded, type Refund } from '../../src/mapping/refund';
import type { EventName, MappingOptions } from '../../src/mapping/types';
import { customLineItemReturn, lineItemReturn, money, preciseMoney } from '../support/builders';
import { defined, orderFixtures } from '../support/fixtures';
import { expected, MAPPING_OPTIONS, onlyTrack, orderMessageId } from '../support/mapping';

const { taxExcluded, taxIncluded, jpy, kwd, highPrecision, noTax, guest, invalidConsent } = orderFixtures;

const ORDER_REFUNDED: EventName = { name: 'Order Refunded', slug: 'order-refunded' };
const REFUNDED_AT = '2026-03-21T08:30:00.000Z';

const SNEAKERS = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d'; // quantity 2, taxedPrice.totalGross 176.18
const SOCKS = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e'; // quantity 3, taxedPrice.totalGross 42.62

const usd = (cents: number) => money(cents, 'USD');

describe('buildOrderRefunded', () => {
  const returned = (lineItemId: string, quantity: number, paymentState: ReturnPaymentState = 'Refunded') =>
    lineItemReturn({ lineItemId, quantity, paymentState });

  const withReturns = (order: Order, ...items: ReturnItem[]): Order => ({ ...order, returnInfo: [{ items }] });

  const refundOf = (amount: TypedMoney, transactionId = 'txn-refund-1'): Refund => ({
    transactionId,
    amount,
    timestamp: REFUNDED_AT,
  });

  const refundedTrack = (order: Order, refund: Refund, extra: Partial<MappingOptions> = {}) =>
    onlyTrack(buildOrderRefunded(order, { ...MAPPING_OPTIONS, ...extra }, { event: ORDER_REFUNDED, refund }));

  const productsOf = (order: Order, refund: Refund) => refundedTrack(order, refund).properties.products;

  it('tracks the refunded amount with the returned product, and none of the order’s own figures', () => {
    // Sneakers: 2 for a gross 176.18 → one returned is worth 176.18 × 1 / 2 = 88.09, the refund.
    const order = withReturns(taxExcluded, returned(SNEAKERS, 1));
    expect(refundedTrack(order, refundOf(usd(8809)))).toEqual({
      type: 'track',
      event: 'Order Refunded',
      stores: ['us-webshop'],
      userId: expected.taxExcluded.userId,
      anonymousId: taxExcluded.anonymousId,
      timestamp: REFUNDED_AT,
      messageId: orderMessageId(taxExcluded.id, 'order-refunded', 'txn-refund-1'),
      properties: {
        ...expected.taxExcluded.orderContext,
        total: 88.09,
        currency: 'USD',
        products: [
          expect.objectContaining({
            product_id: '5e8f1a2b-3c4d-4e5f-9a6b-7c8d9e0f1a2b',
            sku: 'TRS-GRY-42',
            name: 'Trail Runner Sneaker',
            variant: 'trail-runner-grey-42',
            price: 89.9,
            quantity: 1, // the returned quantity, not the line's 2
            image_url: 'https://images.example-cdn.com/products/trail-runner-sneaker-grey.jpg',
            position: 1,
          }),
        ],
      },
    });
  });

  it('leaves out the order’s figures, which destinations would read as the refunded value', () => {
    const properties = refundedTrack(withReturns(taxExcluded, returned(SNEAKERS, 1)), refundOf(usd(8809))).properties;
    for (const key of ['revenue', 'subtotal', 'tax', 'discount', 'shipping', 'total_net', 'coupon', 'checkout_id']) {
      expect(properties).not.toHaveProperty(key);
    }
  });

  it('lists every returned line when together they are worth the refund, numbered in order-line order', () => {
    // Socks first in the return, all 3 (42.62) + 1 sneaker (88.09) = 130.71.
    const order = withReturns(taxExcluded, returned(SOCKS, 3), returned(SNEAKERS, 1));
    expect(productsOf(order, refundOf(usd(13071)))).toMatchObject([
      { sku: 'TRS-GRY-42', quantity: 1, position: 1 },
      { sku: 'MWS-NAV-M', quantity: 3, position: 2 },
    ]);
  });

  it('adds up the returns of one line across return infos', () => {
    // 1 + 1 sneakers = the whole line, 176.18.
    const order: Order = {
      ...taxExcluded,
      returnInfo: [{ items: [returned(SNEAKERS, 1)] }, { items: [{ ...returned(SNEAKERS, 1), id: 'second-return' }] }],
    };
    expect(productsOf(order, refundOf(usd(17618)))).toMatchObject([{ sku: 'TRS-GRY-42', quantity: 2, position: 1 }]);
  });

  it('ignores returned items not (yet) marked Refunded', () => {
    // Only the sneaker is Refunded; the socks' 42.62 stays out of the sum, which is 88.09.
    const order = withReturns(taxExcluded, returned(SNEAKERS, 1), returned(SOCKS, 3, 'Initial'));
    expect(productsOf(order, refundOf(usd(8809)))).toMatchObject([{ sku: 'TRS-GRY-42', quantity: 1 }]);
  });

  describe('lists no products', () => {
    it('when the refund differs from the returned value, even by a cent', () => {
      const order = withReturns(taxExcluded, returned(SNEAKERS, 1));
      const track = refundedTrack(order, refundOf(usd(8810)));
      expect(track.properties).not.toHaveProperty('products');
      expect(track.properties.total).toBe(88.1); // the refund is still reported
    });

    it.each<ReturnPaymentState>(['Initial', 'NotRefunded', 'NonRefundable'])(
      'when the returned items are %s',
      (state) => {
        const order = withReturns(taxExcluded, returned(SNEAKERS, 1, state));
        expect(refundedTrack(order, refundOf(usd(8809))).properties).not.toHaveProperty('products');
      },
    );

    it('when nothing was returned', () => {
      expect(refundedTrack(taxExcluded, refundOf(usd(8809))).properties).not.toHaveProperty('products');
      expect(
        refundedTrack({ ...taxExcluded, returnInfo: undefined }, refundOf(usd(8809))).properties,
      ).not.toHaveProperty('products');
    });

    it('when a returned share is not a whole number of cents', () => {
      // Socks: 42.62 for 3. One is 4262 / 3 = 1420.67 cents, two are 8524 / 3 = 2841.33 cents;
      // neither can equal a refund exactly, whatever it was rounded to.
      for (const [quantity, cents] of [
        [1, 1420],
        [1, 1421],
        [2, 2841],
      ] as const) {
        const order = withReturns(taxExcluded, returned(SOCKS, quantity));
        expect(refundedTrack(order, refundOf(usd(cents))).properties).not.toHaveProperty('products');
      }
    });

    it('when a constructed line’s odd gross does not split by its quantity of 3', () => {
      // 3 sneakers for a gross 100.00: one is 10000 / 3 = 3333.33 cents; all three are exactly 100.00.
      const sneakers = defined(taxExcluded.lineItems[0]);
      const taxedPrice = defined(sneakers.taxedPrice);
      const oddLine: LineItem = { ...sneakers, quantity: 3, taxedPrice: { ...taxedPrice, totalGross: usd(10000) } };
      const order: Order = { ...taxExcluded, lineItems: [oddLine, ...taxExcluded.lineItems.slice(1)] };
      expect(
        refundedTrack(withReturns(order, returned(SNEAKERS, 1)), refundOf(usd(3333))).properties,
      ).not.toHaveProperty('products');
      expect(productsOf(withReturns(order, returned(SNEAKERS, 3)), refundOf(usd(10000)))).toMatchObject([
        { sku: 'TRS-GRY-42', quantity: 3 },
      ]);
    });

    it('when a returned item’s line is not in the order', () => {
      // The sneaker alone would match 88.09; an unknown line makes the whole match doubtful.
      const order = withReturns(
        taxExcluded,
        returned(SNEAKERS, 1),
        returned('0d15a99e-0000-4000-8000-000000000000', 1),
      );
      expect(refundedTrack(order, refundOf(usd(8809))).properties).not.toHaveProperty('products');
    });

    it('when more items are returned than the line holds', () => {
      // 3 of 2 sneakers would be 176.18 × 3 / 2 = 264.27, which must not be taken at face value.
      const order = withReturns(taxExcluded, returned(SNEAKERS, 3));
      expect(refundedTrack(order, refundOf(usd(26427))).properties).not.toHaveProperty('products');
    });

    it('when only custom line items were returned', () => {
      const customReturn = customLineItemReturn({
        customLineItemId: defined(taxIncluded.customLineItems[0]).id,
        quantity: 1,
      });
      const order = withReturns(taxIncluded, customReturn);
      const value = defined(taxIncluded.customLineItems[0]).totalPrice;
      expect(refundedTrack(order, refundOf(value)).properties).not.toHaveProperty('products');
    });
  });

  it('values a line of an untaxed order by its totalPrice', () => {
    // CAD, no taxedPrice: 2 for 37.50 → one is 18.75.
    const order = withReturns(noTax, returned('b4c5d6e7-f8a9-4b0c-9d1e-35465768798a', 1));
    const track = refundedTrack(order, refundOf(money(1875, 'CAD')));
    expect(track.properties).toMatchObject({ total: 18.75, currency: 'CAD', products: [{ quantity: 1, position: 1 }] });
  });

  describe('currencies', () => {
    it('reports yen in yen', () => {
      // 2 for a gross ¥3240 → one is ¥1620; JPY has no minor unit, so total is 1620, not 16.2.
      const order = withReturns(jpy, returned('b8c9d0e1-f2a3-4b4c-9d5e-7f8091021324', 1));
      const track = refundedTrack(order, refundOf(money(1620, 'JPY')));
      expect(track.properties).toMatchObject({ total: 1620, currency: 'JPY', products: [{ quantity: 1 }] });
    });

    it('keeps the three digits of KWD', () => {
      // 2 for a gross 43.510 KWD (43510 fils) → one is 21755 fils = 21.755.
      const order = withReturns(kwd, returned('d0e1f2a3-b4c5-4d6e-9f7a-910213243546', 1));
      const track = refundedTrack(order, refundOf(money(21755, 'KWD')));
      expect(track.properties).toMatchObject({ total: 21.755, currency: 'KWD', products: [{ quantity: 1 }] });
    });

    it('matches a high-precision refund against cent-precision lines exactly', () => {
      // The whole line of 450 for a gross 63.19; the refund 63.1900 (631900 at 4 digits) is the same value.
      const line = 'f2a3b4c5-d6e7-4f8a-9b9c-132435465768';
      const refund = preciseMoney(631900, 4, 'EUR');
      const track = refundedTrack(withReturns(highPrecision, returned(line, 450)), refundOf(refund));
      expect(track.properties).toMatchObject({ total: 63.19, currency: 'EUR', products: [{ quantity: 450 }] });
      // 63.1901 is a hundredth of a cent more: no match, and the total keeps its digits.
      const off = refundedTrack(
        withReturns(highPrecision, returned(line, 450)),
        refundOf(preciseMoney(631901, 4, 'EUR')),
      );
      expect(off.properties.total).toBe(63.1901);
      expect(off.properties).not.toHaveProperty('products');
      // 150 of 450: 6319 × 150 / 450 = 2106.33 cents, not whole.
      const third = refundedTrack(withReturns(highPrecision, returned(line, 150)), refundOf(money(2106, 'EUR')));
      expect(third.properties).not.toHaveProperty('products');
    });

    it('lists no products (instead of throwing) when the refund is in another currency than the returned lines', () => {
      const track = refundedTrack(withReturns(taxExcluded, returned(SNEAKERS, 1)), refundOf(money(8809, 'EUR')));
      expect(track.properties).toMatchObject({ total: 88.09, currency: 'EUR' });
      expect(track.properties).not.toHaveProperty('products');
    });
  });

  it('gives a refunded product the total_price of the returned quantity, not of the whole line', () => {
    // 1 of 2 sneakers: 176.18 gross × 1 / 2 = 88.09 (the line's own total_price is 161.82 net for 2).
    const track = refundedTrack(withReturns(taxExcluded, returned(SNEAKERS, 1)), refundOf(usd(8809)));
    expect(track.properties.products).toEqual([expect.objectContaining({ quantity: 1, total_price: 88.09 })]);
  });

  describe('messageIds', () => {
    const order = withReturns(taxExcluded, returned(SNEAKERS, 1));

    it('are keyed by the refund transaction', () => {
      const first = refundedTrack(order, refundOf(usd(8809), 'txn-refund-1')).messageId;
      expect(refundedTrack(order, refundOf(usd(8809), 'txn-refund-1')).messageId).toBe(first);
      // Two refunds of the same amount are two events.
      expect(refundedTrack(order, refundOf(usd(8809), 'txn-refund-2')).messageId).not.toBe(first);
      expect(first).toBe(orderMessageId(taxExcluded.id, 'order-refunded', 'txn-refund-1'));
    });

    it('keep the slug when the event is renamed', () => {
      const renamed = onlyTrack(
        buildOrderRefunded(order, MAPPING_OPTIONS, {
          event: { name: 'Refund Issued', slug: 'order-refunded' },
          refund: refundOf(usd(8809)),
        }),
      );
      expect(renamed.event).toBe('Refund Issued');
      expect(renamed.messageId).toBe(refundedTrack(order, refundOf(usd(8809))).messageId);
    });
  });

  it('carries the consent, and skips without readable consent or without identity', () => {
    const refund = refundOf(money(1000, 'EUR'));
    expect(refundedTrack(taxIncluded, refund).context).toEqual({ consent: expected.taxIncluded.consent });
    expect(buildOrderRefunded(invalidConsent, MAPPING_OPTIONS, { event: ORDER_REFUNDED, refund })).toEqual({
      kind: 'skip',
      reason: 'invalid-consent',
    });
    expect(
      buildOrderRefunded({ ...guest, anonymousId: undefined }, MAPPING_OPTIONS, {
        event: ORDER_REFUNDED,
        refund: refundOf(usd(100)),
      }),
    ).toEqual({
      kind: 'skip',
      reason: 'no-identity',
    });
  });

  it('uses the fallback identity of an order without customer or visitor', () => {
    const unattributed: Order = { ...guest, anonymousId: undefined };
    const track = refundedTrack(unattributed, refundOf(usd(100)), { anonymousIdFallback: 'order-id' });
    expect(track.anonymousId).toBe('7d0e2f4a-9b8c-4e6d-af5a-0b2c4d6e8f91');
    expect(track).not.toHaveProperty('userId');
  });
});
