import type { Order } from '@commercetools/platform-sdk';
import type { TrackEventKey } from '../events';
import { buildOrderCompleted, buildOrderEvent, buildOrderEventWithShipments } from '../mapping/order';
import type { MappingResult } from '../mapping/types';
import { skipped, withDetail, withSource } from '../outcome';
import { embeddedOrder, readMessage, type MessageFields } from '../transport/messages';
import { orderOptions } from './order-facts';
import { proveMessage } from './proof';
import { orderReached, reachedState, type OrderStateMessage } from './states';
import { enabledEvent, sendCalls, type Handler, type MessageHandler, type PlanContext } from './types';

/** Plans an order's (guest identify) + Order Completed, with the one look-up a guest needs. */
export type OrderCompletedPlanner = (order: Order) => Promise<MappingResult>;

/**
 * The calls for an order in hand: (guest identify) + Order Completed. Sends nothing: the live
 * path sends them, the tools (backfill, preview) reuse them. Undefined when Order Completed is
 * off: the one place that decides an order's creation is `disabled`.
 */
export function orderCompletedPlanner(context: PlanContext): OrderCompletedPlanner | undefined {
  const event = enabledEvent(context, 'orderCompleted');
  if (!event) return undefined;
  // Only guests cost a look-up: it decides whether their email may be sent.
  return async (order) =>
    buildOrderCompleted(order, { ...(await orderOptions(order, context, { identify: true })), event });
}

/** order ResourceCreated change → read the order → (guest identify) + Order Completed. */
export const handleOrderCreated: Handler = async (notification, context) => {
  const plan = orderCompletedPlanner(context);
  if (!plan) return skipped('disabled');
  const order = await context.commercetools.getOrder(notification.resource.id, context.signal);
  if (!order) return skipped('not-found');
  return withSource('read', await sendCalls(await plan(order), context));
};

/**
 * OrderCreated message → the same calls. The order the message carries is used when the message is
 * proven as it stands (an authenticated delivery, or the message as commercetools' Messages API
 * holds it); otherwise anyone who can reach the endpoint could invent an order, so commercetools is
 * asked, and an order it does not hold is skipped as not found. A carried order with discount codes
 * is read again too: the message's references are not expanded, and the coupon is the code's text,
 * not its id.
 */
export const handleOrderCreatedMessage: MessageHandler = async (notification, context) => {
  const plan = orderCompletedPlanner(context);
  if (!plan) return skipped('disabled');
  const proven = await proveMessage(notification, 'OrderCreated', context);
  if (!proven) return skipped('unproven');
  const carried = proven.kind === 'state' ? undefined : embeddedOrder(proven.fields);
  const usable = carried && !(carried.discountCodes ?? []).some((code) => code.discountCode.obj === undefined);
  if (usable)
    return withDetail({ source: 'carried', proof: proven.kind }, await sendCalls(await plan(carried), context));
  const order = await context.commercetools.getOrder(notification.resource.id, context.signal);
  if (!order) return withDetail({ source: 'read', proof: proven.kind }, skipped('not-found'));
  return withDetail({ source: 'read', proof: proven.kind }, await sendCalls(await plan(order), context));
};

/** order ResourceUpdated change → Order Updated, once per order version. */
export const handleOrderUpdated: Handler = async (notification, context) => {
  const event = enabledEvent(context, 'orderUpdated');
  if (!event) return skipped('disabled');
  const order = await context.commercetools.getOrder(notification.resource.id, context.signal);
  if (!order) return skipped('not-found');
  // Keyed by the version read, not the one notified: two quick updates that both read the
  // latest version describe the same state, and Segment keeps one of them.
  const occurrence = { discriminator: order.version, timestamp: order.lastModifiedAt };
  const options = await orderOptions(order, context);
  return sendCalls(buildOrderEventWithShipments(order, options, { event, occurrence }), context);
};

type OrderEventBuilder = typeof buildOrderEvent;

/**
 * A state-change message → its event, when the new state is one that has an event, built by
 * `build` (shipment states carry the order's shipments). A message that claims no event's state
 * costs no read. Otherwise the claim is proven (see proof.ts): by the message commercetools holds
 * (its state and date, keyed by its id), or, in a project without messages, by the order being at
 * or beyond the claimed state now (keyed by the order and that state, dated by commercetools).
 */
function stateChangeHandler<T extends OrderStateMessage>(
  type: T,
  {
    stateOf,
    eventFor,
    build = buildOrderEvent,
  }: {
    /** The state the message says the order reached. */
    stateOf: (fields: MessageFields<T>) => string;
    /** The event reaching that state is, if any. */
    eventFor: (state: string) => TrackEventKey | undefined;
    build?: OrderEventBuilder;
  },
): MessageHandler {
  return async (notification, context) => {
    if (!eventFor(stateOf(readMessage(notification, type)))) return skipped('no-event');
    const proven = await proveMessage(notification, type, context);
    if (!proven) return skipped('unproven');
    const state = stateOf(proven.kind === 'state' ? proven.claim : proven.fields);
    const key = eventFor(state);
    if (!key) return skipped('no-event');
    const event = enabledEvent(context, key);
    if (!event) return skipped('disabled');
    const order = await context.commercetools.getOrder(notification.resource.id, context.signal);
    const detail = { proof: proven.kind };
    if (!order) return withDetail(detail, skipped('not-found'));
    if (proven.kind === 'state' && !orderReached(order, type, state)) return withDetail(detail, skipped('unproven'));
    const occurrence =
      proven.kind === 'state'
        ? { discriminator: reachedState(state), timestamp: order.lastModifiedAt }
        : // The message id names this change; a redelivery carries the same one.
          { discriminator: proven.id, timestamp: proven.createdAt };
    const options = await orderOptions(order, context);
    return withDetail(detail, await sendCalls(build(order, options, { event, occurrence }), context));
  };
}

export const handleOrderStateChanged = stateChangeHandler('OrderStateChanged', {
  stateOf: (fields) => fields.orderState,
  eventFor: (state) => (state === 'Cancelled' ? 'orderCancelled' : undefined),
});

export const handleOrderPaymentStateChanged = stateChangeHandler('OrderPaymentStateChanged', {
  stateOf: (fields) => fields.paymentState,
  eventFor: (state) => (state === 'Paid' ? 'orderPaid' : undefined),
});

export const handleOrderShipmentStateChanged = stateChangeHandler('OrderShipmentStateChanged', {
  stateOf: (fields) => fields.shipmentState,
  eventFor: (state) => {
    if (state === 'Shipped') return 'orderShipped';
    if (state === 'Delivered') return 'orderDelivered';
    return undefined;
  },
  build: buildOrderEventWithShipments,
});
