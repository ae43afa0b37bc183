import type { ChangeSubscription, MessageSubscription } from '@commercetools/platform-sdk';
import type { EventSettings, TrackEventKey } from '../../events';

/**
 * What to subscribe to, derived from the deployment's event settings, so a disabled event costs
 * no notifications and alternative routes to one event are never subscribed to twice.
 */
export interface SubscriptionTopics {
  changes: ChangeSubscription[];
  messages: MessageSubscription[];
}

/** A change subscription to one resource type, or a message subscription to some of its messages. */
type Topic =
  { kind: 'changes'; resourceType: string } | { kind: 'messages'; resourceType: string; types: readonly string[] };

const on = (events: EventSettings, key: TrackEventKey): boolean => events.track[key] !== undefined;

/**
 * Which topic each setting needs. commercetools cannot narrow a change subscription to one change
 * type, so customer changes bring creations, updates and deletions alike. Order changes include
 * ResourceCreated, which also yields Order Completed, so the OrderCreated message is only needed
 * when Order Updated is off (it carries the order, so it needs no read). Refunds and failed
 * payments are found on the payment, whose transactions change without any order message.
 */
const TOPIC_RULES: ReadonlyArray<{ topic: Topic; when: (events: EventSettings) => boolean }> = [
  {
    topic: { kind: 'changes', resourceType: 'customer' },
    when: (e) => e.identifyCustomers || on(e, 'signedUp') || e.deleteUsers,
  },
  { topic: { kind: 'changes', resourceType: 'order' }, when: (e) => on(e, 'orderUpdated') },
  {
    topic: { kind: 'messages', resourceType: 'order', types: ['OrderCreated'] },
    when: (e) => !on(e, 'orderUpdated') && on(e, 'orderCompleted'),
  },
  {
    topic: { kind: 'messages', resourceType: 'order', types: ['OrderStateChanged'] },
    when: (e) => on(e, 'orderCancelled'),
  },
  {
    topic: { kind: 'messages', resourceType: 'order', types: ['OrderPaymentStateChanged'] },
    when: (e) => on(e, 'orderPaid'),
  },
  {
    topic: { kind: 'messages', resourceType: 'order', types: ['OrderShipmentStateChanged'] },
    when: (e) => on(e, 'orderShipped') || on(e, 'orderDelivered'),
  },
  {
    topic: { kind: 'messages', resourceType: 'order', types: ['OrderCustomerSet'] },
    when: (e) => e.orderCustomerSet,
  },
  {
    topic: {
      kind: 'messages',
      resourceType: 'payment',
      types: ['PaymentTransactionAdded', 'PaymentTransactionStateChanged'],
    },
    when: (e) => on(e, 'orderRefunded') || on(e, 'paymentFailed'),
  },
  { topic: { kind: 'changes', resourceType: 'business-unit' }, when: (e) => e.groupBusinessUnits },
  {
    topic: { kind: 'messages', resourceType: 'business-unit', types: ['BusinessUnitAssociateAdded'] },
    when: (e) => on(e, 'accountAddedUser'),
  },
  {
    topic: { kind: 'messages', resourceType: 'business-unit', types: ['BusinessUnitAssociateRemoved'] },
    when: (e) => on(e, 'accountRemovedUser'),
  },
  {
    topic: { kind: 'messages', resourceType: 'quote-request', types: ['QuoteRequestCreated'] },
    when: (e) => on(e, 'quoteRequested'),
  },
  {
    topic: { kind: 'messages', resourceType: 'quote', types: ['QuoteStateChanged'] },
    when: (e) => on(e, 'quoteAccepted') || on(e, 'quoteDeclined'),
  },
];

/**
 * The topics the enabled events need: one change subscription per resource type and one message
 * subscription per resource type with its message types. Sorted and deduplicated, so the result
 * compares equal across deploys. Empty when nothing is enabled, which commercetools would refuse.
 */
export function subscriptionTopics(events: EventSettings): SubscriptionTopics {
  const changeTypes = new Set<string>();
  const messageTypes = new Map<string, Set<string>>();
  for (const { topic, when } of TOPIC_RULES) {
    if (!when(events)) continue;
    if (topic.kind === 'changes') {
      changeTypes.add(topic.resourceType);
    } else {
      const types = messageTypes.get(topic.resourceType) ?? new Set<string>();
      for (const type of topic.types) types.add(type);
      messageTypes.set(topic.resourceType, types);
    }
  }
  return {
    changes: [...changeTypes].sort().map((resourceTypeId) => ({ resourceTypeId })),
    messages: [...messageTypes.keys()].sort().map((resourceTypeId) => ({
      resourceTypeId,
      types: [...(messageTypes.get(resourceTypeId) ?? [])].sort(),
    })),
  };
}

/** A one-line description of topics, for deploy logs: `changes customer, order; messages order (…)`. */
export function describeTopics(topics: SubscriptionTopics): string {
  const changes = topics.changes.map((change) => change.resourceTypeId).join(', ');
  const messages = topics.messages
    .map((message) => `${message.resourceTypeId} (${(message.types ?? []).join(', ')})`)
    .join(', ');
  return [changes && `changes ${changes}`, messages && `messages ${messages}`].filter(Boolean).join('; ');
}
