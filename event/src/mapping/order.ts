import type { Order } from '@commercetools/platform-sdk';
import type { AnonymousIdFallback } from '../events';
import type { IdentifyCall, JsonObject } from '../segment/calls';
import { orderIdentity } from './identity';
import { orderFigures } from './order-figures';
import { buildOrderTrack, orderContext, orderMessageId, orderPerson, orderStores } from './order-track';
import { buildProducts, type ProductMapping } from './products';
import { shipmentProperties } from './shipments';
import { callContext, readTracking, type TrackingField } from './tracking';
import {
  compact,
  type EventName,
  type EventOccurrence,
  type MappingOptions,
  type MappingResult,
  type Occurrence,
  type OrderFacts,
} from './types';

/**
 * true when the order has no customer but an email and an anonymous identity: the handler must
 * then ask commercetools whether that email is registered before a guest identify may be sent, or
 * the email may join a guest's events. The tracking fields count: a guest known by its browser's
 * anonymousId alone has an identity even with no fallback.
 */
export function needsGuestEmailLookup(
  order: Order,
  fallback: AnonymousIdFallback = 'none',
  tracking?: readonly TrackingField[],
): boolean {
  const identity = orderIdentity(order, fallback, readTracking(order.custom, tracking));
  return identity !== undefined && identity.userId === undefined && Boolean(order.customerEmail);
}

const ORDER_COMPLETED: EventName = { name: 'Order Completed', slug: 'order-completed' };

/**
 * Segment calls for a newly created order: Order Completed, preceded for a guest by an identify
 * that attaches the email to the anonymous visitor — but only once the handler has confirmed
 * that the email belongs to no registered customer. Tying an unverified guest email to a
 * registered account would let anyone write into someone else's profile. The identify carries
 * the order's tracked context, like the track.
 */
export function buildOrderCompleted(
  order: Order,
  options: MappingOptions & OrderFacts & { event?: EventName },
): MappingResult {
  const occurrence: Occurrence = { discriminator: 'created', timestamp: order.createdAt };
  const track = buildOrderEvent(order, options, { event: options.event ?? ORDER_COMPLETED, occurrence });
  if (track.kind === 'skip') return track;
  const found = orderPerson(order, options);
  if (found.kind === 'skip') return found;
  const { identity, consent, tracking } = found.person;
  if (identity.userId !== undefined || !order.customerEmail || options.guestEmailRegistered !== false) {
    return track;
  }
  const identify: IdentifyCall = {
    type: 'identify',
    anonymousId: identity.anonymousId,
    traits: { email: order.customerEmail },
    timestamp: order.createdAt,
    messageId: orderMessageId(order, options, { event: 'guest-identify', discriminator: 'created' }),
    ...callContext(tracking.context, consent.kind === 'valid' ? { consent: consent.consent } : {}),
    ...orderStores(order),
  };
  return { kind: 'calls', calls: [identify, ...track.calls] };
}

/**
 * One track call about an order (Order Completed, Cancelled, Paid; the events that follow the
 * goods use buildOrderEventWithShipments):
 * the order's identity, consent and full properties, at `occurrence`.
 */
export function buildOrderEvent(
  order: Order,
  options: MappingOptions & OrderFacts,
  track: EventOccurrence,
): MappingResult {
  return buildOrderTrack(order, options, { ...track, properties: () => orderProperties(order, options) });
}

/**
 * An order event that follows the goods (Order Shipped, Delivered, Updated): the order's
 * properties, with its shipments and the latest tracking number and carrier.
 */
export function buildOrderEventWithShipments(
  order: Order,
  options: MappingOptions & OrderFacts,
  track: EventOccurrence,
): MappingResult {
  return buildOrderTrack(order, options, {
    ...track,
    properties: () => ({ ...orderProperties(order, options), ...shipmentProperties(order) }),
  });
}

/** Every order event's properties: Segment's e-commerce v2 order fields plus commercetools' states. */
export function orderProperties(order: Order, options: ProductMapping = {}): JsonObject {
  const figures = orderFigures(order);
  return compact({
    ...orderContext(order),
    checkout_id: order.cart?.id,
    email: order.customerEmail,
    currency: figures.currency,
    coupon: appliedCoupons(order),
    total: figures.total,
    revenue: figures.revenue,
    subtotal: figures.subtotal,
    total_net: figures.totalNet,
    discount: figures.discount,
    shipping: figures.shipping,
    tax: figures.tax,
    products: buildProducts(order, options),
  });
}

/**
 * Every discount code that applied, comma-separated, in the order commercetools holds them. A code
 * in any other state (ApplicationStoppedByGroupBestDeal, DoesNotMatchCart, NotActive…) is on the
 * order but took nothing off. Only an expanded reference carries the code the shopper typed; ids
 * mean nothing in Segment.
 */
export function appliedCoupons(order: Pick<Order, 'discountCodes'>): string | undefined {
  const codes = (order.discountCodes ?? [])
    .filter((info) => info.state === 'MatchesCart')
    .map((info) => info.discountCode.obj?.code)
    .filter((code): code is string => typeof code === 'string' && code !== '');
  return codes.length > 0 ? codes.join(',') : undefined;
}
