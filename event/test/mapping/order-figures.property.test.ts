import fc from 'fast-check';
import { z } from 'zod';
import { orderProperties } from '../../src/mapping/order';
import {
  priceOrder,
  type CustomSpec,
  type LineSpec,
  type Mode,
  type OrderSpec,
  type ShippingSpec,
} from '../support/order-engine';
import { orderFixtures } from '../support/fixtures';

/**
 * The money invariants, on orders priced the way commercetools prices them (test/support/order-engine):
 * every tax mode, price mode, rounding mode, 0-, 2- and 3-digit currencies, high-precision prices,
 * single and multiple shipping, line, multi-buy, gift, custom-line, shipping and total-price
 * discounts, credits. Everything is compared exactly, in minor units; the one tolerance, on
 * `discount`, is the half minor unit each gross-up or high-precision sum is rounded by.
 * fast-check prints the seed and the shrunk order of any failure, to replay it.
 */

const RUNS = 300;

const { totalDiscount } = orderFixtures;

const mode = fc.constantFrom<Mode>('HalfEven', 'HalfUp', 'HalfDown');
const rate = fc.constantFrom(0, 50_000, 70_000, 82_500, 88_750, 100_000, 102_500, 190_000, 200_000, 250_000);
const permyriad = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 9_999 }) },
  { weight: 1, arbitrary: fc.constant(10_000) },
);

const line: fc.Arbitrary<LineSpec> = fc
  .record({
    base: fc.bigInt({ min: 0n, max: 50_000n }),
    extraDigits: fc.oneof(
      { weight: 3, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) },
    ),
    noise: fc.bigInt({ min: 0n, max: 999n }),
    quantity: fc.integer({ min: 1, max: 12 }),
    discountedUnits: fc.integer({ min: 0, max: 12 }),
    discountPermyriad: permyriad,
    gift: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    rate: fc.nat(9),
    unitsPerMethod: fc.option(fc.array(fc.nat(6), { minLength: 1, maxLength: 3 }), { nil: undefined }),
  })
  .map(({ base, extraDigits, noise, quantity, discountedUnits, ...rest }) => ({
    ...rest,
    // A high-precision price has digits beyond the currency's: 0.1235 EUR, 1.05 JPY.
    unit: base * 10n ** BigInt(extraDigits) + (noise % 10n ** BigInt(extraDigits)),
    extraDigits,
    quantity,
    discountedUnits: Math.min(discountedUnits, quantity),
  }));

const custom: fc.Arbitrary<CustomSpec> = fc.record({
  money: fc.bigInt({ min: 1n, max: 50_000n }),
  quantity: fc.integer({ min: 1, max: 3 }),
  discountPermyriad: permyriad,
  rate: fc.nat(9),
});

const shipping: fc.Arbitrary<ShippingSpec> = fc.record({
  price: fc.bigInt({ min: 0n, max: 5_000n }),
  discountPermyriad: permyriad,
  rate: fc.nat(9),
});

const orderSpec: fc.Arbitrary<OrderSpec> = fc.record({
  currency: fc.constantFrom(
    { code: 'EUR', digits: 2 },
    { code: 'USD', digits: 2 },
    { code: 'JPY', digits: 0 },
    { code: 'KWD', digits: 3 },
  ),
  priceRounding: mode,
  taxRounding: mode,
  taxMode: fc.constantFrom('Platform', 'PlatformBeforeTaxedShippingPrice', 'ExternalAmount', 'Disabled'),
  pricesIncludeTax: fc.boolean(),
  multipleShipping: fc.boolean(),
  lines: fc.array(line, { minLength: 1, maxLength: 4 }),
  customs: fc.array(custom, { maxLength: 2 }),
  creditPermille: fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 900 }) },
  ),
  shipping: fc.array(shipping, { maxLength: 3 }),
  totalDiscount: fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 3, arbitrary: fc.record({ permyriad: fc.integer({ min: 1, max: 10_000 }) }) },
    { weight: 2, arbitrary: fc.record({ absolutePermille: fc.integer({ min: 0, max: 1_000 }) }) },
    { weight: 1, arbitrary: fc.constant({ permyriad: 10_000 }) },
  ),
  withTotalTax: fc.boolean(),
  rates: fc.array(rate, { minLength: 1, maxLength: 3 }),
  otherRates: fc.array(rate, { minLength: 1, maxLength: 3 }),
});

/** A number as Segment receives it, exactly, at eight fraction digits (more than any figure has). */
const SCALE = 8;
function exact(value: unknown): bigint {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`not a number: ${String(value)}`);
  const [integer, fraction = ''] = value.toFixed(SCALE).split('.');
  return BigInt(`${integer}${fraction}`);
}
/** Minor units of the currency at the same scale. */
const atScale = (minor: bigint, digits: number) => minor * 10n ** BigInt(SCALE - digits);
const abs = (value: bigint) => (value < 0n ? -value : value);
const minOf = (a: bigint, b: bigint) => (a < b ? a : b);
const maxOf = (a: bigint, b: bigint) => (a > b ? a : b);

/** The figures of each product this test checks; parsing them also checks that each is a number. */
const productsSchema = z.array(
  z.looseObject({ price: z.number(), discount: z.number(), quantity: z.number(), total_price: z.number() }),
);

function check(spec: OrderSpec) {
  const { order, truth } = priceOrder(spec);
  const digits = spec.currency.digits;
  const unit = 10n ** BigInt(SCALE - digits);
  const properties = orderProperties(order);
  const figure = (name: string) => exact(properties[name]);
  const total = figure('total');
  const subtotal = figure('subtotal');
  const shipping = figure('shipping');
  const tax = figure('tax');
  const totalNet = figure('total_net');
  const discount = figure('discount');

  // total is what commercetools says the shopper pays.
  const gross = BigInt(order.taxedPrice?.totalGross.centAmount ?? order.totalPrice.centAmount);
  const net = BigInt(order.taxedPrice?.totalNet.centAmount ?? order.totalPrice.centAmount);
  expect(total).toBe(atScale(gross, digits));
  expect(totalNet).toBe(atScale(net, digits));
  expect(tax).toBe(total - totalNet);

  // Net goods + net shipping + tax is the total: shipping after every discount, as paid, and the
  // goods what is left (a shipping cost beyond what is left of the order is capped there).
  const netShipping = minOf(atScale(truth.shippingNet, digits), maxOf(totalNet, 0n));
  expect(shipping).toBe(minOf(atScale(truth.shippingGross, digits), total));
  expect(subtotal + netShipping + tax).toBe(total);
  expect(figure('revenue')).toBe(subtotal);

  // No figure is negative.
  for (const value of [total, subtotal, shipping, tax, totalNet, discount]) expect(value >= 0n).toBe(true);

  // Products: every line and positive custom line, no credit; (price − discount) × quantity is the line's total.
  const products = productsSchema.parse(properties.products);
  expect(products).toHaveLength(truth.products.length);
  products.forEach((product, index) => {
    const { highPrecision, gift } = truth.products[index]!;
    const price = exact(product.price);
    const unitDiscount = exact(product.discount);
    const lineTotal = exact(product.total_price);
    expect(price >= 0n && unitDiscount >= 0n && unitDiscount <= price && lineTotal >= 0n).toBe(true);
    if (gift) expect([unitDiscount, lineTotal]).toEqual([price, 0n]);
    const distance = abs((price - unitDiscount) * BigInt(product.quantity) - lineTotal);
    // Within half a minor unit, so it rounds to total_price; a high-precision line was rounded once more.
    if (highPrecision) expect(distance <= unit).toBe(true);
    else expect(2n * distance < unit).toBe(true);
  });

  // The products' totals, less credits and the goods' share of the discount on the total price, are the goods.
  const productTotals = products.reduce((sum, product) => sum + exact(product.total_price), 0n);
  const goods = productTotals - atScale(truth.credits, digits) - atScale(truth.goodsShare, digits);
  // In the price mode: net goods when prices are net or nothing is taxed, gross goods when they include tax.
  const goodsInPriceMode =
    spec.pricesIncludeTax && order.taxedPrice
      ? total - atScale(truth.shippingGross, digits)
      : totalNet - atScale(truth.shippingNet, digits);
  expect(goods).toBe(goodsInPriceMode);

  // discount: every cart discount, gross, within the rounding of each gross-up.
  const expected = truth.discount;
  const sent = discount / unit; // minor units; discount is at the currency's precision
  expect(discount % unit).toBe(0n);
  const off = abs(sent * expected.denominator - expected.numerator);
  expect(off <= truth.discountTolerance * expected.denominator).toBe(true);

  return { properties, truth };
}

describe('the pricing engine', () => {
  it('prices the hand-checked total-discount fixture as it was built', () => {
    // Backpack 89.00, two bottles at 24.00 with 25 % off, shipping 12.00, Seattle 10.35 % on top, 15 % off the total.
    const { order, truth } = priceOrder({
      currency: { code: 'USD', digits: 2 },
      priceRounding: 'HalfEven',
      taxRounding: 'HalfEven',
      taxMode: 'Platform',
      pricesIncludeTax: false,
      multipleShipping: false,
      lines: [
        { unit: 8900n, extraDigits: 0, quantity: 1, discountedUnits: 0, discountPermyriad: 0, gift: false, rate: 0 },
        { unit: 2400n, extraDigits: 0, quantity: 2, discountedUnits: 2, discountPermyriad: 2500, gift: false, rate: 0 },
      ],
      customs: [],
      creditPermille: 0,
      shipping: [{ price: 1200n, discountPermyriad: 0, rate: 0 }],
      totalDiscount: { permyriad: 1500 },
      withTotalTax: true,
      rates: [103_500],
      otherRates: [103_500],
    });
    const cents = (money: { centAmount: number } | undefined) => money?.centAmount;
    expect(cents(order.totalPrice)).toBe(cents(totalDiscount.totalPrice));
    for (const field of ['totalNet', 'totalGross', 'totalTax'] as const) {
      expect(cents(order.taxedPrice?.[field])).toBe(cents(totalDiscount.taxedPrice?.[field]));
      expect(cents(order.taxedShippingPrice?.[field])).toBe(cents(totalDiscount.taxedShippingPrice?.[field]));
    }
    expect(order.discountOnTotalPrice?.discountedGrossAmount?.centAmount).toBe(2268);
    expect([truth.shippingGross, truth.shippingNet, truth.goodsShare]).toEqual([1125n, 1020n, 2055n - 180n]);
  });
});

describe('order figures on orders priced like commercetools', () => {
  it('hold every invariant, to the minor unit', () => {
    fc.assert(
      fc.property(orderSpec, (spec) => {
        check(spec);
      }),
      { numRuns: RUNS },
    );
  });

  it('are all zero when the discount on the total price takes everything, never negative', () => {
    const everything = orderSpec.map((spec) => ({ ...spec, totalDiscount: { permyriad: 10_000 } }));
    fc.assert(
      fc.property(everything, (spec) => {
        const { properties, truth } = check(spec);
        fc.pre(truth.everythingFree);
        for (const name of ['total', 'subtotal', 'revenue', 'shipping', 'tax', 'total_net']) {
          expect(properties[name]).toBe(0);
        }
        expect(properties.discount as number).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 100 },
    );
  });

  it('cover what they claim to: shipping shares without taxedShippingPrice, split lines, gifts, credits', () => {
    // A run that never met these cases would prove nothing about them.
    const seen = {
      shareWithoutTaxedShipping: 0,
      splitLine: 0,
      gift: 0,
      credit: 0,
      highPrecision: 0,
      everythingFree: 0,
    };
    fc.assert(
      fc.property(orderSpec, (spec) => {
        const { order, truth } = priceOrder(spec);
        if (order.discountOnTotalPrice && !order.taxedShippingPrice && truth.shippingGross > 0n) {
          seen.shareWithoutTaxedShipping++;
        }
        if (order.lineItems.some((item) => (item.shippingDetails?.targets.length ?? 0) > 1)) seen.splitLine++;
        if (truth.products.some((product) => product.gift)) seen.gift++;
        if (truth.credits > 0n) seen.credit++;
        if (truth.products.some((product) => product.highPrecision)) seen.highPrecision++;
        if (truth.everythingFree) seen.everythingFree++;
      }),
      { numRuns: RUNS, seed: 10 },
    );
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(5);
  });
});
