/**
 * The Segment track events the connector can send, each switchable and renamable through its own
 * environment variable (the value is the Segment event name, or `off`). The key is what the code
 * uses; the slug is part of the event's messageId and never changes when the event is renamed,
 * so renaming an event does not make redeliveries look new to Segment.
 */
export const TRACK_EVENTS = {
  orderCompleted: { variable: 'EVENT_ORDER_COMPLETED', defaultName: 'Order Completed', slug: 'order-completed' },
  orderUpdated: { variable: 'EVENT_ORDER_UPDATED', defaultName: 'Order Updated', slug: 'order-updated' },
  orderCancelled: { variable: 'EVENT_ORDER_CANCELLED', defaultName: 'Order Cancelled', slug: 'order-cancelled' },
  orderPaid: { variable: 'EVENT_ORDER_PAID', defaultName: 'Order Paid', slug: 'order-paid' },
  orderShipped: { variable: 'EVENT_ORDER_SHIPPED', defaultName: 'Order Shipped', slug: 'order-shipped' },
  orderDelivered: { variable: 'EVENT_ORDER_DELIVERED', defaultName: 'Order Delivered', slug: 'order-delivered' },
  orderRefunded: { variable: 'EVENT_ORDER_REFUNDED', defaultName: 'Order Refunded', slug: 'order-refunded' },
  paymentFailed: { variable: 'EVENT_PAYMENT_FAILED', defaultName: 'Payment Failed', slug: 'payment-failed' },
  signedUp: { variable: 'EVENT_SIGNED_UP', defaultName: 'Signed Up', slug: 'signed-up' },
  accountAddedUser: {
    variable: 'EVENT_ACCOUNT_ADDED_USER',
    defaultName: 'Account Added User',
    slug: 'account-added-user',
  },
  accountRemovedUser: {
    variable: 'EVENT_ACCOUNT_REMOVED_USER',
    defaultName: 'Account Removed User',
    slug: 'account-removed-user',
  },
  quoteRequested: { variable: 'EVENT_QUOTE_REQUESTED', defaultName: 'Quote Requested', slug: 'quote-requested' },
  quoteAccepted: { variable: 'EVENT_QUOTE_ACCEPTED', defaultName: 'Quote Accepted', slug: 'quote-accepted' },
  quoteDeclined: { variable: 'EVENT_QUOTE_DECLINED', defaultName: 'Quote Declined', slug: 'quote-declined' },
} as const;

export type TrackEventKey = keyof typeof TRACK_EVENTS;

export const TRACK_EVENT_KEYS = Object.keys(TRACK_EVENTS) as TrackEventKey[];

/** A track event as configured: its Segment name, and the stable slug of its messageIds. */
export interface TrackEventSpec {
  key: TrackEventKey;
  name: string;
  slug: string;
}

/** What the deployment sends: the enabled track events (disabled ones are absent) and the switches. */
export interface EventSettings {
  track: Partial<Record<TrackEventKey, TrackEventSpec>>;
  /** identify customers on customer creation and update. */
  identifyCustomers: boolean;
  /** Ask Segment to suppress and delete a customer's data when the customer is deleted. */
  deleteUsers: boolean;
  /** Send a Segment `group` call per associate of each business unit created or changed. */
  groupBusinessUnits: boolean;
  /**
   * When a guest order is assigned to a customer (OrderCustomerSet), identify the customer with
   * the anonymousId of the guest's events, so the guest's history joins the customer
   * (EVENT_ORDER_CUSTOMER_SET).
   */
  orderCustomerSet: boolean;
}

/** Every event on with its default name: what a deployment without event settings sends. */
export const DEFAULT_EVENT_SETTINGS: EventSettings = {
  track: Object.fromEntries(
    TRACK_EVENT_KEYS.map((key) => [key, { key, name: TRACK_EVENTS[key].defaultName, slug: TRACK_EVENTS[key].slug }]),
  ),
  identifyCustomers: true,
  deleteUsers: true,
  groupBusinessUnits: true,
  orderCustomerSet: true,
};

/** How an order without customerId or anonymousId is identified in Segment. */
export type AnonymousIdFallback = 'email-hash' | 'order-id' | 'none';
