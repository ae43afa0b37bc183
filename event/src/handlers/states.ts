import type { Order } from '@commercetools/platform-sdk';

/**
 * When a project keeps no messages, a claim that a resource reached a state is proven by the state
 * it is in now: at the claimed state or beyond it. "Beyond" only where commercetools' states are
 * steps of one road: a delivered order was shipped, an order in credit was paid. A cancelled
 * order proves only its cancellation.
 */
const ORDER_STATES_AT_OR_BEYOND: Readonly<Record<string, readonly string[]>> = {
  Cancelled: ['Cancelled'],
};

const PAYMENT_STATES_AT_OR_BEYOND: Readonly<Record<string, readonly string[]>> = {
  // CreditOwed: more was paid than the order now costs.
  Paid: ['Paid', 'CreditOwed'],
};

const SHIPMENT_STATES_AT_OR_BEYOND: Readonly<Record<string, readonly string[]>> = {
  Shipped: ['Shipped', 'Delivered'],
  Delivered: ['Delivered'],
};

export type OrderStateMessage = 'OrderStateChanged' | 'OrderPaymentStateChanged' | 'OrderShipmentStateChanged';

/** Whether the order as commercetools holds it is at or beyond the state a message claims. */
export function orderReached(order: Order, type: OrderStateMessage, claimed: string): boolean {
  switch (type) {
    case 'OrderStateChanged':
      return ORDER_STATES_AT_OR_BEYOND[claimed]?.includes(order.orderState) ?? false;
    case 'OrderPaymentStateChanged':
      return (
        order.paymentState !== undefined &&
        (PAYMENT_STATES_AT_OR_BEYOND[claimed]?.includes(order.paymentState) ?? false)
      );
    case 'OrderShipmentStateChanged':
      return (
        order.shipmentState !== undefined &&
        (SHIPMENT_STATES_AT_OR_BEYOND[claimed]?.includes(order.shipmentState) ?? false)
      );
  }
}

/**
 * The messageId discriminator of an event proven by state: the state reached, never the sender's
 * message id, so forged copies under other ids collapse into one event.
 */
export const reachedState = (state: string): string => `reached-${state}`;
