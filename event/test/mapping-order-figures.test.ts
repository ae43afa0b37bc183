import type { LineItem, Order, TaxRate } from '@commercetools/platform-sdk';
import { orderFigures, type OrderFigures } from '../src/mapping/order-figures';
import guestJson from './fixtures/orders/order-guest.json';
import highPrecisionJson from './fixtures/orders/order-high-precision.json';
import invalidConsentJson from './fixtures/orders/order-invalid-consent.json';
import jpyJson from './fixtures/orders/order-jpy.json';
import kwdJson from './fixtures/orders/order-kwd.json';
import multipleShippingJson from './fixtures/orders/order-multiple-shipping.json';
import noTaxJson from './fixtures/orders/order-no-tax.json';
import taxExcludedJson from './fixtures/orders/order-tax-excluded.json';
import taxIncludedJson from './fixtures/orders/order-tax-included.json';

const taxExcluded = taxExcludedJson as unknown as Order;
const taxIncluded = taxIncludedJson as unknown as Order;
const multipleShipping = multipleShippingJson as unknown as Order;
const jpy = jpyJson as unknown as Order;
const kwd = kwdJson as unknown as Order;
const highPrecision = highPrecisionJson as unknown as Order;
const noTax = noTaxJson as unknown as Order;
const guest = guestJson as unknown as Order;
const invalidConsent = invalidConsentJson as unknown as Order;

const usd = (centAmount: number) => ({
  type: 'centPrecision' as const,
  currencyCode: 'USD',
  centAmount,
  fractionDigits: 2,
});

function defined<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('fixture is missing a value the test relies on');
  return value;
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
      { currency: 'USD', total: 227.46, subtotal: 200.97, revenue: 200.97, discount: 24.32, shipping: 8.66, tax: 18.54, totalNet: 208.92 },
    ],
    // EUR, 19 % included. total = totalGross 127.20; tax = 20.31
    // shipping charged 2.95 gross (5.90 half price), net 2.48
    // subtotal = totalNet 106.89 − 2.48 = 104.41
    // discount: 15.00 off the total (discountedGrossAmount) + shipping 5.90 − 2.95 = 2.95 (already gross)
    //           = 17.95; the shirt's product discount (59.90 → 49.90) is not a cart discount.
    [
      'tax included with product, total-price and shipping discounts (EUR)',
      taxIncluded,
      { currency: 'EUR', total: 127.2, subtotal: 104.41, revenue: 104.41, discount: 17.95, shipping: 2.95, tax: 20.31, totalNet: 106.89 },
    ],
    // USD, Chicago 10.25 % on top, two shipping methods. total 157.64, tax 14.66
    // shipping = 7.71 + 16.53 = 24.24 gross; nets 6.99 + 14.99 = 21.98
    // subtotal = 142.98 − 21.98 = 121.00 (floats would say 120.99999999999999)
    // discount: express shipping 24.99 − 14.99 = 10.00 net × 1.1025 = 11.025 → HalfEven 11.02
    [
      'multiple shipping (USD)',
      multipleShipping,
      { currency: 'USD', total: 157.64, subtotal: 121, revenue: 121, discount: 11.02, shipping: 24.24, tax: 14.66, totalNet: 142.98 },
    ],
    // JPY has no minor unit. total ¥5,880, tax ¥535; shipping ¥660 gross, ¥600 net
    // subtotal = 5,345 − 600 = 4,745; discount: ¥220 off the whisk, prices include tax
    [
      'JPY',
      jpy,
      { currency: 'JPY', total: 5880, subtotal: 4745, revenue: 4745, discount: 220, shipping: 660, tax: 535, totalNet: 5345 },
    ],
    // KWD has three decimals. total 59.360, tax 2.827; shipping 2.750 × 1.05 = 2.8875 → 2.888
    // subtotal = 56.533 − 2.750 = 53.783
    // discount: 2 × 3.656 = 7.312 net × 1.05 = 7.6776 → 7.678
    [
      'KWD',
      kwd,
      { currency: 'KWD', total: 59.36, subtotal: 53.783, revenue: 53.783, discount: 7.678, shipping: 2.888, tax: 2.827, totalNet: 56.533 },
    ],
    // EUR B2B, 19 % on top, high-precision prices. total 98.54, tax 15.73
    // shipping 5.90 × 1.19 = 7.021 → 7.02; subtotal = 82.81 − 5.90 = 76.91
    // discount: 450 screws × (0.0025 + 0.0030) = 2.4750 → HalfEven 2.48 net (floats: 2.47);
    //           × 1.19 = 2.9512 → 2.95
    [
      'high precision (EUR)',
      highPrecision,
      { currency: 'EUR', total: 98.54, subtotal: 76.91, revenue: 76.91, discount: 2.95, shipping: 7.02, tax: 15.73, totalNet: 82.81 },
    ],
    // CAD, taxes disabled: total = totalPrice 69.20, tax 0, shipping = its price 12.50
    // subtotal = 69.20 − 12.50 = 56.70; discount 20 % of the toque = 4.80, nothing to gross up
    [
      'no tax (CAD)',
      noTax,
      { currency: 'CAD', total: 69.2, subtotal: 56.7, revenue: 56.7, discount: 4.8, shipping: 12.5, tax: 0, totalNet: 69.2 },
    ],
    // USD, Austin 8.25 % on top. total 41.78, tax 3.18; shipping 9.60 × 1.0825 = 10.392 → 10.39
    // subtotal = 38.60 − 9.60 = 29.00; no discounts
    [
      'guest (USD)',
      guest,
      { currency: 'USD', total: 41.78, subtotal: 29, revenue: 29, discount: 0, shipping: 10.39, tax: 3.18, totalNet: 38.6 },
    ],
    // EUR, 19 % included: total 16.80, tax 2.68; shipping 3.90 gross, 3.28 net; subtotal 14.12 − 3.28 = 10.84
    [
      'invalid consent (EUR)',
      invalidConsent,
      { currency: 'EUR', total: 16.8, subtotal: 10.84, revenue: 10.84, discount: 0, shipping: 3.9, tax: 2.68, totalNet: 14.12 },
    ],
  ])('computes the figures of the %s order', (_name, order, expected) => {
    expect(orderFigures(order)).toEqual(expected);
  });

  it('sums the tax portions when totalTax is absent', () => {
    const taxedPrice = defined(taxExcluded.taxedPrice);
    const [portion] = taxedPrice.taxPortions;
    const order: Order = {
      ...taxExcluded,
      taxedPrice: {
        ...taxedPrice,
        totalTax: undefined,
        // 10.00 + 8.54 = 18.54, the same tax split in two portions
        taxPortions: [
          { ...defined(portion), amount: usd(1000) },
          { ...defined(portion), name: 'second portion', amount: usd(854) },
        ],
      },
    };
    expect(orderFigures(order).tax).toBe(18.54);
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
    const withMugDiscount = (perMethodTaxRate: LineItem['perMethodTaxRate']): Order => {
      const [pourOver, mug] = multipleShipping.lineItems;
      const discountedMug: LineItem = {
        ...defined(mug),
        taxRate: undefined,
        perMethodTaxRate,
        discountedPricePerQuantity: [
          {
            quantity: 2,
            discountedPrice: {
              value: usd(1000),
              includedDiscounts: [
                {
                  discount: { typeId: 'cart-discount', id: '0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e' },
                  discountedAmount: usd(250),
                },
              ],
            },
          },
        ],
      };
      return { ...multipleShipping, lineItems: [defined(pourOver), discountedMug] };
    };
    const chicago = defined(defined(multipleShipping.lineItems[1]).perMethodTaxRate[0]?.taxRate);

    it('grosses up with the rate all methods agree on', () => {
      // mugs: 2 × 2.50 = 5.00 net × 1.1025 = 5.5125 → 5.51; plus shipping 11.02 = 16.53
      expect(orderFigures(withMugDiscount(multipleShipping.lineItems[1]?.perMethodTaxRate ?? [])).discount).toBe(16.53);
    });

    it('keeps the discount net when the methods tax differently', () => {
      const elsewhere: TaxRate = { ...chicago, amount: 0.0625, name: 'Illinois outside Chicago' };
      const rates = [
        { shippingMethodKey: 'standard-home', taxRate: chicago },
        { shippingMethodKey: 'express-office', taxRate: elsewhere },
      ];
      // 5.00 net + 11.02 = 16.02
      expect(orderFigures(withMugDiscount(rates)).discount).toBe(16.02);
    });
  });

  it('rejects an unknown rounding mode instead of guessing', () => {
    expect(() => orderFigures({ ...taxExcluded, taxRoundingMode: 'Ceiling' })).toThrow(/Unsupported rounding mode/);
  });
});
