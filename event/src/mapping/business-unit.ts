import type { Associate, BusinessUnit, Customer } from '@commercetools/platform-sdk';
import type { GroupCall, JsonObject, TrackCall } from '../segment/calls';
import { contactAddress, customerEmail, customerPerson, postalAddress } from './customer';
import { identityFields } from './identity';
import { buildMessageId } from './message-id';
import { callContext } from './tracking';
import { compact, inStores, type EventOccurrence, type MappingOptions, type MappingResult } from './types';

/**
 * Business units as Segment's B2B spec sees them: an account (`group`) whose users are the unit's
 * associates. The group id is the unit's key, which commercetools guarantees and people read.
 */

/** The unit's traits: who it is, where, and where it sits in the hierarchy. */
function unitTraits(unit: BusinessUnit): JsonObject {
  const address = contactAddress(unit);
  return compact({
    name: unit.name,
    email: unit.contactEmail,
    address: address ? postalAddress(address) : undefined,
    createdAt: unit.createdAt,
    unit_type: unit.unitType,
    status: unit.status,
    parent_unit: unit.parentUnit?.key,
    top_level_unit: unit.topLevelUnit?.key,
    stores: unit.stores && unit.stores.length > 0 ? unit.stores.map((store) => store.key) : undefined,
  });
}

const unitStores = (unit: BusinessUnit) => inStores(unit.stores?.map((store) => store.key));

/**
 * One `group` call per associate of the unit as it is now. The messageId names the unit's
 * version and the associate, so a redelivery repeats the same calls and every change makes new
 * ones. A unit without associates has nobody to group.
 */
export function buildBusinessUnitGroups(unit: BusinessUnit, options: MappingOptions): MappingResult {
  if (unit.associates.length === 0) return { kind: 'skip', reason: 'no-associates' };
  const traits = unitTraits(unit);
  const calls = unit.associates.map((associate): GroupCall => ({
    type: 'group',
    userId: associate.customer.id,
    groupId: unit.key,
    traits,
    timestamp: unit.lastModifiedAt,
    messageId: buildMessageId({
      projectKey: options.projectKey,
      typeId: 'business-unit',
      resourceId: unit.id,
      event: 'group',
      discriminator: `${unit.version}|${associate.customer.id}`,
    }),
    ...unitStores(unit),
  }));
  return { kind: 'calls', calls };
}

/**
 * Account Added User / Account Removed User (Segment's B2B names) for one associate of the unit:
 * that user, in the unit's group, with the associate's role keys when they are known.
 */
/** An associate as a message or a unit names it: the customer, and the role keys when known. */
export interface AccountUser {
  customerId: string;
  roles?: string[];
}

/** An associate as a unit holds it or a message carries it; roles only when the associate names them. */
export const accountUserOf = (associate: {
  customer: Pick<Associate['customer'], 'id'>;
  associateRoleAssignments?: { associateRole: { key: string } }[];
}): AccountUser => ({
  customerId: associate.customer.id,
  ...(associate.associateRoleAssignments
    ? { roles: associate.associateRoleAssignments.map((assignment) => assignment.associateRole.key) }
    : {}),
});

/**
 * Account Added User / Account Removed User: the associate joined or left the unit's Segment group.
 * With the associate's `customer` in hand (the handler reads it for a removal), the call is theirs
 * as every customer call is: the browser's anonymousId and context from their tracking fields, their
 * consent, and their email as `context.traits.email`.
 */
export function buildAccountUserEvent(
  unit: BusinessUnit,
  options: MappingOptions,
  { user, event, occurrence, customer }: EventOccurrence & { user: AccountUser; customer?: Customer },
): MappingResult {
  const person = customer?.id === user.customerId ? customerPerson(customer, options) : undefined;
  if (person?.kind === 'skip') return person;
  const track: TrackCall = {
    type: 'track',
    event: event.name,
    ...(person ? identityFields(person.identity) : { userId: user.customerId }),
    timestamp: occurrence.timestamp,
    messageId: buildMessageId({
      projectKey: options.projectKey,
      typeId: 'business-unit',
      resourceId: unit.id,
      event: event.slug,
      discriminator: occurrence.discriminator,
    }),
    ...callContext(person?.tracked ?? {}, {
      ...(person?.consent ? { consent: person.consent } : {}),
      groupId: unit.key,
      email: customer && person ? customerEmail(customer, options) : undefined,
    }),
    properties: compact({
      business_unit: unit.key,
      roles: user.roles,
    }),
    ...unitStores(unit),
  };
  return { kind: 'calls', calls: [track] };
}
