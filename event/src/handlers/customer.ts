import { buildCustomerIdentify } from '../mapping/customer';
import { deliver, skipped, type Handler } from './types';

/** customer created or updated → identify, from the customer as it is now. */
export const handleCustomerChange: Handler = async (notification, context) => {
  const customer = await context.commercetools.getCustomer(notification.resource.id);
  if (!customer) return skipped('not-found');
  return deliver(buildCustomerIdentify(customer, context.mapping), context);
};
