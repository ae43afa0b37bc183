import { handleCustomerChange } from './handlers/customer';
import { handleOrderCreated } from './handlers/order';
import type { Handler } from './handlers/types';
import type { Notification } from './transport/notification';

/**
 * Which handler serves which notification: `typeId/notificationType` for changes,
 * `typeId/Message/type` for messages. Anything not listed is acknowledged as unhandled.
 */
const routes: Readonly<Record<string, Handler>> = {
  'customer/ResourceCreated': handleCustomerChange,
  'customer/ResourceUpdated': handleCustomerChange,
  'order/ResourceCreated': handleOrderCreated,
};

export function routeKey(notification: Notification): string {
  const { typeId } = notification.resource;
  return notification.notificationType === 'Message'
    ? `${typeId}/Message/${notification.type}`
    : `${typeId}/${notification.notificationType}`;
}

export function findHandler(notification: Notification): Handler | undefined {
  return routes[routeKey(notification)];
}

/** The routed keys, for documentation and for the subscription set-up. */
export const routedKeys = Object.keys(routes);
