import type { Order } from '@commercetools/platform-sdk';
import type { JsonObject, TrackCall } from '../segment/calls';
import { consentContext, readConsent } from './consent';
import { orderIdentity } from './identity';
import { buildMessageId } from './message-id';
import { shippingInfosOf } from './order-figures';
import { compact, inStores, type EventOccurrence, type MappingOptions, type MappingResult } from './types';

/**
 * What every track call about an order shares, whatever its properties: the order's identity,
 * consent, messageId, its business unit as the Segment group (`context.groupId`) and its store
 * (which Segment source it goes to). An order without identity or with unreadable consent sends
 * nothing.
 */
export function buildOrderTrack(
  order: Order,
  options: MappingOptions,
  { event, occurrence, properties }: EventOccurrence & { properties: () => JsonObject },
): MappingResult {
  const identity = orderIdentity(order, options.anonymousIdFallback);
  if (!identity) return { kind: 'skip', reason: 'no-identity' };
  const consent = readConsent(order.custom, options.consentFieldName);
  if (consent.kind === 'invalid') return { kind: 'skip', reason: 'invalid-consent' };
  const { context } = consentContext(consent);
  const groupId = order.businessUnit?.key;
  const track: TrackCall = {
    type: 'track',
    event: event.name,
    ...identity,
    timestamp: occurrence.timestamp,
    messageId: orderMessageId(order, options, { event: event.slug, discriminator: occurrence.discriminator }),
    properties: properties(),
    ...(context || groupId ? { context: { ...context, ...(groupId ? { groupId } : {}) } } : {}),
    ...orderStores(order),
  };
  return { kind: 'calls', calls: [track] };
}

/** The store an order belongs to, as a call's routing hint. */
export const orderStores = (order: Order) => inStores([order.store?.key]);

/** The messageId of an order's call: its event's slug and what tells this occurrence from others. */
export function orderMessageId(
  order: Order,
  options: MappingOptions,
  { event, discriminator }: { event: string; discriminator: string | number },
): string {
  return buildMessageId({
    projectKey: options.projectKey,
    typeId: 'order',
    resourceId: order.id,
    event,
    discriminator,
  });
}

/** Where the order stands and how it ships: on every order event, refunds and failed payments included. */
export function orderContext(order: Order): JsonObject {
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
    business_unit: order.businessUnit?.key,
    purchase_order_number: order.purchaseOrderNumber,
    quote_id: order.quote?.id,
  });
}
