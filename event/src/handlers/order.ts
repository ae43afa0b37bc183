import { buildOrderCompleted, needsGuestEmailLookup } from '../mapping/order';
import { deliver, skipped, type Handler } from './types';

/** order created → (guest identify) + Order Completed. */
export const handleOrderCreated: Handler = async (notification, context) => {
  const order = await context.commercetools.getOrder(notification.resource.id);
  if (!order) return skipped('not-found');
  // Only guests need the look-up: it decides whether their email may be sent as an identify.
  const guestEmailRegistered =
    needsGuestEmailLookup(order) && order.customerEmail
      ? await context.commercetools.isEmailRegistered(order.customerEmail)
      : undefined;
  return deliver(
    buildOrderCompleted(order, {
      ...context.mapping,
      ...(guestEmailRegistered === undefined ? {} : { guestEmailRegistered }),
    }),
    context,
  );
};
