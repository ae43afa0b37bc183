/** Pure comparison of the subscription commercetools stores with the one this deployment wants. */
import type {
  ChangeSubscription,
  Destination,
  MessageSubscription,
  Subscription,
  SubscriptionUpdateAction,
} from '@commercetools/platform-sdk';
import type { SubscriptionTopics } from './topics';

/**
 * One subscription per deployment, found again by this key on every deploy. Changing it would
 * leave the old subscription behind, delivering every notification twice.
 */
export const SUBSCRIPTION_KEY = 'segment-connector-subscription';

export interface SubscriptionSpec extends SubscriptionTopics {
  key: string;
  destination: Destination;
}

function sameDestination(stored: Destination, wanted: Destination): boolean {
  // Only the fields we set are compared: commercetools may add read-only ones to what it returns.
  // An Azure connection string comes back with its SharedAccessKey partly hidden, so it never
  // compares equal and an Azure destination is re-sent on every deploy; that is harmless and is
  // the only way a rotated key reaches commercetools.
  const storedFields = stored as unknown as Record<string, unknown>;
  return Object.entries(wanted).every(([field, value]) => storedFields[field] === value);
}

function canonicalChanges(changes: readonly ChangeSubscription[] | undefined): string {
  return JSON.stringify([...new Set((changes ?? []).map((change) => change.resourceTypeId))].sort());
}

function canonicalMessages(messages: readonly MessageSubscription[] | undefined): string {
  return JSON.stringify(
    [...(messages ?? [])]
      .map((message) => ({
        resourceTypeId: message.resourceTypeId,
        // No `types` means "every message of this resource": different from any explicit list.
        types: message.types ? [...new Set(message.types)].sort() : null,
      }))
      .sort((a, b) => a.resourceTypeId.localeCompare(b.resourceTypeId)),
  );
}

/**
 * The update actions that turn the stored subscription into the wanted one; empty when they
 * already match. Actions that empty a list come last, because commercetools rejects a state with
 * neither changes nor messages even between actions.
 */
export function planSubscriptionUpdate(stored: Subscription, wanted: SubscriptionSpec): SubscriptionUpdateAction[] {
  const actions: SubscriptionUpdateAction[] = [];
  if (!sameDestination(stored.destination, wanted.destination)) {
    actions.push({ action: 'changeDestination', destination: wanted.destination });
  }
  const lists: SubscriptionUpdateAction[] = [];
  if (canonicalChanges(stored.changes) !== canonicalChanges(wanted.changes)) {
    lists.push(
      wanted.changes.length > 0 ? { action: 'setChanges', changes: wanted.changes } : { action: 'setChanges' },
    );
  }
  if (canonicalMessages(stored.messages) !== canonicalMessages(wanted.messages)) {
    lists.push(
      wanted.messages.length > 0 ? { action: 'setMessages', messages: wanted.messages } : { action: 'setMessages' },
    );
  }
  const empties = (action: SubscriptionUpdateAction) =>
    (action.action === 'setChanges' && !action.changes) || (action.action === 'setMessages' && !action.messages);
  return [...actions, ...lists.filter((action) => !empties(action)), ...lists.filter(empties)];
}
