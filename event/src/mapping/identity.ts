import { createHash } from 'node:crypto';
import type { Order } from '@commercetools/platform-sdk';
import type { AnonymousIdFallback } from '../events';

export type Identity = { userId: string } | { anonymousId: string };

/**
 * Who an order belongs to in Segment: the customer when there is one, else the storefront's
 * anonymous visitor. An order with neither (imported, created by an agent or a backend) gets
 * the configured fallback, so its events are not lost:
 * - `email-hash`: a SHA-256 of the trimmed, lower-cased email; one guest's orders share it, and
 *   the email itself never becomes an identifier;
 * - `order-id`: the order id, one anonymous visitor per order;
 * - `none`: no identity, and the order is skipped.
 */
export function orderIdentity(order: Order, fallback: AnonymousIdFallback = 'none'): Identity | undefined {
  if (order.customerId) return { userId: order.customerId };
  if (order.anonymousId) return { anonymousId: order.anonymousId };
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
