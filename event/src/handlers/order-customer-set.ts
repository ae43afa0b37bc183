import { buildOrderCustomerSet } from '../mapping/order-customer-set';
import { skipped, withDetail } from '../outcome';
import { readMessage, type MessageFields } from '../transport/messages';
import { proveMessage } from './proof';
import { sendCalls, type MessageHandler } from './types';

/** A guest order gets its first customer: the message names the new one and no old one. */
const guestAssigned = (fields: MessageFields<'OrderCustomerSet'>): string | undefined =>
  fields.oldCustomer ? undefined : fields.customer?.id;

/**
 * OrderCustomerSet → an identify of the new customer with the guest's anonymousId
 * (EVENT_ORDER_CUSTOMER_SET). Only a guest order's first customer: an order moved from one
 * customer to another would join the first customer's browser to the second, and a removed
 * customer joins nobody. A claim that asks for nothing costs no read.
 *
 * The message is proven like every message (see proof.ts) and keyed by its id. In a project
 * without messages the order must have the claimed customer now (the event is keyed by the order
 * and the customer, dated by the order); that the order had no customer before is then the
 * sender's word, and what it can do is limited to joining the order's own browser to the customer
 * commercetools now says placed the order.
 */
export const handleOrderCustomerSet: MessageHandler = async (notification, context) => {
  if (!context.events.orderCustomerSet) return skipped('disabled');
  if (!guestAssigned(readMessage(notification, 'OrderCustomerSet'))) return skipped('no-event');
  const proven = await proveMessage(notification, 'OrderCustomerSet', context);
  if (!proven) return skipped('unproven');
  const detail = { source: 'read', proof: proven.kind } as const;
  const customerId = guestAssigned(proven.kind === 'state' ? proven.claim : proven.fields);
  if (!customerId) return withDetail(detail, skipped('no-event'));
  const order = await context.commercetools.getOrder(notification.resource.id, context.signal);
  if (!order) return withDetail(detail, skipped('not-found'));
  if (proven.kind === 'state' && order.customerId !== customerId) return withDetail(detail, skipped('unproven'));
  const occurrence =
    proven.kind === 'state'
      ? { discriminator: `customer-${customerId}`, timestamp: order.lastModifiedAt }
      : { discriminator: proven.id, timestamp: proven.createdAt };
  return withDetail(
    detail,
    await sendCalls(buildOrderCustomerSet(order, context.mapping, { customerId, occurrence }), context),
  );
};
