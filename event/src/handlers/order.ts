import type { Order } from '@commercetools/platform-sdk';
import type { TrackEventKey } from '../events';
import {
  buildOrderCompleted,
  buildOrderEvent,
  buildOrderEventWithShipments,
  needsGuestEmailLookup,
} from '../mapping/order';
import type { MappingResult } from '../mapping/types';
import { embeddedOrder, readMessage, type MessageFields } from '../transport/messages';
import { deliver, enabledEvent, from, skipped, type Handler, type MessageHandler, type PlanContext } from './types';

/** Plans an order's (guest identify) + Order Completed, with the one look-up a guest needs. */
export type OrderCompletedPlanner = (order: Order) => Promise<MappingResult>;

/**
 * The calls for an order in hand: (guest identify) + Order Completed. Sends nothing: the live
 * path delivers them, the tools (backfill, preview) reuse them. Undefined when Order Completed is
 * off: the one place that decides an order's creation is `disabled`.
 */
export function orderCompletedPlanner(context: PlanContext): OrderCompletedPlanner | undefined {
  const event = enabledEvent(context, 'orderCompleted');
  if (!event) return undefined;
  return async (order) => {
    // Only guests need the look-up: it decides whether their email may be sent as an identify.
    const guestEmailRegistered =
      needsGuestEmailLookup(order, context.mapping.anonymousIdFallback) && order.customerEmail
        ? await context.commercetools.isEmailRegistered(order.customerEmail, context.signal)
        : undefined;
    return buildOrderCompleted(order, {
      ...context.mapping,
      event,
      ...(guestEmailRegistered === undefined ? {} : { guestEmailRegistered }),
    });
  };
}

/** order ResourceCreated change → read the order → (guest identify) + Order Completed. */
export const handleOrderCreated: Handler = async (notification, context) => {
  const plan = orderCompletedPlanner(context);
  if (!plan) return skipped('disabled');
  const order = await context.commercetools.getOrder(notification.resource.id, context.signal);
  if (!order) return skipped('not-found');
  return from('read', await deliver(await plan(order), context));
};

/**
 * OrderCreated message → the same calls. The order the message carries is used only when the
 * delivery was authenticated; otherwise anyone who can reach the endpoint could invent an order,
 * so commercetools is asked, and an order it does not hold is skipped as not found. A carried
 * order with discount codes is read again too: the message's references are not expanded, and
 * the coupon is the code's text, not its id.
 */
export const handleOrderCreatedMessage: MessageHandler = async (notification, context) => {
  const plan = orderCompletedPlanner(context);
  if (!plan) return skipped('disabled');
  const carried = context.trusted ? embeddedOrder(readMessage(notification, 'OrderCreated')) : undefined;
  const usable = carried && !(carried.discountCodes ?? []).some((code) => code.discountCode.obj === undefined);
  if (usable) return from('carried', await deliver(await plan(carried), context));
  const order = await context.commercetools.getOrder(notification.resource.id, context.signal);
  if (!order) return from('read', skipped('not-found'));
  return from('read', await deliver(await plan(order), context));
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
  return deliver(buildOrderEventWithShipments(order, context.mapping, event, occurrence), context);
};

type OrderEventBuilder = typeof buildOrderEvent;

/**
 * A state-change message → its event, when the new state is one that has an event, built by
 * `build` (shipment states carry the order's shipments).
 */
function stateChangeHandler<T extends 'OrderStateChanged' | 'OrderPaymentStateChanged' | 'OrderShipmentStateChanged'>(
  type: T,
  eventFor: (fields: MessageFields<T>) => TrackEventKey | undefined,
  build: OrderEventBuilder = buildOrderEvent,
): MessageHandler {
  return async (notification, context) => {
    const key = eventFor(readMessage(notification, type));
    if (!key) return skipped('no-event');
    const event = enabledEvent(context, key);
    if (!event) return skipped('disabled');
    const order = await context.commercetools.getOrder(notification.resource.id, context.signal);
    if (!order) return skipped('not-found');
    // The message id names this change; a redelivery carries the same one.
    const occurrence = { discriminator: notification.id, timestamp: notification.createdAt };
    return deliver(build(order, context.mapping, event, occurrence), context);
  };
}

export const handleOrderStateChanged = stateChangeHandler('OrderStateChanged', (fields) =>
  fields.orderState === 'Cancelled' ? 'orderCancelled' : undefined,
);

export const handleOrderPaymentStateChanged = stateChangeHandler('OrderPaymentStateChanged', (fields) =>
  fields.paymentState === 'Paid' ? 'orderPaid' : undefined,
);

export const handleOrderShipmentStateChanged = stateChangeHandler(
  'OrderShipmentStateChanged',
  (fields) => {
    if (fields.shipmentState === 'Shipped') return 'orderShipped';
    if (fields.shipmentState === 'Delivered') return 'orderDelivered';
    return undefined;
  },
  buildOrderEventWithShipments,
);
