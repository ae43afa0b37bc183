import type { CustomLineItem, LineItem, Order, TaxRate } from '@commercetools/platform-sdk';
import { orderFigures, type OrderFigures } from '../../src/mapping/order-figures';
import { cartDiscountPortion, discountedPrice, discountOnTotalPrice, money, taxTotals } from '../support/builders';
import { defined, orderFixtures } from '../support/fixtures';

const {
  taxExcluded,
  taxIncluded,
  multipleShipping,
  jpy,
  kwd,
  highPrecision,
  noTax,
  guest,
  invalidConsent,
  totalDiscount,
  giftCredit,
} = orderFixtures;

const usd = (centAmount: number) => money(centAmount, 'USD');

/** The order as commercetools holds it with tax mode Disabled: no tax rates, no taxed prices. */
function untaxed(order: Order): Order {
  const untax = <T extends LineItem | CustomLineItem>(item: T): T => ({
    ...item,
    taxRate: undefined,
    taxedPrice: undefined,
  });
  const discount = order.discountOnTotalPrice;
  return {
    ...order,
    taxMode: 'Disabled',
    taxedPrice: undefined,
    taxedShippingPrice: undefined,
    lineItems: order.lineItems.map(untax),
    customLineItems: order.customLineItems.map(untax),
    shippingInfo: order.shippingInfo && { ...order.shippingInfo, taxRate: undefined, taxedPrice: undefined },
    discountOnTotalPrice: discount && { ...discount, discountedNetAmount: undefined, discountedGrossAmount: undefined },
  };
}

describe('orderFigures', () => {
  it.each<[string, Order, OrderFigures]>([
    // USD, NYC 8.875 % on top of prices, SAVE10 takes 10 % off both lines.
    // total = taxedPrice.totalGross = 227.46; tax = totalTax = 18.54; totalNet = taxedPrice.totalNet = 208.92
    // shipping: 7.95 × 1.08875 = 8.6555625 → 8.66 gross
    // subtotal = totalNet 208.92 − shipping net 7.95 = 200.97
    // discount: sneakers 2 × 8.99 = 17.98 net × 1.08875 = 19.575725 → 19.58;
    //           socks 3 × 1.45 = 4.35 net × 1.08875 = 4.7360625 → 4.74; 19.58 + 4.74 = 24.32
    [
      'tax excluded (USD)',
      taxExcluded,
      {
        currency: 'USD',
        total: 227.46,
        subtotal: 200.97,
        revenue: 200.97,
        discount: 24.32,
        shipping: 8.66,
        tax: 18.54,
        totalNet: 208.92,
      },
    ],
    // EUR, 19 % included. total = totalGross 127.20; tax = 127.20 − 106.89 = 20.31
    // shipping: 5.90 halved to 2.95 by a shipping discount, then its share of the 15.00 off the
    //           total (15.00 × 2.95 / 142.20 = 0.31): taxedShippingPrice 2.64 gross, 2.22 net
    // subtotal = totalNet 106.89 − 2.22 = 104.67
    // discount: 15.00 off the total (discountedGrossAmount) + shipping 5.90 − 2.95 = 2.95 (already gross)
    //           = 17.95; the shirt's product discount (59.90 → 49.90) is not a cart discount.
    [
      'tax included with product, total-price and shipping discounts (EUR)',
      taxIncluded,
      {
        currency: 'EUR',
        total: 127.2,
        subtotal: 104.67,
        revenue: 104.67,
        discount: 17.95,
        shipping: 2.64,
        tax: 20.31,
        totalNet: 106.89,
      },
    ],
    // USD, Seattle 10.35 % on top, 15 % off the total (TAKE15), which also falls on shipping.
    // Before it: backpack 89.00 + bottles 2 × (24.00 − 6.00) = 36.00 + shipping 12.00 = 137.00 net;
    // 15 % of it is 20.55, so totalPrice = totalNet = 116.45.
    // Gross before it: 89.00 × 1.1035 = 98.2115 → 98.21; 36.00 × 1.1035 = 39.726 → 39.73;
    // 12.00 × 1.1035 = 13.242 → 13.24; together 151.18, of which 15 % is 22.677 → 22.68: total 128.50
    // tax = 128.50 − 116.45 = 12.05 (the order's tax portions say 14.18: not reduced by the discount)
    // shipping: 13.24 − 15 % (1.986 → 1.99) = 11.25 gross; 12.00 − 1.80 = 10.20 net (taxedShippingPrice)
    // subtotal = 116.45 − 10.20 = 106.25, which is the goods' 125.00 less 15 %
    // discount: bottles 2 × 6.00 = 12.00 net × 1.1035 = 13.242 → 13.24, plus 22.68 off the total = 35.92
    [
      'total-price discount that also applies to shipping (USD)',
      totalDiscount,
      {
        currency: 'USD',
        total: 128.5,
        subtotal: 106.25,
        revenue: 106.25,
        discount: 35.92,
        shipping: 11.25,
        tax: 12.05,
        totalNet: 116.45,
      },
    ],
    // EUR, 19 % included: 3 bags of espresso beans for the price of 2, a milk frother as a free
    // gift, and a 5.00 goodwill credit (a custom line item with negative money).
    // total = totalGross 37.70 (37.80 + 0 − 5.00 + 4.90); totalNet 31.68 (31.76 + 0 − 4.20 + 4.12); tax 6.02
    // shipping 4.90 (4.12 net); subtotal 31.68 − 4.12 = 27.56: the credit lowers the goods
    // discount: the third bag 18.90 + the gift 24.90 + the credit 5.00 = 48.80, all gross already
    [
      'gift line and goodwill credit (EUR)',
      giftCredit,
      {
        currency: 'EUR',
        total: 37.7,
        subtotal: 27.56,
        revenue: 27.56,
        discount: 48.8,
        shipping: 4.9,
        tax: 6.02,
        totalNet: 31.68,
      },
    ],
    // USD, Chicago 10.25 % on top, two shipping methods. total 157.64, tax 14.66
    // shipping = 7.71 + 16.53 = 24.24 gross; nets 6.99 + 14.99 = 21.98
    // subtotal = 142.98 − 21.98 = 121.00 (floats would say 120.99999999999999)
    // discount: express shipping 24.99 − 14.99 = 10.00 net × 1.1025 = 11.025 → HalfEven 11.02
    [
      'multiple shipping (USD)',
      multipleShipping,
      {
        currency: 'USD',
        total: 157.64,
        subtotal: 121,
        revenue: 121,
        discount: 11.02,
        shipping: 24.24,
        tax: 14.66,
        totalNet: 142.98,
      },
    ],
    // JPY has no minor unit. total ¥5,880, tax ¥535; shipping ¥660 gross, ¥600 net
    // subtotal = 5,345 − 600 = 4,745; discount: ¥220 off the whisk, prices include tax
    [
      'JPY',
      jpy,
      {
        currency: 'JPY',
        total: 5880,
        subtotal: 4745,
        revenue: 4745,
        discount: 220,
        shipping: 660,
        tax: 535,
        totalNet: 5345,
      },
    ],
    // KWD has three decimals. total 59.360, tax 2.827; shipping 2.750 × 1.05 = 2.8875 → 2.888
    // subtotal = 56.533 − 2.750 = 53.783
    // discount: 2 × 3.656 = 7.312 net × 1.05 = 7.6776 → 7.678
    [
      'KWD',
      kwd,
      {
        currency: 'KWD',
        total: 59.36,
        subtotal: 53.783,
        revenue: 53.783,
        discount: 7.678,
        shipping: 2.888,
        tax: 2.827,
        totalNet: 56.533,
      },
    ],
    // EUR B2B, 19 % on top, high-precision prices. total 98.54, tax 15.73
    // shipping 5.90 × 1.19 = 7.021 → 7.02; subtotal = 82.81 − 5.90 = 76.91
    // discount: 450 screws × (0.0025 + 0.0030) = 2.4750 → HalfEven 2.48 net (floats: 2.47);
    //           × 1.19 = 2.9512 → 2.95
    [
      'high precision (EUR)',
      highPrecision,
      {
        currency: 'EUR',
        total: 98.54,
        subtotal: 76.91,
        revenue: 76.91,
        discount: 2.95,
        shipping: 7.02,
        tax: 15.73,
        totalNet: 82.81,
      },
    ],
    // CAD, taxes disabled: total = totalPrice 69.20, tax 0, shipping = its price 12.50
    // subtotal = 69.20 − 12.50 = 56.70; discount 20 % of the toque = 4.80, nothing to gross up
    [
      'no tax (CAD)',
      noTax,
      {
        currency: 'CAD',
        total: 69.2,
        subtotal: 56.7,
        revenue: 56.7,
        discount: 4.8,
        shipping: 12.5,
        tax: 0,
        totalNet: 69.2,
      },
    ],
    // USD, Austin 8.25 % on top. total 41.78, tax 3.18; shipping 9.60 × 1.0825 = 10.392 → 10.39
    // subtotal = 38.60 − 9.60 = 29.00; no discounts
    [
      'guest (USD)',
      guest,
      {
        currency: 'USD',
        total: 41.78,
        subtotal: 29,
        revenue: 29,
        discount: 0,
        shipping: 10.39,
        tax: 3.18,
        totalNet: 38.6,
      },
    ],
    // EUR, 19 % included: total 16.80, tax 2.68; shipping 3.90 gross, 3.28 net; subtotal 14.12 − 3.28 = 10.84
    [
      'invalid consent (EUR)',
      invalidConsent,
      {
        currency: 'EUR',
        total: 16.8,
        subtotal: 10.84,
        revenue: 10.84,
        discount: 0,
        shipping: 3.9,
        tax: 2.68,
        totalNet: 14.12,
      },
    ],
  ])('computes the figures of the %s order', (_name, order, expected) => {
    expect(orderFigures(order)).toEqual(expected);
  });

  describe('discounts on the total price, which commercetools spreads over goods and shipping', () => {
    // The total-discount fixture: 15 % (20.55) off 137.00, of which shipping is 12.00 net, 13.24 gross.
    const withoutTaxedShipping: Order = { ...totalDiscount, taxMode: 'ExternalAmount', taxedShippingPrice: undefined };

    it('without taxedShippingPrice, takes shipping’s share in proportion to its price', () => {
      // ExternalAmount leaves taxedShippingPrice empty. 13.24 × 20.55 / 137.00 = 1.986 → 1.99 and
      // 12.00 × 20.55 / 137.00 = 1.80: shipping 11.25 gross, 10.20 net, as commercetools holds it.
      expect(orderFigures(withoutTaxedShipping)).toEqual(orderFigures(totalDiscount));
      expect(orderFigures(withoutTaxedShipping)).toMatchObject({ shipping: 11.25, subtotal: 106.25 });
      // The EUR fixture: 2.95 × 15.00 / 142.20 = 0.311 → 0.31, 2.48 × … = 0.262 → 0.26: 2.64 and 2.22.
      expect(orderFigures({ ...taxIncluded, taxedShippingPrice: undefined })).toMatchObject({
        shipping: 2.64,
        subtotal: 104.67,
      });
    });

    it('with taxes disabled, takes shipping’s share of the untaxed total', () => {
      // totalPrice 116.45; shipping 12.00 − 1.80 = 10.20; subtotal 116.45 − 10.20 = 106.25;
      // discount 12.00 on the bottles + 20.55 off the total = 32.55, nothing to gross up.
      expect(orderFigures(untaxed(totalDiscount))).toEqual({
        currency: 'USD',
        total: 116.45,
        subtotal: 106.25,
        revenue: 106.25,
        discount: 32.55,
        shipping: 10.2,
        tax: 0,
        totalNet: 116.45,
      });
    });

    it('takes each method’s share in Multiple shipping mode', () => {
      // The multiple-shipping fixture with 10 % off its 142.98 total: 14.298 → 14.30, totalPrice 128.68;
      // gross 157.64 × 14.30 / 142.98 = 15.766 → 15.77 off, totalGross 141.87, tax 13.19.
      // Home: 7.71 − 0.771 → 0.77 = 6.94 gross, 6.99 − 0.699 → 0.70 = 6.29 net;
      // express: 16.53 − 1.653 → 1.65 = 14.88 gross, 14.99 − 1.499 → 1.50 = 13.49 net.
      // shipping 6.94 + 14.88 = 21.82; subtotal 128.68 − (6.29 + 13.49) = 108.90, the goods' 121.00 − 12.10.
      const tenPercentOff: Order = {
        ...multipleShipping,
        totalPrice: usd(12868),
        taxedPrice: { ...defined(multipleShipping.taxedPrice), ...taxTotals(usd(12868), usd(14187)) },
        discountOnTotalPrice: discountOnTotalPrice({
          discountedAmount: usd(1430),
          discountedNetAmount: usd(1430),
          discountedGrossAmount: usd(1577),
        }),
      };
      const expected = {
        total: 141.87,
        subtotal: 108.9,
        shipping: 21.82,
        tax: 13.19,
        totalNet: 128.68,
        discount: 26.79,
      };
      expect(orderFigures({ ...tenPercentOff, taxedShippingPrice: undefined })).toMatchObject(expected);
      // commercetools' own sum over the methods gives the same.
      const taxedShippingPrice = {
        ...defined(multipleShipping.taxedShippingPrice),
        ...taxTotals(usd(1978), usd(2182)),
      };
      expect(orderFigures({ ...tenPercentOff, taxedShippingPrice })).toMatchObject(expected);
    });

    describe('a discount larger than the goods', () => {
      // 130.00 off 137.00: totalPrice 7.00; gross 151.18 × 130 / 137 = 143.455 → 143.46 off, 7.72 left.
      // Shipping's share: 12.00 × 130 / 137 = 11.387 → 11.39 net, 13.24 × 130 / 137 = 12.564 → 12.56 gross,
      // so 0.61 net and 0.68 gross are left. subtotal = 7.00 − 0.61 = 6.39 (with the undiscounted
      // shipping it would be 7.00 − 12.00 = −5.00).
      const nearlyFree: Order = {
        ...totalDiscount,
        totalPrice: usd(700),
        taxedPrice: { ...defined(totalDiscount.taxedPrice), ...taxTotals(usd(700), usd(772)) },
        taxedShippingPrice: { ...defined(totalDiscount.taxedShippingPrice), ...taxTotals(usd(61), usd(68)) },
        discountOnTotalPrice: {
          ...defined(totalDiscount.discountOnTotalPrice),
          discountedAmount: usd(13000),
          discountedNetAmount: usd(13000),
          discountedGrossAmount: usd(14346),
        },
      };

      it('leaves goods and shipping their part, never below zero', () => {
        const expected = {
          total: 7.72,
          subtotal: 6.39,
          revenue: 6.39,
          shipping: 0.68,
          tax: 0.72,
          totalNet: 7,
          discount: 156.7,
        };
        expect(orderFigures(nearlyFree)).toMatchObject(expected);
        expect(orderFigures({ ...nearlyFree, taxedShippingPrice: undefined })).toMatchObject(expected);
        expect(orderFigures(untaxed(nearlyFree))).toMatchObject({ total: 7, subtotal: 6.39, shipping: 0.61, tax: 0 });
      });

      it('gives zeros, never negatives, when everything is free', () => {
        // 137.00 off 137.00: gross 151.18 off; discount = 13.24 on the bottles + 151.18 = 164.42,
        // every unit's gross price (98.21 + 2 × 24.00 × 1.1035 → 52.97 + 13.24).
        const free: Order = {
          ...nearlyFree,
          totalPrice: usd(0),
          taxedPrice: { ...defined(nearlyFree.taxedPrice), ...taxTotals(usd(0), usd(0)) },
          taxedShippingPrice: { ...defined(nearlyFree.taxedShippingPrice), ...taxTotals(usd(0), usd(0)) },
          discountOnTotalPrice: {
            ...defined(nearlyFree.discountOnTotalPrice),
            discountedAmount: usd(13700),
            discountedNetAmount: usd(13700),
            discountedGrossAmount: usd(15118),
          },
        };
        const zeros = { total: 0, subtotal: 0, revenue: 0, shipping: 0, tax: 0, totalNet: 0 };
        expect(orderFigures(free)).toEqual({ currency: 'USD', ...zeros, discount: 164.42 });
        expect(orderFigures({ ...free, taxedShippingPrice: undefined })).toEqual({
          currency: 'USD',
          ...zeros,
          discount: 164.42,
        });
        expect(orderFigures(untaxed(free))).toEqual({ currency: 'USD', ...zeros, discount: 149 });
      });

      it('keeps shipping within the order when commercetools’ own shares round past it', () => {
        // A taxedShippingPrice a cent above what is left of the order cannot make the goods negative.
        const roundedPast: Order = {
          ...nearlyFree,
          taxedPrice: { ...defined(nearlyFree.taxedPrice), ...taxTotals(usd(60), usd(67)) },
          totalPrice: usd(60),
        };
        expect(orderFigures(roundedPast)).toMatchObject({ total: 0.67, subtotal: 0, shipping: 0.67, totalNet: 0.6 });
      });
    });
  });

  describe('custom line items with negative money', () => {
    const credit = defined(giftCredit.customLineItems[0]);

    it('count in the discount with their gross value, and nothing else', () => {
      // Without the credit: total 42.70, the discount 43.80 of the beans and the gift.
      const withoutCredit: Order = {
        ...giftCredit,
        customLineItems: [],
        totalPrice: money(4270, 'EUR'),
        taxedPrice: { ...defined(giftCredit.taxedPrice), ...taxTotals(money(3588, 'EUR'), money(4270, 'EUR')) },
      };
      expect(orderFigures(withoutCredit)).toMatchObject({ discount: 43.8, subtotal: 31.76 });
      expect(orderFigures(giftCredit)).toMatchObject({ discount: 48.8, subtotal: 27.56 });
    });

    it('are grossed up from their net total when prices are net and no taxed price was stored', () => {
      // A 5.00 net credit at 19 % on top: 5.95 gross.
      const netRate = { ...defined(credit.taxRate), includedInPrice: false };
      const netCredit = { ...credit, taxRate: netRate, taxedPrice: undefined };
      const order: Order = { ...giftCredit, customLineItems: [netCredit] };
      expect(orderFigures(order).discount).toBe(49.75); // 43.80 + 5.95
      expect(orderFigures(untaxed(order)).discount).toBe(48.8); // untaxed: the credit's 5.00 as it is
    });
  });

  describe('tax without totalTax (orders from before commercetools had it)', () => {
    it('is the gross total less the net total', () => {
      const taxedPrice = defined(taxExcluded.taxedPrice);
      expect(orderFigures({ ...taxExcluded, taxedPrice: { ...taxedPrice, totalTax: undefined } }).tax).toBe(18.54);
    });

    it('is not the sum of tax portions, which a discount on the total price does not reduce', () => {
      // 128.50 − 116.45 = 12.05; the portions add up to 14.18, the tax before the 15 % off.
      const taxedPrice = defined(totalDiscount.taxedPrice);
      const portions = taxedPrice.taxPortions.reduce((sum, portion) => sum + portion.amount.centAmount, 0);
      expect(portions).toBe(1418);
      expect(orderFigures({ ...totalDiscount, taxedPrice: { ...taxedPrice, totalTax: undefined } }).tax).toBe(12.05);
    });
  });

  it('grosses up with the order’s tax rounding mode', () => {
    // 10.00 × 1.1025 = 11.025: HalfUp gives 11.03 where the fixture's HalfEven gives 11.02.
    expect(orderFigures({ ...multipleShipping, taxRoundingMode: 'HalfUp' }).discount).toBe(11.03);
    expect(orderFigures({ ...multipleShipping, taxRoundingMode: 'HalfDown' }).discount).toBe(11.02);
  });

  it('leaves net discounts net while the order has no taxedPrice yet', () => {
    // Same order before taxes: discount = 17.98 + 4.35 = 22.33 net; total = totalPrice 208.92;
    // shipping charged 7.95; subtotal = 208.92 − 7.95 = 200.97
    const shippingInfo = { ...defined(taxExcluded.shippingInfo), taxedPrice: undefined };
    const untaxed: Order = { ...taxExcluded, taxedPrice: undefined, taxedShippingPrice: undefined, shippingInfo };
    expect(orderFigures(untaxed)).toEqual({
      currency: 'USD',
      total: 208.92,
      subtotal: 200.97,
      revenue: 200.97,
      discount: 22.33,
      shipping: 7.95,
      tax: 0,
      totalNet: 208.92,
    });
  });

  describe('line-item discounts with Multiple shipping, where only perMethodTaxRate is set', () => {
    const [pourOver, mug] = multipleShipping.lineItems.map(defined);
    const chicago = defined(defined(mug).perMethodTaxRate[0]?.taxRate);
    const elsewhere: TaxRate = { ...chicago, amount: 0.0625, name: 'Illinois outside Chicago' };
    const officeElsewhere = [
      { shippingMethodKey: 'standard-home', taxRate: chicago },
      { shippingMethodKey: 'express-office', taxRate: elsewhere },
    ];
    const discounted = (
      item: LineItem,
      unitDiscount: number,
      perMethodTaxRate: LineItem['perMethodTaxRate'],
    ): LineItem => ({
      ...item,
      taxRate: undefined,
      perMethodTaxRate,
      discountedPricePerQuantity: [
        {
          quantity: item.quantity,
          discountedPrice: discountedPrice(
            usd(item.price.value.centAmount - unitDiscount),
            cartDiscountPortion(usd(unitDiscount)),
          ),
        },
      ],
    });
    const withLines = (...lineItems: LineItem[]): Order => ({ ...multipleShipping, lineItems });

    it('grosses up with the rate all methods agree on', () => {
      // mugs: 2 × 2.50 = 5.00 net × 1.1025 = 5.5125 → 5.51; plus shipping 11.02 = 16.53
      const order = withLines(defined(pourOver), discounted(defined(mug), 250, defined(mug).perMethodTaxRate));
      expect(orderFigures(order).discount).toBe(16.53);
    });

    it('grosses up at the rate of the method that ships the units', () => {
      // Both mugs go to the office: 5.00 × 1.0625 = 5.3125 → HalfEven 5.31; plus 11.02 = 16.33
      const order = withLines(defined(pourOver), discounted(defined(mug), 250, officeElsewhere));
      expect(orderFigures(order).discount).toBe(16.33);
    });

    it('grosses a line split across methods that tax differently up at the blend of their rates', () => {
      // Pour-over sets: 2 home at 10.25 %, 1 office at 6.25 %; 3 × 4.00 = 12.00 net off.
      // 12.00 × (2 × 1.1025 + 1 × 1.0625) / 3 = 13.07 (8.00 × 1.1025 = 8.82 and 4.00 × 1.0625 = 4.25);
      // plus shipping 11.02 = 24.09.
      const order = withLines(discounted(defined(pourOver), 400, officeElsewhere), defined(mug));
      expect(orderFigures(order).discount).toBe(24.09);
      // Without shipping details naming the methods, each rate weighs the same:
      // 12.00 × (1.1025 + 1.0625) / 2 = 12.99; plus 11.02 = 24.01
      const unshipped: LineItem = {
        ...discounted(defined(pourOver), 400, officeElsewhere),
        shippingDetails: undefined,
      };
      expect(orderFigures(withLines(unshipped, defined(mug))).discount).toBe(24.01);
    });
  });

  it('rejects an unknown rounding mode instead of guessing', () => {
    expect(() => orderFigures({ ...taxExcluded, taxRoundingMode: 'Ceiling' })).toThrow(/Unsupported rounding mode/);
  });
});
