import type {
  CustomLineItem,
  LineItem,
  Order,
  ShippingInfo,
  TaxedPrice,
  TaxRate,
} from '@commercetools/platform-sdk';
import type { TypedMoney } from '@commercetools/platform-sdk';
import type { AnonymousIdFallback } from '../events';
import type { IdentifyCall, JsonObject, TrackCall } from '../segment/calls';
import { consentContext, readConsent } from './consent';
import { orderIdentity } from './identity';
import { buildMessageId } from './message-id';
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
import { buildProducts } from './products';
import { compact, type EventName, type MappingOptions, type MappingResult, type Occurrence } from './types';

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

/**
 * true when the order has no customer but an email and an anonymous identity: the handler must
 * then ask commercetools whether that email is registered before a guest identify may be sent.
 */
export function needsGuestEmailLookup(order: Order, fallback: AnonymousIdFallback = 'none'): boolean {
  const identity = orderIdentity(order, fallback);
  return identity !== undefined && 'anonymousId' in identity && Boolean(order.customerEmail);
}

const ORDER_COMPLETED: EventName = { name: 'Order Completed', slug: 'order-completed' };

/**
 * Segment calls for a newly created order: Order Completed, preceded for a guest by an identify
 * that attaches the email to the anonymous visitor — but only once the handler has confirmed
 * that the email belongs to no registered customer. Tying an unverified guest email to a
 * registered account would let anyone write into someone else's profile.
 */
export function buildOrderCompleted(
  order: Order,
  options: MappingOptions & { guestEmailRegistered?: boolean; event?: EventName },
): MappingResult {
  const occurrence: Occurrence = { discriminator: 'created', timestamp: order.createdAt };
  const track = buildOrderEvent(order, options, options.event ?? ORDER_COMPLETED, occurrence);
  if (track.kind === 'skip') return track;
  const identity = orderIdentity(order, options.anonymousIdFallback);
  if (!identity || !('anonymousId' in identity) || !order.customerEmail || options.guestEmailRegistered !== false) {
    return track;
  }
  const [trackCall] = track.calls;
  const identify: IdentifyCall = {
    type: 'identify',
    anonymousId: identity.anonymousId,
    traits: { email: order.customerEmail },
    timestamp: order.createdAt,
    messageId: orderMessageId(order, options, 'guest-identify', 'created'),
    ...(trackCall?.context ? { context: trackCall.context } : {}),
  };
  return { kind: 'calls', calls: [identify, ...track.calls] };
}

/**
 * One track call about an order (Order Completed, Updated, Cancelled, Paid, Shipped, Delivered):
 * the order's identity, consent and full properties, at `occurrence`.
 */
export function buildOrderEvent(
  order: Order,
  options: MappingOptions,
  event: EventName,
  occurrence: Occurrence,
): MappingResult {
  return buildOrderTrack(order, options, event, occurrence, () => orderProperties(order, options.locale));
}

/** A refund of a payment of the order: what was given back, not the order's figures. */
export interface Refund {
  transactionId: string;
  amount: TypedMoney;
  timestamp: string;
}

/**
 * Order Refunded: `total` is the refunded amount. The order's own figures (revenue, subtotal,
 * tax…) are left out on purpose: destinations such as GA4 read them as the refunded value.
 * Products are listed only when the refund is exactly the value of the order's return items
 * marked Refunded; a partial or unrelated refund lists none rather than the wrong ones.
 */
export function buildOrderRefunded(order: Order, refund: Refund, options: MappingOptions, event: EventName): MappingResult {
  const occurrence: Occurrence = { discriminator: refund.transactionId, timestamp: refund.timestamp };
  return buildOrderTrack(order, options, event, occurrence, () => {
    const refunded = amountOf(refund.amount);
    const products = refundedProducts(order, refunded, options.locale);
    return compact({
      ...orderContext(order),
      total: toUnits(refunded),
      currency: refund.amount.currencyCode,
      ...(products ? { products } : {}),
    });
  });
}

function buildOrderTrack(
  order: Order,
  options: MappingOptions,
  event: EventName,
  occurrence: Occurrence,
  properties: () => JsonObject,
): MappingResult {
  const identity = orderIdentity(order, options.anonymousIdFallback);
  if (!identity) return { kind: 'skip', reason: 'no-identity' };
  const consent = readConsent(order.custom, options.consentFieldName);
  if (consent.status === 'invalid') return { kind: 'skip', reason: 'invalid-consent' };
  const track: TrackCall = {
    type: 'track',
    event: event.name,
    ...identity,
    timestamp: occurrence.timestamp,
    messageId: orderMessageId(order, options, event.slug, occurrence.discriminator),
    properties: properties(),
    ...consentContext(consent),
  };
  return { kind: 'calls', calls: [track] };
}

function orderMessageId(order: Order, options: MappingOptions, event: string, discriminator: string | number): string {
  return buildMessageId({ projectKey: options.projectKey, typeId: 'order', resourceId: order.id, event, discriminator });
}

/** Every order event's properties: Segment's e-commerce v2 order fields plus commercetools' states. */
export function orderProperties(order: Order, locale?: string): JsonObject {
  const figures = orderFigures(order);
  return compact({
    ...orderContext(order),
    checkout_id: order.cart?.id,
    email: order.customerEmail,
    currency: figures.currency,
    // Only an expanded reference carries the code the shopper typed; ids mean nothing in Segment.
    coupon: order.discountCodes?.[0]?.discountCode.obj?.code,
    total: figures.total,
    revenue: figures.revenue,
    subtotal: figures.subtotal,
    total_net: figures.totalNet,
    discount: figures.discount,
    shipping: figures.shipping,
    tax: figures.tax,
    products: buildProducts(order, locale),
  });
}

/** Where the order stands and how it ships: on every order event, refunds included. */
function orderContext(order: Order): JsonObject {
  const methods = shippingInfosOf(order)
    .map((info) => info.shippingMethodName)
    .filter((name) => name !== '');
  return compact({
    order_id: order.id,
    order_number: order.orderNumber,
    store: order.store?.key,
    shipping_method: methods.length > 0 ? [...new Set(methods)].join(', ') : undefined,
    order_state: order.orderState,
    payment_state: order.paymentState,
    shipment_state: order.shipmentState,
    country: order.country ?? order.shippingAddress?.country,
  });
}

/**
 * The returned line items marked Refunded, when their gross value is exactly `refunded`. A line's
 * value per unit is its gross total (after discounts) divided by its quantity; a share that is
 * not a whole number of minor units cannot be matched exactly, and then nothing is listed.
 */
function refundedProducts(order: Order, refunded: Amount, locale?: string): JsonObject[] | undefined {
  const returned = new Map<string, number>();
  for (const info of order.returnInfo ?? []) {
    for (const item of info.items) {
      if (item.type !== 'LineItemReturnItem' || item.paymentState !== 'Refunded') continue;
      returned.set(item.lineItemId, (returned.get(item.lineItemId) ?? 0) + item.quantity);
    }
  }
  if (returned.size === 0 || refunded.currency !== order.totalPrice.currencyCode) return undefined;
  const lines = order.lineItems.filter((item) => returned.has(item.id));
  if (lines.length !== returned.size) return undefined;
  const shares = new Map<string, Amount>();
  for (const item of lines) {
    const share = returnedShare(item, returned.get(item.id) ?? 0);
    if (!share) return undefined;
    shares.set(item.id, share);
  }
  if (subtract(sumAmounts(refunded.currency, shares.values()), refunded).minorUnits !== 0n) return undefined;
  const byId = new Map(buildProducts(order, locale).map((product, index) => [order.lineItems[index]?.id, product]));
  // total_price is what this refund gave back for the line, like the event's total.
  return lines.map((item, index) => ({
    ...byId.get(item.id),
    quantity: returned.get(item.id),
    total_price: toUnits(shares.get(item.id) ?? zeroAmount(refunded.currency)),
    position: index + 1,
  }));
}

function returnedShare(item: LineItem, quantity: number): Amount | undefined {
  if (quantity <= 0 || quantity > item.quantity) return undefined;
  const lineTotal = amountOf(item.taxedPrice?.totalGross ?? item.totalPrice);
  const scaled = lineTotal.minorUnits * BigInt(quantity);
  if (scaled % BigInt(item.quantity) !== 0n) return undefined;
  return { ...lineTotal, minorUnits: scaled / BigInt(item.quantity) };
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

function shippingInfosOf(order: Order): ShippingInfo[] {
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
