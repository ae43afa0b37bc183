import type { CustomLineItem, LineItem, Order, ShippingInfo, TaxedPrice, TaxRate } from '@commercetools/platform-sdk';
import {
  amountOf,
  grossUp,
  multiplyByQuantity,
  roundingModeOf,
  roundToDigits,
  subtract,
  sumAmounts,
  toUnits,
  zeroAmount,
  type Amount,
  type RoundingMode,
} from './money';

/** The money figures of Segment's Order Completed, in currency units (12.34; JPY 1200; KWD 12.345). */
export interface OrderFigures {
  currency: string;
  /** What the shopper paid: gross, after every discount, shipping and tax included. */
  total: number;
  /** Net value of the goods after discounts: no tax, no shipping. */
  subtotal: number;
  /** Segment's revenue excludes shipping and tax, so it equals the subtotal. */
  revenue: number;
  /**
   * Cart discounts (line items, total price, shipping), gross and positive. Product discounts are
   * not included: they are already in the unit price.
   */
  discount: number;
  /** Shipping actually charged, gross. */
  shipping: number;
  tax: number;
  /** Net total of the order, shipping included, tax excluded. */
  totalNet: number;
}

/** The order's money figures as our users define them (see OrderFigures). */
export function orderFigures(order: Order): OrderFigures {
  const rules = pricingRulesOf(order);
  const { currency } = rules;
  const taxed = order.taxedPrice;
  const shippingInfos = shippingInfosOf(order);

  const total = amountOf(taxed?.totalGross ?? order.totalPrice);
  const tax = taxed ? taxOf(taxed, currency) : zeroAmount(currency);
  const shipping = sumAmounts(currency, shippingInfos.map(shippingGross));
  // totalNet (or the untaxed totalPrice) includes shipping, which revenue must not.
  const subtotal = subtract(
    amountOf(taxed?.totalNet ?? order.totalPrice),
    sumAmounts(currency, shippingInfos.map(shippingNet)),
  );
  const discount = sumAmounts(currency, [
    ...order.lineItems.map((item) => itemDiscount(item, rules)),
    ...order.customLineItems.map((item) => itemDiscount(item, rules)),
    totalPriceDiscount(order, rules),
    ...shippingInfos.map((info) => shippingDiscount(info, rules)),
  ]);

  const inCurrencyUnits = (amount: Amount) => toUnits(roundToDigits(amount, rules.fractionDigits, rules.priceRounding));
  return {
    currency,
    total: inCurrencyUnits(total),
    subtotal: inCurrencyUnits(subtotal),
    revenue: inCurrencyUnits(subtotal),
    discount: inCurrencyUnits(discount),
    shipping: inCurrencyUnits(shipping),
    tax: inCurrencyUnits(tax),
    totalNet: inCurrencyUnits(amountOf(taxed?.totalNet ?? order.totalPrice)),
  };
}

/** What every figure of one order is computed with. */
interface PricingRules {
  currency: string;
  /** The currency's own precision, taken from the order total (always cent precision). */
  fractionDigits: number;
  priceRounding: RoundingMode;
  taxRounding: RoundingMode;
  /** Net discounts are grossed up only when commercetools taxed the order. */
  taxed: boolean;
}

function pricingRulesOf(order: Order): PricingRules {
  return {
    currency: order.totalPrice.currencyCode,
    fractionDigits: order.totalPrice.fractionDigits,
    priceRounding: roundingModeOf(order.priceRoundingMode),
    taxRounding: roundingModeOf(order.taxRoundingMode),
    taxed: order.taxedPrice !== undefined,
  };
}

/** The order's shipping methods: one in Single shipping mode, any number in Multiple. */
export function shippingInfosOf(order: Order): ShippingInfo[] {
  if (order.shippingMode === 'Multiple') return (order.shipping ?? []).map((entry) => entry.shippingInfo);
  return order.shippingInfo ? [order.shippingInfo] : [];
}

function taxOf(taxed: TaxedPrice, currency: string): Amount {
  if (taxed.totalTax) return amountOf(taxed.totalTax);
  return sumAmounts(currency, taxed.taxPortions.map((portion) => amountOf(portion.amount)));
}

/** The shipping price after shipping discounts, in the shipping rate's price mode. */
function chargedShipping(info: ShippingInfo): Amount {
  return amountOf(info.discountedPrice?.value ?? info.price);
}

function shippingGross(info: ShippingInfo): Amount {
  return info.taxedPrice ? amountOf(info.taxedPrice.totalGross) : chargedShipping(info);
}

function shippingNet(info: ShippingInfo): Amount {
  return info.taxedPrice ? amountOf(info.taxedPrice.totalNet) : chargedShipping(info);
}

/**
 * Cart discounts on one (custom) line item: per discounted unit, the sum of its discount
 * portions. commercetools rounds a line's total to the currency's precision before taxing it,
 * so high-precision discounts are rounded the same way before the gross-up.
 */
function itemDiscount(item: LineItem | CustomLineItem, rules: PricingRules): Amount {
  const { currency } = rules;
  const perQuantity = item.discountedPricePerQuantity.map(({ quantity, discountedPrice }) => {
    const perUnit = sumAmounts(
      currency,
      discountedPrice.includedDiscounts.map((portion) => amountOf(portion.discountedAmount)),
    );
    return multiplyByQuantity(perUnit, quantity);
  });
  const net = roundToDigits(sumAmounts(currency, perQuantity), rules.fractionDigits, rules.priceRounding);
  return grossWhenNetPrice(net, itemTaxRate(item), rules);
}

/** discountedAmount is in the cart's price mode; the gross amount exists whenever the order is taxed. */
function totalPriceDiscount(order: Order, rules: PricingRules): Amount {
  const discount = order.discountOnTotalPrice;
  if (!discount) return zeroAmount(rules.currency);
  const amount = amountOf(discount.discountedGrossAmount ?? discount.discountedAmount);
  return roundToDigits(amount, rules.fractionDigits, rules.priceRounding);
}

function shippingDiscount(info: ShippingInfo, rules: PricingRules): Amount {
  if (!info.discountedPrice) return zeroAmount(rules.currency);
  const net = roundToDigits(
    subtract(amountOf(info.price), amountOf(info.discountedPrice.value)),
    rules.fractionDigits,
    rules.priceRounding,
  );
  return grossWhenNetPrice(net, info.taxRate, rules);
}

/** An amount in the price mode of `taxRate`, made gross when that price mode is net and the order is taxed. */
function grossWhenNetPrice(amount: Amount, taxRate: TaxRate | undefined, rules: PricingRules): Amount {
  if (!rules.taxed || !taxRate || taxRate.includedInPrice) return amount;
  return grossUp(amount, taxRate.amount, rules.taxRounding);
}

/**
 * The tax rate that applies to an item. With `Multiple` shipping, commercetools may set only
 * `perMethodTaxRate`; when every method taxes the item alike that rate is the item's rate. When
 * the rates differ, no single rate is right, and the discount stays in the item's price mode.
 */
function itemTaxRate(item: LineItem | CustomLineItem): TaxRate | undefined {
  if (item.taxRate) return item.taxRate;
  const [first, ...others] = (item.perMethodTaxRate ?? []).map((method) => method.taxRate);
  if (!first) return undefined;
  const alike = others.every(
    (rate) => rate !== undefined && rate.amount === first.amount && rate.includedInPrice === first.includedInPrice,
  );
  return alike ? first : undefined;
}
