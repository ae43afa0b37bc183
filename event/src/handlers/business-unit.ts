import type { BusinessUnit } from '@commercetools/platform-sdk';
import {
  accountUserOf,
  buildAccountUserEvent,
  buildBusinessUnitGroups,
  type AccountUser,
} from '../mapping/business-unit';
import type { MappingResult, Occurrence } from '../mapping/types';
import { skipped, withDetail, withSource } from '../outcome';
import { readMessage } from '../transport/messages';
import type { MessageNotification } from '../transport/notification';
import { proveMessage } from './proof';
import {
  enabledEvent,
  sendCalls,
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
  return withSource('read', await sendCalls(plan(unit), context));
};

type AssociateMessage = 'BusinessUnitAssociateAdded' | 'BusinessUnitAssociateRemoved';

/**
 * An associate added to or removed from a unit → Account Added User / Account Removed User. The
 * unit is read for its key and stores. The associate is taken from the proven message (see
 * proof.ts); in a project without messages, the unit must show the change: the customer is now an
 * associate (added) or no longer one (removed, and the roles it had are then unknown), and the
 * event is keyed by the unit, the customer and the change. A removal must name a customer
 * commercetools holds: whatever reaches Segment as a userId is a customer id commercetools knows.
 */
function associateHandler(type: AssociateMessage): MessageHandler {
  const added = type === 'BusinessUnitAssociateAdded';
  const key = added ? 'accountAddedUser' : 'accountRemovedUser';
  return async (notification: MessageNotification, context: HandlerContext) => {
    readMessage(notification, type);
    const event = enabledEvent(context, key);
    if (!event) return skipped('disabled');
    const proven = await proveMessage(notification, type, context);
    if (!proven) return skipped('unproven');
    const { associate } = proven.kind === 'state' ? proven.claim : proven.fields;
    const customerId = associate.customer.id;
    const detail = { source: proven.kind === 'delivery' ? 'carried' : 'read', proof: proven.kind } as const;
    const unit = await context.commercetools.getBusinessUnit(notification.resource.id, context.signal);
    if (!unit) return withDetail(detail, skipped('not-found'));
    let user: AccountUser;
    let occurrence: Occurrence;
    if (proven.kind === 'state') {
      const current = unit.associates.find((candidate) => candidate.customer.id === customerId);
      if (added ? current === undefined : current !== undefined) return withDetail(detail, skipped('unproven'));
      user = current ? accountUserOf(current) : { customerId };
      occurrence = { discriminator: `${added ? 'added' : 'removed'}-${customerId}`, timestamp: unit.lastModifiedAt };
    } else {
      user = accountUserOf(associate);
      occurrence = { discriminator: proven.id, timestamp: proven.createdAt };
    }
    // A removal must name a customer commercetools holds; once read, the event is theirs (email, context).
    const customer = added ? undefined : await context.commercetools.getCustomer(customerId, context.signal);
    if (!added && !customer) return withDetail(detail, skipped('not-found'));
    return withDetail(
      detail,
      await sendCalls(
        buildAccountUserEvent(unit, context.mapping, { user, event, occurrence, ...(customer ? { customer } : {}) }),
        context,
      ),
    );
  };
}

export const handleBusinessUnitAssociateAdded = associateHandler('BusinessUnitAssociateAdded');
export const handleBusinessUnitAssociateRemoved = associateHandler('BusinessUnitAssociateRemoved');
