/**
 * For the property tests of the order figures: orders priced the way commercetools prices them
 * (LineItemLevel tax), from a small description, with what the shopper paid for goods and
 * shipping known by construction. Its arithmetic is its own (bigint, written out here), so the
 * figures the connector computes with src/mapping/money.ts are checked against an independent
 * calculation, not against themselves.
 *
 * What the engine does, as commercetools documents it:
 * - a line's total is Σ quantity × discounted unit price, rounded to the currency with the price
 *   rounding mode; a gift line is discounted to 0; custom line items cost money × quantity;
 * - tax per item: net prices are grossed up, gross prices netted down, with the tax rounding mode;
 *   a line split across shipping methods is taxed per method, at that method's rate;
 * - a discount on the total price takes its amount off totalPrice and "the same percentage" off
 *   the net and gross totals; each shipping method gives up that share of its price, and
 *   taxedShippingPrice (Platform tax mode only) holds the sum of what is left;
 * - the order's tax portions are the items' and shipping's, not reduced by that discount.
 */
import type {
  CentPrecisionMoney,
  MethodTaxedPrice,
  Order,
  TaxedItemPrice,
  TaxRate,
  TypedMoney,
} from '@commercetools/platform-sdk';
import * as build from './builders';

export type Mode = 'HalfEven' | 'HalfUp' | 'HalfDown';
export type TaxMode = 'Platform' | 'PlatformBeforeTaxedShippingPrice' | 'ExternalAmount' | 'Disabled';

export interface LineSpec {
  /** Unit price in minor units at the currency's digits plus `extraDigits` (high precision when > 0). */
  unit: bigint;
  extraDigits: number;
  quantity: number;
  /** How many units carry the cart discount, and how much of their price it takes (‱). */
  discountedUnits: number;
  discountPermyriad: number;
  gift: boolean;
  rate: number;
  /** Multiple shipping: the units sent by each method (one entry per method), for cent-precision lines. */
  unitsPerMethod?: number[];
}

export interface CustomSpec {
  /** Positive: a fee or service with money × quantity. Negative ones are credits, see creditPermille. */
  money: bigint;
  quantity: number;
  discountPermyriad: number;
  rate: number;
}

export interface ShippingSpec {
  price: bigint;
  discountPermyriad: number;
  rate: number;
}

export interface OrderSpec {
  currency: { code: string; digits: number };
  priceRounding: Mode;
  taxRounding: Mode;
  taxMode: TaxMode;
  pricesIncludeTax: boolean;
  multipleShipping: boolean;
  lines: LineSpec[];
  customs: CustomSpec[];
  /** A goodwill credit worth this share (‰) of the goods, as a custom line with negative money; 0 for none. */
  creditPermille: number;
  shipping: ShippingSpec[];
  /** A discount on the total price: a share (‱) of it, or an absolute amount as a share (‰) of it. */
  totalDiscount: { permyriad: number } | { absolutePermille: number } | undefined;
  withTotalTax: boolean;
  /** Rates the lines, custom lines and methods point into, as millionths (190000 is 19 %). */
  rates: number[];
  /** Multiple shipping: a second rate table for the second method onwards, so split lines are taxed differently. */
  otherRates: number[];
}

/** What the shopper paid, by construction, in the currency's minor units. */
export interface Truth {
  /** Shipping after every discount, gross and net (price mode when not taxed). */
  shippingGross: bigint;
  shippingNet: bigint;
  /** The part of the discount on the total price that fell on goods, in the price mode. */
  goodsShare: bigint;
  /** Σ of the credits' totals in the price mode, positive. */
  credits: bigint;
  /** Every cart discount made gross at the exact rates: numerator over denominator, in minor units. */
  discount: { numerator: bigint; denominator: bigint };
  /**
   * How far the connector's rounded discount may be from that, in minor units: for each rounded
   * gross-up or high-precision sum, the rounding it allows.
   */
  discountTolerance: bigint;
  /** The discount on the total price took everything. */
  everythingFree: boolean;
  /** Per product in the order sent (line items, then positive custom lines): cent precision or not, gift or not. */
  products: { highPrecision: boolean; gift: boolean }[];
}

const MILLION = 1_000_000n;

/** n / d rounded to a whole number with `mode`, written out independently of src/mapping/money.ts. */
export function roundDiv(numerator: bigint, denominator: bigint, mode: Mode): bigint {
  if (denominator < 0n) return roundDiv(-numerator, -denominator, mode);
  const floor = numerator >= 0n ? numerator / denominator : -((-numerator + denominator - 1n) / denominator);
  const twice = 2n * (numerator - floor * denominator);
  if (twice < denominator) return floor;
  if (twice > denominator) return floor + 1n;
  // Exactly half-way between floor and floor + 1.
  if (mode === 'HalfEven') return floor % 2n === 0n ? floor : floor + 1n;
  const towardZero = numerator >= 0n ? floor : floor + 1n;
  const awayFromZero = numerator >= 0n ? floor + 1n : floor;
  return mode === 'HalfUp' ? awayFromZero : towardZero;
}

export function priceOrder(spec: OrderSpec): { order: Order; truth: Truth } {
  const { code, digits } = spec.currency;
  const taxed = spec.taxMode !== 'Disabled';
  const money = (minor: bigint): CentPrecisionMoney => build.money(Number(minor), code, digits);
  /** A price with `extra` digits beyond the currency's: high precision when there are any. */
  const price = (minor: bigint, extra: number): TypedMoney =>
    extra === 0 ? money(minor) : build.preciseMoney(Number(minor), digits + extra, code);
  const rateOf = (millionths: number, name: string): TaxRate =>
    build.taxRate({ id: undefined, name, amount: millionths / 1_000_000, includedInPrice: spec.pricesIncludeTax });
  /** net and gross of an amount in the price mode at a rate (millionths). */
  const tax = (amount: bigint, rate: number) => {
    const factor = MILLION + BigInt(rate);
    return spec.pricesIncludeTax
      ? { net: roundDiv(amount * MILLION, factor, spec.taxRounding), gross: amount }
      : { net: amount, gross: roundDiv(amount * factor, MILLION, spec.taxRounding) };
  };
  const portions = new Map<number, bigint>();
  const taxedPrice = (net: bigint, gross: bigint, rate: number): TaxedItemPrice => {
    portions.set(rate, (portions.get(rate) ?? 0n) + gross - net);
    return build.taxedPrice(money(net), money(gross), rateOf(rate, `rate ${rate}`));
  };
  // Multiple shipping mode needs a method to send anything by; without one the order ships as Single.
  const multipleShipping = spec.multipleShipping && spec.shipping.length > 0;
  const methods = multipleShipping ? spec.shipping : spec.shipping.slice(0, 1);
  const methodKey = (index: number) => `method-${index}`;
  const methodRate = (index: number, rate: number) =>
    index === 0 ? spec.rates[rate % spec.rates.length]! : spec.otherRates[rate % spec.otherRates.length]!;

  // Every cart discount made gross at the exact rates, in billionths of a minor unit (each item's
  // share is cut beyond that, far below any tolerance; without a gross-up it is exact).
  let discountNumerator = 0n;
  const discountDenominator = MILLION * 1000n;
  let tolerance = 0n;
  const addDiscount = (
    amount: bigint,
    scale: bigint,
    weightedRates: { rate: number; weight: number }[],
    highPrecision: boolean,
  ) => {
    if (amount === 0n) return;
    // amount / scale in minor units, × the blended (1 + rate) when prices are net and the order taxed.
    const weights = BigInt(weightedRates.reduce((sum, { weight }) => sum + weight, 0));
    const factor =
      taxed && !spec.pricesIncludeTax
        ? weightedRates.reduce((sum, { rate, weight }) => sum + BigInt(weight) * (MILLION + BigInt(rate)), 0n)
        : MILLION * weights;
    discountNumerator += (amount * factor * discountDenominator) / (scale * MILLION * weights);
    // Half a minor unit for rounding a high-precision sum to the currency, (1 + rate) × that once
    // grossed up, and half a unit for the gross-up's own rounding.
    const grossedUp = taxed && !spec.pricesIncludeTax;
    tolerance += highPrecision && grossedUp ? 2n : highPrecision || grossedUp ? 1n : 0n;
  };

  const lineItems = spec.lines.map((line, index) => {
    // Multiple shipping: every line is sent by one or more methods; split lines are cent precision.
    const split = multipleShipping && line.unitsPerMethod !== undefined;
    const extra = split ? 0 : line.extraDigits;
    const scale = 10n ** BigInt(extra);
    // A split line is priced in cents: its generated price loses the digits beyond them.
    const unit = split ? line.unit / 10n ** BigInt(line.extraDigits) : line.unit;
    const quantity = line.quantity;
    // A split line's units are all discounted alike, so each method's part is a whole number of cents.
    const discountedUnits = line.gift || (split && line.discountedUnits > 0) ? quantity : line.discountedUnits;
    const unitDiscount = line.gift
      ? unit
      : roundDiv(unit * BigInt(line.discountPermyriad), 10_000n, spec.priceRounding);
    const groups =
      discountedUnits > 0 && unitDiscount > 0n
        ? [
            ...(quantity > discountedUnits ? [{ quantity: quantity - discountedUnits, unit, off: 0n }] : []),
            { quantity: discountedUnits, unit: unit - unitDiscount, off: unitDiscount },
          ]
        : [];
    const exact =
      groups.length > 0 ? groups.reduce((sum, g) => sum + BigInt(g.quantity) * g.unit, 0n) : BigInt(quantity) * unit;
    const total = roundDiv(exact, scale, spec.priceRounding);
    // Each method takes the units it is given while there are any; the rest go to the first method.
    let remaining = quantity;
    const perMethod = (split ? line.unitsPerMethod! : [quantity])
      .slice(0, Math.max(methods.length, 1))
      .map((units, m) => {
        const taken = Math.min(units, remaining);
        remaining -= taken;
        return { units: taken, m };
      });
    perMethod[0]!.units += remaining;
    const sent = perMethod.filter(({ units }) => units > 0);
    const rates = multipleShipping
      ? sent.map(({ units, m }) => ({ rate: methodRate(m, line.rate), weight: units }))
      : [{ rate: methodRate(0, line.rate), weight: 1 }];
    let taxedLine: TaxedItemPrice | undefined;
    let taxedPricePortions: MethodTaxedPrice[] = [];
    if (taxed && multipleShipping) {
      let net = 0n;
      let gross = 0n;
      taxedPricePortions = sent.map(({ units, m }) => {
        const part = tax((total * BigInt(units)) / BigInt(quantity), methodRate(m, line.rate));
        net += part.net;
        gross += part.gross;
        return {
          shippingMethodKey: methodKey(m),
          taxedPrice: taxedPrice(part.net, part.gross, methodRate(m, line.rate)),
        };
      });
      taxedLine = { ...build.taxTotals(money(net), money(gross)), taxPortions: [] };
    } else if (taxed) {
      const part = tax(total, rates[0]!.rate);
      taxedLine = taxedPrice(part.net, part.gross, rates[0]!.rate);
    }
    addDiscount(
      groups.reduce((sum, g) => sum + BigInt(g.quantity) * g.off, 0n),
      scale,
      rates,
      extra > 0,
    );
    // Taxed in Multiple shipping mode, a line has a rate per method and says which units each one sends.
    const taxedPerMethod = taxed && multipleShipping;
    return {
      item: build.lineItem({
        id: `line-${index}`,
        productId: `product-${index}`,
        productKey: `product-${index}`,
        name: { en: `Product ${index}` },
        productSlug: { en: `product-${index}` },
        variant: { id: index + 1, sku: `SKU-${index}` },
        price: { id: `price-${index}`, value: price(unit, extra) },
        quantity,
        discountedPricePerQuantity: groups.map((g) => ({
          quantity: g.quantity,
          discountedPrice: build.discountedPrice(
            price(g.unit, extra),
            ...(g.off > 0n ? [build.cartDiscountPortion(price(g.off, extra), 'line-discount')] : []),
          ),
        })),
        lineItemMode: line.gift ? 'GiftLineItem' : 'Standard',
        totalPrice: money(total),
        taxRate: taxed && !taxedPerMethod ? rateOf(rates[0]!.rate, 'line') : undefined,
        perMethodTaxRate: taxedPerMethod
          ? methods.map((_, m) => ({
              shippingMethodKey: methodKey(m),
              taxRate: rateOf(methodRate(m, line.rate), `m${m}`),
            }))
          : [],
        shippingDetails: taxedPerMethod
          ? {
              targets: sent.map(({ units, m }) => ({
                addressKey: `a${m}`,
                quantity: units,
                shippingMethodKey: methodKey(m),
              })),
              valid: true,
            }
          : undefined,
        taxedPricePortions: taxed ? taxedPricePortions : [],
        taxedPrice: taxedLine,
        state: [],
      }),
      total,
      net: taxedLine ? BigInt(taxedLine.totalNet.centAmount) : total,
      gross: taxedLine ? BigInt(taxedLine.totalGross.centAmount) : total,
      highPrecision: extra > 0,
      gift: line.gift,
      // What the line costs at each of its rates, in the price mode.
      byRate: rates.map(({ rate, weight }) => ({
        rate,
        amount: multipleShipping ? (total * BigInt(weight)) / BigInt(quantity) : total,
      })),
    };
  });

  const goodsTotal = lineItems.reduce((sum, line) => sum + line.total, 0n);
  const customs = spec.customs.map((custom) => {
    const unitDiscount = roundDiv(custom.money * BigInt(custom.discountPermyriad), 10_000n, spec.priceRounding);
    return { ...custom, rate: spec.rates[custom.rate % spec.rates.length]!, unitDiscount, credit: false };
  });
  // A goodwill credit gives back part of the goods taxed at one rate (the rate most of them carry),
  // and is taxed at it: a credit at another rate than the goods it reduces could leave the order a
  // negative net or tax, which commercetools would compute as readily but no shop means. Goods
  // worth less than a few minor units per item get none, so rounding cannot tip them below zero.
  const byRate = new Map<number, bigint>();
  const priced = [
    ...lineItems.flatMap((line) => line.byRate),
    ...customs.map((c) => ({ rate: c.rate, amount: BigInt(c.quantity) * (c.money - c.unitDiscount) })),
  ];
  for (const { rate, amount } of priced) byRate.set(rate, (byRate.get(rate) ?? 0n) + amount);
  const [creditRate, creditBase] = [...byRate].reduce((best, entry) => (entry[1] > best[1] ? entry : best), [0, 0n]);
  const credit =
    creditBase >= 100n * BigInt(priced.length + 1)
      ? roundDiv(creditBase * BigInt(spec.creditPermille), 1000n, spec.priceRounding)
      : 0n;
  if (credit > 0n) {
    customs.push({
      money: -credit,
      quantity: 1,
      discountPermyriad: 0,
      rate: creditRate,
      unitDiscount: 0n,
      credit: true,
    });
  }
  let credits = 0n;
  let creditsGross = 0n;
  const customLineItems = customs.map((custom, index) => {
    const total = BigInt(custom.quantity) * (custom.money - custom.unitDiscount);
    const rate = custom.rate;
    const part = tax(total, rate);
    if (custom.credit) {
      credits -= total;
      creditsGross -= taxed ? part.gross : total;
    } else addDiscount(BigInt(custom.quantity) * custom.unitDiscount, 1n, [{ rate, weight: 1 }], false);
    return {
      item: build.customLineItem({
        id: `custom-${index}`,
        name: { en: custom.credit ? 'Goodwill credit' : `Service ${index}` },
        slug: custom.credit ? 'credit' : `service-${index}`,
        money: money(custom.money),
        quantity: custom.quantity,
        discountedPricePerQuantity:
          custom.unitDiscount > 0n
            ? [
                {
                  quantity: custom.quantity,
                  discountedPrice: build.discountedPrice(
                    money(custom.money - custom.unitDiscount),
                    build.cartDiscountPortion(money(custom.unitDiscount), 'custom-discount'),
                  ),
                },
              ]
            : [],
        perMethodTaxRate: [],
        taxedPricePortions: [],
        totalPrice: money(total),
        taxRate: taxed ? rateOf(rate, 'custom') : undefined,
        taxedPrice: taxed ? taxedPrice(part.net, part.gross, rate) : undefined,
        state: [],
      }),
      total,
      net: part.net,
      gross: part.gross,
      credit: custom.credit,
    };
  });

  const shippingInfos = methods.map((method, m) => {
    const discount = roundDiv(method.price * BigInt(method.discountPermyriad), 10_000n, spec.priceRounding);
    const charged = method.price - discount;
    const rate = methodRate(m, method.rate);
    const part = tax(charged, rate);
    addDiscount(discount, 1n, [{ rate, weight: 1 }], false);
    return {
      info: build.shippingInfo({
        shippingMethodName: `Method ${m}`,
        price: money(method.price),
        shippingRate: { price: money(method.price), tiers: [] },
        discountedPrice:
          discount > 0n
            ? build.discountedPrice(money(charged), build.cartDiscountPortion(money(discount), 'shipping-discount'))
            : undefined,
        taxRate: taxed ? rateOf(rate, 'shipping') : undefined,
        taxedPrice: taxed ? taxedPrice(part.net, part.gross, rate) : undefined,
      }),
      charged,
      net: taxed ? part.net : charged,
      gross: taxed ? part.gross : charged,
    };
  });

  // The discount on the total price.
  const undiscounted =
    goodsTotal +
    customLineItems.reduce((sum, c) => sum + c.total, 0n) +
    shippingInfos.reduce((sum, s) => sum + s.charged, 0n);
  let totalOff = 0n;
  if (spec.totalDiscount && undiscounted > 0n) {
    totalOff =
      'permyriad' in spec.totalDiscount
        ? roundDiv(undiscounted * BigInt(spec.totalDiscount.permyriad), 10_000n, spec.priceRounding)
        : roundDiv(undiscounted * BigInt(spec.totalDiscount.absolutePermille), 1000n, spec.priceRounding);
  }
  const share = (amount: bigint) =>
    totalOff === 0n ? 0n : roundDiv(amount * totalOff, undiscounted, spec.priceRounding);
  const sumOf = (values: bigint[]) => values.reduce((sum, value) => sum + value, 0n);
  const itemsNet = sumOf([...lineItems, ...customLineItems, ...shippingInfos].map((part) => part.net));
  const itemsGross = sumOf([...lineItems, ...customLineItems, ...shippingInfos].map((part) => part.gross));
  const offNet = totalOff === 0n ? 0n : roundDiv(itemsNet * totalOff, undiscounted, spec.taxRounding);
  const offGross = totalOff === 0n ? 0n : roundDiv(itemsGross * totalOff, undiscounted, spec.taxRounding);
  const shippingNet = sumOf(shippingInfos.map((s) => s.net - share(s.net)));
  const shippingGross = sumOf(shippingInfos.map((s) => s.gross - share(s.gross)));
  const shippingShare = sumOf(shippingInfos.map((s) => share(s.charged)));
  if (totalOff > 0n) {
    discountNumerator += (taxed ? offGross : totalOff) * discountDenominator;
  }

  const totalPrice = undiscounted - totalOff;
  const totalNet = itemsNet - offNet;
  const totalGross = itemsGross - offGross;
  const order: Order = build.order({
    id: 'generated-order',
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    lastModifiedAt: '2026-01-01T00:00:00.000Z',
    customerId: 'generated-customer',
    orderState: 'Open',
    taxMode: spec.taxMode === 'PlatformBeforeTaxedShippingPrice' ? 'Platform' : spec.taxMode,
    taxRoundingMode: spec.taxRounding,
    priceRoundingMode: spec.priceRounding,
    taxCalculationMode: 'LineItemLevel',
    totalPrice: money(totalPrice),
    taxedPrice: taxed
      ? {
          ...build.taxTotals(money(totalNet), money(totalGross)),
          // Orders from before commercetools had totalTax lack it.
          totalTax: spec.withTotalTax || spec.taxMode === 'Platform' ? money(totalGross - totalNet) : undefined,
          taxPortions: [...portions].map(([rate, amount]) => ({
            rate: rate / 1_000_000,
            amount: money(amount),
            name: `rate ${rate}`,
          })),
        }
      : undefined,
    taxedShippingPrice:
      spec.taxMode === 'Platform' && shippingInfos.length > 0
        ? { ...build.taxTotals(money(shippingNet), money(shippingGross)), taxPortions: [] }
        : undefined,
    lineItems: lineItems.map((line) => line.item),
    customLineItems: customLineItems.map((custom) => custom.item),
    shippingMode: multipleShipping ? 'Multiple' : 'Single',
    shipping: multipleShipping
      ? shippingInfos.map((s, m) => ({
          shippingKey: methodKey(m),
          shippingInfo: s.info,
          shippingAddress: { key: `a${m}`, country: 'DE' },
        }))
      : [],
    shippingInfo: multipleShipping ? undefined : shippingInfos[0]?.info,
    discountOnTotalPrice:
      totalOff > 0n
        ? build.discountOnTotalPrice({
            discountedAmount: money(totalOff),
            includedDiscounts: [build.cartDiscountPortion(money(totalOff), 'total-discount')],
            discountedNetAmount: taxed ? money(offNet) : undefined,
            discountedGrossAmount: taxed ? money(offGross) : undefined,
          })
        : undefined,
    discountCodes: [],
  });

  return {
    order,
    truth: {
      shippingGross,
      shippingNet,
      goodsShare: totalOff - shippingShare,
      credits,
      discount: { numerator: discountNumerator + creditsGross * discountDenominator, denominator: discountDenominator },
      discountTolerance: tolerance,
      everythingFree: undiscounted > 0n && totalOff === undiscounted,
      products: [
        ...lineItems.map((line) => ({ highPrecision: line.highPrecision, gift: line.gift })),
        ...customLineItems.filter((custom) => !custom.credit).map(() => ({ highPrecision: false, gift: false })),
      ],
    },
  };
}
