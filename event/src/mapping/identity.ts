import { createHash } from 'node:crypto';
import type { Order } from '@commercetools/platform-sdk';
import type { AnonymousIdFallback } from '../events';

/**
 * Who a call is about in Segment: a registered customer (`userId`, with the browser's
 * `anonymousId` when known, as Segment's spec allows, so Segment merges the browser's anonymous
 * history into the customer), or an anonymous visitor.
 */
export type Identity = { userId: string; anonymousId?: string } | { userId?: never; anonymousId: string };

/** The call's identity fields: `userId` and `anonymousId`, each when known. */
export const identityFields = (identity: Identity): { userId?: string; anonymousId?: string } =>
  identity.userId !== undefined
    ? { userId: identity.userId, ...(identity.anonymousId !== undefined ? { anonymousId: identity.anonymousId } : {}) }
    : { anonymousId: identity.anonymousId };

/**
 * Who an order belongs to in Segment: the customer when there is one, else the storefront's
 * anonymous visitor. The visitor is the browser's Segment anonymousId from the tracking fields
 * (`tracked`), else the order's own `anonymousId`.
 *
 * The tracking field wins for guests too. commercetools' `anonymousId` is the id of the storefront's
 * commercetools session, which joins a browser's Segment history only when the storefront happens
 * to use the same id for both; the tracking field is, by definition, the id analytics.js gave the
 * browser. messageIds do not depend on identity (see message-id.ts), so this choice cannot make a
 * redelivery look new; and since commercetools copies the cart's fields to the order once, at
 * checkout, every event of an order carries the same anonymousId.
 *
 * An order with neither (imported, created by an agent or a backend) gets the configured
 * fallback, so its events are not lost:
 * - `email-hash`: a SHA-256 of the trimmed, lower-cased email; one guest's orders share it, and
 *   the email itself never becomes an identifier;
 * - `order-id`: the order id, one anonymous visitor per order;
 * - `none`: no identity, and the order is skipped.
 */
export function orderIdentity(
  order: Order,
  fallback: AnonymousIdFallback = 'none',
  tracked: { anonymousId?: string } = {},
): Identity | undefined {
  const browser = tracked.anonymousId ?? present(order.anonymousId);
  if (order.customerId)
    return browser ? { userId: order.customerId, anonymousId: browser } : { userId: order.customerId };
  if (browser) return { anonymousId: browser };
  switch (fallback) {
    case 'email-hash': {
      const email = order.customerEmail?.trim().toLowerCase();
      return email ? { anonymousId: createHash('sha256').update(email).digest('hex') } : undefined;
    }
    case 'order-id':
      return { anonymousId: order.id };
    case 'none':
      return undefined;
  }
}

/**
 * The browser an order was placed from, as far as Segment knows it: the tracking field's
 * anonymousId, else the order's own. The fallbacks are not browsers: an email hash stands for
 * every guest order with that email, and an order id for no browser at all.
 */
export function browserAnonymousId(order: Order, tracked: { anonymousId?: string } = {}): string | undefined {
  return tracked.anonymousId ?? present(order.anonymousId);
}

function present(text: string | undefined): string | undefined {
  return text !== undefined && text.trim() !== '' ? text : undefined;
}
