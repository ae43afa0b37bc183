import taxExcludedOrder from '../../fixtures/orders/order-tax-excluded.json';
import { buildMessageId } from '../../../src/mapping/message-id';
import { PROJECT_KEY } from '../environment';

/** The tax-excluded order under another id, in the states given, last changed on a day of its own. */
const order = (n: number, states: { orderState?: string; paymentState?: string; shipmentState?: string } = {}) => ({
  ...taxExcludedOrder,
  id: `c1a1c1a1-0000-4000-8000-${String(n).padStart(12, '0')}`,
  lastModifiedAt: `2026-03-2${n % 10}T12:00:00.000Z`,
  ...states,
});

/** Orders in the states a claim can be checked against, in a project without messages. */
export const OPEN = order(1);
export const CANCELLED = order(2, { orderState: 'Cancelled' });
export const DELIVERED = order(3, { shipmentState: 'Delivered' });
export const BALANCE_DUE = order(4, { paymentState: 'BalanceDue' });

/** The messageId of an order event of this slug, for this occurrence. */
export const orderEventId = (orderId: string, slug: string, discriminator: string) =>
  buildMessageId({ projectKey: PROJECT_KEY, typeId: 'order', resourceId: orderId, event: slug, discriminator });
