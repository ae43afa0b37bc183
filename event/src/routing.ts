import {
  handleCustomerCreated,
  handleCustomerCreatedMessage,
  handleCustomerDeleted,
  handleCustomerUpdated,
} from './handlers/customer';
import {
  handleOrderCreated,
  handleOrderCreatedMessage,
  handleOrderPaymentStateChanged,
  handleOrderShipmentStateChanged,
  handleOrderStateChanged,
  handleOrderUpdated,
} from './handlers/order';
import {
  handleBusinessUnitAssociateAdded,
  handleBusinessUnitAssociateRemoved,
  handleBusinessUnitChanged,
} from './handlers/business-unit';
import { handleOrderCustomerSet } from './handlers/order-customer-set';
import { handleQuoteRequestCreated, handleQuoteStateChanged } from './handlers/quote';
import { handlePaymentTransactionAdded, handlePaymentTransactionStateChanged } from './handlers/payment';
import type { Handler, MessageHandler } from './handlers/types';
import type { Notification } from './transport/notification';

/**
 * Which handler serves which notification: `typeId/notificationType` for changes,
 * `typeId/Message/type` for messages. Anything not listed is acknowledged as unhandled.
 * Alternative routes to one event (the order `ResourceCreated` change and the `OrderCreated`
 * message) build the same messageIds, so receiving both never doubles an event in Segment.
 */
const changeRoutes: Readonly<Record<string, Handler>> = {
  'customer/ResourceCreated': handleCustomerCreated,
  'customer/ResourceUpdated': handleCustomerUpdated,
  'customer/ResourceDeleted': handleCustomerDeleted,
  'order/ResourceCreated': handleOrderCreated,
  'order/ResourceUpdated': handleOrderUpdated,
  'business-unit/ResourceCreated': handleBusinessUnitChanged,
  'business-unit/ResourceUpdated': handleBusinessUnitChanged,
};

const messageRoutes: Readonly<Record<string, MessageHandler>> = {
  'customer/Message/CustomerCreated': handleCustomerCreatedMessage,
  'order/Message/OrderCreated': handleOrderCreatedMessage,
  'order/Message/OrderStateChanged': handleOrderStateChanged,
  'order/Message/OrderPaymentStateChanged': handleOrderPaymentStateChanged,
  'order/Message/OrderShipmentStateChanged': handleOrderShipmentStateChanged,
  'order/Message/OrderCustomerSet': handleOrderCustomerSet,
  'payment/Message/PaymentTransactionAdded': handlePaymentTransactionAdded,
  'payment/Message/PaymentTransactionStateChanged': handlePaymentTransactionStateChanged,
  'business-unit/Message/BusinessUnitAssociateAdded': handleBusinessUnitAssociateAdded,
  'business-unit/Message/BusinessUnitAssociateRemoved': handleBusinessUnitAssociateRemoved,
  'quote-request/Message/QuoteRequestCreated': handleQuoteRequestCreated,
  'quote/Message/QuoteStateChanged': handleQuoteStateChanged,
};

export function routeKey(notification: Notification): string {
  const { typeId } = notification.resource;
  return notification.notificationType === 'Message'
    ? `${typeId}/Message/${notification.type}`
    : `${typeId}/${notification.notificationType}`;
}

export function findHandler(notification: Notification): Handler | undefined {
  const key = routeKey(notification);
  if (notification.notificationType !== 'Message') return changeRoutes[key];
  const handler = messageRoutes[key];
  return handler ? (message, context) => handler(message as typeof notification, context) : undefined;
}
