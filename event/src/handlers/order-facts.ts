import type { Order } from '@commercetools/platform-sdk';
import { needsGuestEmailLookup } from '../mapping/order';
import type { OrderFacts } from '../mapping/types';
import type { PlanContext } from './types';

/**
 * What an order's events need to know beyond the order: whether a guest's email belongs to a
 * registered customer (see OrderFacts). commercetools is asked once per notification, and only
 * when an event would carry the email: the guest identify of Order Completed (`identify`), or
 * `context.traits.email` with EMAIL_IN_EVENTS on. A registered customer's order costs nothing.
 */
export async function orderFacts(
  order: Order,
  context: PlanContext,
  { identify = false }: { identify?: boolean } = {},
): Promise<OrderFacts> {
  const { mapping } = context;
  if (!identify && !mapping.emailInEvents) return {};
  if (!order.customerEmail || !needsGuestEmailLookup(order, mapping.anonymousIdFallback, mapping.tracking)) return {};
  return { guestEmailRegistered: await context.commercetools.isEmailRegistered(order.customerEmail, context.signal) };
}
