import type { CustomLineItem, LineItem, Order, ShippingInfo, TaxRate } from '@commercetools/platform-sdk';
import {
  add,
  amountOf,
  compareAmounts,
  grossUpBlended,
  isNegative,
  maxAmount,
  minAmount,
  multiplyByQuantity,
  negate,
  perUnit,
  proportionOf,
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
   * Cart discounts (line items and free gifts, custom line items, total price, shipping) and
   * credits (custom line items with negative money), gross and positive. Product discounts are
   * not included: they are already in the unit price.
   */
  discount: number;
  /** Shipping as paid, gross: after shipping discounts and its share of a discount on the total price. */
  shipping: number;
  tax: number;
  /** Net total of the order, shipping included, tax excluded. */
  totalNet: number;
}

/** The order's money figures as our users define them (see OrderFigures and docs/events.md, "Money, as defined here"). */
export function orderFigures(order: Order): OrderFigures {
  const rules = pricingRulesOf(order);
  const { currency } = rules;
  const taxed = order.taxedPrice;
  const zero = zeroAmount(currency);

  const total = amountOf(taxed?.totalGross ?? order.totalPrice);
  const totalNet = amountOf(taxed?.totalNet ?? order.totalPrice);
  // commercetools defines totalTax as gross − net, so orders from before totalTax existed get the
  // same figure. Their tax portions are no substitute: a discount on the total price does not
  // reduce them.
  const tax = taxed ? subtract(total, totalNet) : zero;
  const shipping = shippingCost(order, rules);
  // Shipping can cost no more than the order, so the goods are never worth less than nothing.
  const netShipping = atMost(shipping.net, totalNet);
  const subtotal = maxAmount(subtract(totalNet, netShipping), zero);
  const discount = sumAmounts(currency, [
    ...order.lineItems.map((item) => itemDiscount(item, rules)),
    ...order.customLineItems.map((item) =>
      isReduction(item) ? reductionDiscount(item, rules) : itemDiscount(item, rules),
    ),
    totalPriceDiscount(order, rules),
    ...shippingInfosOf(order).map((info) => shippingDiscount(info, rules)),
  ]);

  const inCurrencyUnits = (amount: Amount) => toUnits(roundToDigits(amount, rules.fractionDigits, rules.priceRounding));
  return {
    currency,
    total: inCurrencyUnits(total),
    subtotal: inCurrencyUnits(subtotal),
    revenue: inCurrencyUnits(subtotal),
    discount: inCurrencyUnits(discount),
    shipping: inCurrencyUnits(atMost(shipping.gross, total)),
    tax: inCurrencyUnits(tax),
    totalNet: inCurrencyUnits(totalNet),
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

/** What the shopper paid for shipping, gross and net: after shipping discounts and its share of a total-price discount. */
interface ShippingCost {
  gross: Amount;
  net: Amount;
}

/**
 * commercetools spreads a discount on the total price over line items, custom line items and
 * shipping, and `taxedShippingPrice` holds shipping after its share (the sum over every method
 * in Multiple shipping mode). Without it (tax mode Disabled; ExternalAmount, where commercetools
 * leaves it empty; orders from before it existed) each method's share is taken the way
 * commercetools spreads the discount: in proportion to what the method costs, i.e. its price ×
 * `discountedAmount` ÷ the total price before the discount, rounded with the price rounding mode.
 */
function shippingCost(order: Order, rules: PricingRules): ShippingCost {
  const taxedShipping = order.taxedShippingPrice;
  if (rules.taxed && taxedShipping) {
    return { gross: amountOf(taxedShipping.totalGross), net: amountOf(taxedShipping.totalNet) };
  }
  const afterShare = (amount: Amount) => atLeastZero(subtract(amount, totalPriceShare(amount, order, rules)));
  const infos = shippingInfosOf(order);
  return {
    gross: sumAmounts(
      rules.currency,
      infos.map((info) => afterShare(shippingGross(info))),
    ),
    net: sumAmounts(
      rules.currency,
      infos.map((info) => afterShare(shippingNet(info))),
    ),
  };
}

/** The part of the discount on the total price that falls on `amount`, a part of the order. */
function totalPriceShare(amount: Amount, order: Order, rules: PricingRules): Amount {
  const discount = order.discountOnTotalPrice;
  if (!discount) return zeroAmount(rules.currency);
  const discounted = amountOf(discount.discountedAmount);
  const undiscounted = add(amountOf(order.totalPrice), discounted);
  const zero = zeroAmount(rules.currency);
  if (compareAmounts(undiscounted, zero) <= 0) return zero;
  return proportionOf(amount, { part: discounted, whole: undiscounted, mode: rules.priceRounding });
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

function atLeastZero(amount: Amount): Amount {
  return isNegative(amount) ? zeroAmount(amount.currency) : amount;
}

/** `amount`, but no more than `limit` and no less than zero. */
function atMost(amount: Amount, limit: Amount): Amount {
  return atLeastZero(minAmount(amount, limit));
}

/**
 * Cart discounts on one (custom) line item, gross: its cart discounts in its price mode (see
 * lineCartDiscounts). commercetools rounds a line's total to the currency's precision before
 * taxing it, so high-precision discounts are rounded the same way before the gross-up.
 */
function itemDiscount(item: LineItem | CustomLineItem, rules: PricingRules): Amount {
  const net = roundToDigits(lineCartDiscounts(item, rules.currency), rules.fractionDigits, rules.priceRounding);
  return grossWhenNetPrice(net, itemTaxRates(item), rules);
}

/**
 * `products[].discount`: the unit amount of cart discounts on a (custom) line item, in the line's
 * price mode like `price`, so that a destination computing price × quantity can take it off: the
 * line's cart discounts ÷ its quantity, exact when the division comes out (two for the price of
 * one: half a price each) and otherwise to as many more digits as the quantity has, rounded with
 * the price rounding mode. A free gift line costs its whole price in discount.
 */
export function unitCartDiscount(item: LineItem | CustomLineItem, order: Order): Amount {
  const rules = pricingRulesOf(order);
  if (isGiftLine(item)) return unitPrice(item);
  if (item.quantity <= 0) return zeroAmount(rules.currency);
  return perUnit(lineCartDiscounts(item, rules.currency), item.quantity, rules.priceRounding);
}

/**
 * Everything cart discounts took off a line, unrounded and in its price mode: per group of units
 * discounted alike, the sum of its discount portions × the group's quantity. A free gift line
 * costs its whole price.
 */
function lineCartDiscounts(item: LineItem | CustomLineItem, currency: string): Amount {
  if (isGiftLine(item)) return multiplyByQuantity(unitPrice(item), item.quantity);
  const perQuantity = item.discountedPricePerQuantity.map(({ quantity, discountedPrice }) => {
    const perUnit = sumAmounts(
      currency,
      discountedPrice.includedDiscounts.map((portion) => amountOf(portion.discountedAmount)),
    );
    return multiplyByQuantity(perUnit, quantity);
  });
  return sumAmounts(currency, perQuantity);
}

function isGiftLine(item: LineItem | CustomLineItem): item is LineItem {
  return 'lineItemMode' in item && item.lineItemMode === 'GiftLineItem';
}

/** The unit price as stored: product discounts included, cart discounts not (`products[].price`). */
export function unitPrice(item: LineItem | CustomLineItem): Amount {
  return amountOf('price' in item ? (item.price.discounted?.value ?? item.price.value) : item.money);
}

/**
 * A custom line item with negative money (a voucher, a goodwill credit, a manual reduction) is a
 * discount the merchant gave, not something the shopper bought: it counts in `discount` and is
 * not listed among the products.
 */
export function isReduction(item: CustomLineItem): boolean {
  return isNegative(amountOf(item.money));
}

/** What a reduction took off, gross and positive: its taxed gross total, else its total made gross. */
function reductionDiscount(item: CustomLineItem, rules: PricingRules): Amount {
  if (rules.taxed && item.taxedPrice) return negate(amountOf(item.taxedPrice.totalGross));
  return grossWhenNetPrice(negate(amountOf(item.totalPrice)), itemTaxRates(item), rules);
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
  return grossWhenNetPrice(net, info.taxRate ? [{ rate: info.taxRate, weight: 1 }] : [], rules);
}

/** A tax rate and how many of the item's units it taxes. */
interface WeightedRate {
  rate: TaxRate;
  weight: number;
}

/**
 * An amount in the price mode of the item it belongs to, made gross when that price mode is net
 * and the order is taxed: at the item's rate, or at the blend of its rates when its units are
 * taxed differently.
 */
function grossWhenNetPrice(amount: Amount, rates: readonly WeightedRate[], rules: PricingRules): Amount {
  const weighted = rates.filter(({ weight }) => weight > 0);
  if (!rules.taxed || weighted.length === 0 || weighted.some(({ rate }) => rate.includedInPrice)) return amount;
  return grossUpBlended(
    amount,
    weighted.map(({ rate, weight }) => ({ rate: rate.amount, weight })),
    rules.taxRounding,
  );
}

/**
 * The tax rates that apply to an item. With `Multiple` shipping, commercetools may set only
 * `perMethodTaxRate`, one rate per shipping method; each then weighs the units the item's
 * shipping details send by that method, so a line split across methods that tax differently is
 * grossed up at the blend of their rates. Without shipping details naming the methods, each
 * method's rate weighs the same.
 */
function itemTaxRates(item: LineItem | CustomLineItem): WeightedRate[] {
  if (item.taxRate) return [{ rate: item.taxRate, weight: 1 }];
  const units = new Map<string, number>();
  for (const target of item.shippingDetails?.targets ?? []) {
    if (target.shippingMethodKey === undefined) continue;
    units.set(target.shippingMethodKey, (units.get(target.shippingMethodKey) ?? 0) + target.quantity);
  }
  const rates = (item.perMethodTaxRate ?? []).flatMap(({ shippingMethodKey, taxRate }) =>
    taxRate ? [{ rate: taxRate, weight: units.get(shippingMethodKey) ?? 0 }] : [],
  );
  return rates.some(({ weight }) => weight > 0) ? rates : rates.map(({ rate }) => ({ rate, weight: 1 }));
}
