import type { Order } from '@commercetools/platform-sdk';
import type { IdentifyCall } from '../segment/calls';
import { readConsent } from './consent';
import { browserAnonymousId } from './identity';
import { orderMessageId, orderStores } from './order-track';
import { callContext, readTracking } from './tracking';
import type { MappingOptions, MappingResult, Occurrence } from './types';

/**
 * The anonymousId a guest order's events were sent under, when joining it to a customer joins this
 * order's guest history and nothing else: the browser's (the tracking field's, else the order's
 * own), or the order id when that was the fallback. Not the email hash: it stands for every guest
 * order with that email, and the customer was assigned this one.
 */
export function guestAnonymousId(order: Order, options: MappingOptions): string | undefined {
  const browser = browserAnonymousId(order, readTracking(order.custom, options.tracking));
  if (browser) return browser;
  return options.anonymousIdFallback === 'order-id' ? order.id : undefined;
}

/**
 * A guest order assigned to a customer (OrderCustomerSet): an identify of the customer together
 * with the guest's anonymousId, so Segment joins the guest's history (the order's Order Completed,
 * the browser's visits) to the customer. Its traits are the customer's own business: they come
 * with the customer's identify. The order's consent goes with it. Nothing to join without an
 * anonymousId (`no-event`).
 */
export function buildOrderCustomerSet(
  order: Order,
  options: MappingOptions,
  { customerId, occurrence }: { customerId: string; occurrence: Occurrence },
): MappingResult {
  const consent = readConsent(order.custom, options.consentFieldName);
  if (consent.kind === 'invalid') return { kind: 'skip', reason: 'invalid-consent' };
  const anonymousId = guestAnonymousId(order, options);
  if (!anonymousId) return { kind: 'skip', reason: 'no-event' };
  const identify: IdentifyCall = {
    type: 'identify',
    userId: customerId,
    anonymousId,
    traits: {},
    timestamp: occurrence.timestamp,
    messageId: orderMessageId(order, options, { event: 'order-customer-set', discriminator: occurrence.discriminator }),
    ...callContext({}, consent.kind === 'valid' ? { consent: consent.consent } : {}),
    ...orderStores(order),
  };
  return { kind: 'calls', calls: [identify] };
}
