import type { BusinessUnit } from '@commercetools/platform-sdk';
import {
  accountUserOf,
  buildAccountUserEvent,
  buildBusinessUnitGroups,
  type AccountUser,
} from '../mapping/business-unit';
import type { MappingResult } from '../mapping/types';
import { readMessage } from '../transport/messages';
import type { MessageNotification } from '../transport/notification';
import {
  deliver,
  enabledEvent,
  from,
  skipped,
  type Handler,
  type HandlerContext,
  type MessageHandler,
  type PlanContext,
} from './types';

/** The group calls of a unit in hand (the live path and backfill); undefined when GROUP_BUSINESS_UNITS is off. */
export function businessUnitPlanner(context: PlanContext): ((unit: BusinessUnit) => MappingResult) | undefined {
  if (!context.events.groupBusinessUnits) return undefined;
  return (unit) => buildBusinessUnitGroups(unit, context.mapping);
}

/** business-unit ResourceCreated / ResourceUpdated change → one `group` call per associate, from the unit as it is now. */
export const handleBusinessUnitChanged: Handler = async (notification, context) => {
  const plan = businessUnitPlanner(context);
  if (!plan) return skipped('disabled');
  const unit = await context.commercetools.getBusinessUnit(notification.resource.id, context.signal);
  if (!unit) return skipped('not-found');
  return from('read', await deliver(plan(unit), context));
};

type AssociateMessage = 'BusinessUnitAssociateAdded' | 'BusinessUnitAssociateRemoved';

/**
 * An associate added to or removed from a unit → Account Added User / Account Removed User. The
 * unit is read for its key and stores. The associate a message carries is believed only from an
 * authenticated delivery; otherwise the unit must show the change: the customer is now an
 * associate (added) or no longer one (removed, and the roles it had are then unknown).
 */
function associateHandler(type: AssociateMessage): MessageHandler {
  const key = type === 'BusinessUnitAssociateAdded' ? 'accountAddedUser' : 'accountRemovedUser';
  return async (notification: MessageNotification, context: HandlerContext) => {
    const { associate: carried } = readMessage(notification, type);
    const event = enabledEvent(context, key);
    if (!event) return skipped('disabled');
    const unit = await context.commercetools.getBusinessUnit(notification.resource.id, context.signal);
    if (!unit) return from('read', skipped('not-found'));
    const current = unit.associates.find((associate) => associate.customer.id === carried.customer.id);
    let user: AccountUser = accountUserOf(carried);
    if (!context.trusted) {
      const holds = type === 'BusinessUnitAssociateAdded' ? current !== undefined : current === undefined;
      if (!holds) return from('read', skipped('not-found'));
      user = current ? accountUserOf(current) : { customerId: carried.customer.id };
    }
    const occurrence = { discriminator: notification.id, timestamp: notification.createdAt };
    return from(
      context.trusted ? 'carried' : 'read',
      await deliver(buildAccountUserEvent(unit, user, context.mapping, event, occurrence), context),
    );
  };
}

export const handleBusinessUnitAssociateAdded = associateHandler('BusinessUnitAssociateAdded');
export const handleBusinessUnitAssociateRemoved = associateHandler('BusinessUnitAssociateRemoved');
