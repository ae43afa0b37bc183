import type { Order } from '@commercetools/platform-sdk';
import { needsGuestEmailLookup } from '../mapping/order';
import type { MappingOptions, OrderFacts } from '../mapping/types';
import { mappingFor, type PlanContext } from './types';

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

/**
 * The options an order's events are mapped with: the deployment's, its products' categories and
 * the facts above. The two reads they may cost go out side by side. An event without products
 * (Payment Failed) says so, and reads no categories.
 */
export async function orderOptions(
  order: Order,
  context: PlanContext,
  { identify = false, products = true }: { identify?: boolean; products?: boolean } = {},
): Promise<MappingOptions & OrderFacts> {
  const [mapping, known] = await Promise.all([
    products ? mappingFor(context, order.lineItems) : context.mapping,
    orderFacts(order, context, { identify }),
  ]);
  return { ...mapping, ...known };
}
