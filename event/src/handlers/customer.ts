import type { Customer } from '@commercetools/platform-sdk';
import { buildCustomerIdentify, buildSignedUp } from '../mapping/customer';
import { combineResults, type MappingResult } from '../mapping/types';
import { skipped, withDetail, withSource } from '../outcome';
import { embeddedCustomer } from '../transport/messages';
import type { ChangeNotification } from '../transport/notification';
import { proveCustomerDeletion, proveMessage } from './proof';
import { enabledEvent, sendCalls, type Handler, type MessageHandler, type PlanContext } from './types';

/** Plans a new customer's calls; undefined when every call it could make is switched off. */
export type NewCustomerPlanner = (customer: Customer) => MappingResult;

/**
 * The calls for a new customer in hand: identify, then Signed Up, each when enabled. Sends
 * nothing: the live path sends them, the tools (backfill, preview) reuse them. Undefined when
 * both are off: the one place that decides a new customer is `disabled`.
 */
export function newCustomerPlanner(context: PlanContext): NewCustomerPlanner | undefined {
  const { identifyCustomers } = context.events;
  const signedUp = enabledEvent(context, 'signedUp');
  if (!identifyCustomers && !signedUp) return undefined;
  const none: MappingResult = { kind: 'calls', calls: [] };
  return (customer) =>
    combineResults(
      identifyCustomers ? buildCustomerIdentify(customer, context.mapping) : none,
      signedUp ? buildSignedUp(customer, context.mapping, signedUp) : none,
    );
}

/** customer ResourceCreated change → identify + Signed Up, from the customer as it is now. */
export const handleCustomerCreated: Handler = async (notification, context) => {
  const plan = newCustomerPlanner(context);
  if (!plan) return skipped('disabled');
  const customer = await context.commercetools.getCustomer(notification.resource.id, context.signal);
  if (!customer) return skipped('not-found');
  return withSource('read', await sendCalls(plan(customer), context));
};

/**
 * CustomerCreated message → the same calls: from the customer the proven message carries (an
 * authenticated delivery, or the message as commercetools' Messages API holds it), otherwise from
 * the customer commercetools holds.
 */
export const handleCustomerCreatedMessage: MessageHandler = async (notification, context) => {
  const plan = newCustomerPlanner(context);
  if (!plan) return skipped('disabled');
  const proven = await proveMessage(notification, 'CustomerCreated', context);
  if (!proven) return skipped('unproven');
  const carried = proven.kind === 'state' ? undefined : embeddedCustomer(proven.fields);
  if (carried) return withDetail({ source: 'carried', proof: proven.kind }, await sendCalls(plan(carried), context));
  const customer = await context.commercetools.getCustomer(notification.resource.id, context.signal);
  if (!customer) return withDetail({ source: 'read', proof: proven.kind }, skipped('not-found'));
  return withDetail({ source: 'read', proof: proven.kind }, await sendCalls(plan(customer), context));
};

/** customer ResourceUpdated change → identify, from the customer as it is now. */
export const handleCustomerUpdated: Handler = async (notification, context) => {
  if (!context.events.identifyCustomers) return skipped('disabled');
  const customer = await context.commercetools.getCustomer(notification.resource.id, context.signal);
  if (!customer) return skipped('not-found');
  return withSource('read', await sendCalls(buildCustomerIdentify(customer, context.mapping), context));
};

/**
 * customer ResourceDeleted change → ask Segment to suppress and delete the user. Deleting is
 * irreversible, and anyone can post a notification: the deletion is requested only when it is
 * proven (see proof.ts: an authenticated delivery, or the customer's CustomerDeleted message in the
 * Messages API). An authenticated delivery is checked against commercetools too: a customer it
 * still holds is not deleted (a stale or misrouted delivery). Without a Public API token this is
 * only logged (as a warning), since nothing could ever make it succeed.
 */
export const handleCustomerDeleted: Handler = async (notification, context) => {
  if (!context.events.deleteUsers) return skipped('disabled');
  if (!context.regulations.configured) return skipped('no-public-api-token');
  const deletion = await proveCustomerDeletion(notification as ChangeNotification, context);
  if (deletion.kind === 'unproven') return deletion.outcome;
  const detail = { source: 'read', proof: deletion.by } as const;
  if (deletion.by === 'delivery') {
    const existing = await context.commercetools.getCustomer(notification.resource.id, context.signal);
    if (existing) return withDetail(detail, skipped('customer-exists'));
  }
  const result = await context.regulations.requestDeletion(notification.resource.id, context.signal);
  return withDetail(detail, result === 'requested' ? { kind: 'deletion-requested' } : skipped('deletion-refused'));
};
