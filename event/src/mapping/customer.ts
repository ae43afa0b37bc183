import type { Address, Customer } from '@commercetools/platform-sdk';
import type { IdentifyCall, JsonObject, TrackCall } from '../segment/calls';
import { readConsent } from './consent';
import { CONNECTOR_CUSTOMER_TRAITS, customFieldValues } from './custom-fields';
import { identityFields, type Identity } from './identity';
import { buildMessageId } from './message-id';
import { callContext, readTracking } from './tracking';
import { compact, inStores, type EventName, type MappingOptions, type MappingResult } from './types';

/**
 * What every call about a customer shares: the customer as userId with the browser's anonymousId
 * when the customer's tracking field holds one, consent, and the tracked context (the customer's
 * tracking fields: where they signed up or last logged in, as the storefront records it).
 */
export function customerPerson(
  customer: Pick<Customer, 'id' | 'custom'>,
  options: MappingOptions,
):
  | { kind: 'person'; identity: Identity; consent?: JsonObject; tracked: JsonObject }
  | { kind: 'skip'; reason: 'invalid-consent' } {
  const consent = readConsent(customer.custom, options.consentFieldName);
  if (consent.kind === 'invalid') return { kind: 'skip', reason: 'invalid-consent' };
  const tracking = readTracking(customer.custom, options.tracking);
  const identity: Identity = {
    userId: customer.id,
    ...(tracking.anonymousId !== undefined ? { anonymousId: tracking.anonymousId } : {}),
  };
  return {
    kind: 'person',
    identity,
    ...(consent.kind === 'valid' ? { consent: consent.consent } : {}),
    tracked: tracking.context,
  };
}

/** The email a customer's track events carry as `context.traits.email` (EMAIL_IN_EVENTS): their own. */
export function customerEmail(customer: Pick<Customer, 'email'>, options: MappingOptions): string | undefined {
  return options.emailInEvents ? present(customer.email) : undefined;
}

/**
 * An identify for a customer as it is now. The messageId is tied to the customer's version, so
 * every change yields a new identify while a redelivered notification repeats the same one. The
 * configured custom fields (CUSTOMER_TRAIT_FIELDS) join the traits; the connector's own traits win.
 */
export function buildCustomerIdentify(customer: Customer, options: MappingOptions): MappingResult {
  const person = customerPerson(customer, options);
  if (person.kind === 'skip') return person;

  const identify: IdentifyCall = {
    type: 'identify',
    ...identityFields(person.identity),
    timestamp: customer.lastModifiedAt,
    messageId: buildMessageId({
      projectKey: options.projectKey,
      typeId: 'customer',
      resourceId: customer.id,
      event: 'identify',
      discriminator: customer.version,
    }),
    traits: {
      ...customFieldValues(customer.custom, {
        names: options.customerTraitFields,
        ...(options.locale ? { locale: options.locale } : {}),
        connectorNames: CONNECTOR_CUSTOMER_TRAITS,
      }),
      ...customerTraits(customer),
    },
    ...callContext(person.tracked, person.consent ? { consent: person.consent } : {}),
    ...inStores(customer.stores?.map((store) => store.key)),
  };
  return { kind: 'calls', calls: [identify] };
}

/**
 * Signed Up (Segment's spec) for a new customer, sent after the identify: one per customer, so
 * its messageId depends on nothing but the customer; `timestamp` is when the account was created.
 */
export function buildSignedUp(customer: Customer, options: MappingOptions, event: EventName): MappingResult {
  const person = customerPerson(customer, options);
  if (person.kind === 'skip') return person;
  const track: TrackCall = {
    type: 'track',
    event: event.name,
    ...identityFields(person.identity),
    timestamp: customer.createdAt,
    messageId: buildMessageId({
      projectKey: options.projectKey,
      typeId: 'customer',
      resourceId: customer.id,
      event: event.slug,
      discriminator: 'created',
    }),
    properties: compact({
      email: present(customer.email),
      first_name: present(customer.firstName),
      last_name: present(customer.lastName),
      title: present(customer.title),
      customer_number: present(customer.customerNumber),
      store: customer.stores?.[0]?.key,
    }),
    ...callContext(person.tracked, {
      ...(person.consent ? { consent: person.consent } : {}),
      email: customerEmail(customer, options),
    }),
    ...inStores(customer.stores?.map((store) => store.key)),
  };
  return { kind: 'calls', calls: [track] };
}

/** Segment's reserved identify traits, filled from what commercetools knows; empty values are left out. */
function customerTraits(customer: Customer): JsonObject {
  const address = contactAddress(customer);
  const postal = address ? postalAddress(address) : undefined;
  return compact({
    email: present(customer.email),
    firstName: present(customer.firstName),
    lastName: present(customer.lastName),
    name: present([customer.firstName, customer.lastName].filter(Boolean).join(' ')),
    title: present(customer.title),
    birthday: present(customer.dateOfBirth),
    phone: present(address?.phone) ?? present(address?.mobile),
    address: postal,
    createdAt: customer.createdAt,
    // Segment's spec makes company an object, so destinations can add industry, size…
    company: present(customer.companyName) ? { name: customer.companyName } : undefined,
    customerNumber: present(customer.customerNumber),
    externalId: present(customer.externalId),
    isEmailVerified: customer.isEmailVerified,
    locale: present(customer.locale),
  });
}

/**
 * The address that represents the customer: the default billing address (the one they pay
 * from), else the default shipping address, else the first one. An id pointing at no address
 * falls through to the next choice.
 */
export function contactAddress(
  holder: Pick<Customer, 'addresses' | 'defaultBillingAddressId' | 'defaultShippingAddressId'>,
): Address | undefined {
  const byId = (id: string | undefined) =>
    id === undefined ? undefined : holder.addresses.find((address) => address.id === id);
  return byId(holder.defaultBillingAddressId) ?? byId(holder.defaultShippingAddressId) ?? holder.addresses[0];
}

/** An address as Segment's identify spec shapes it; undefined when it holds nothing. */
export function postalAddress(address: Address): JsonObject | undefined {
  const postal = compact({
    street: present([address.streetName, address.streetNumber].filter(Boolean).join(' ').trim()),
    city: present(address.city),
    postalCode: present(address.postalCode),
    state: present(address.state),
    country: present(address.country),
  });
  return Object.keys(postal).length > 0 ? postal : undefined;
}

/** The text, or undefined when it is missing or blank. */
function present(text: string | undefined): string | undefined {
  return text !== undefined && text.trim() !== '' ? text : undefined;
}
