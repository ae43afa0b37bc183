import type { Address, Customer } from '@commercetools/platform-sdk';
import type { IdentifyCall, JsonObject, TrackCall } from '../segment/calls';
import { consentContext, readConsent } from './consent';
import { buildMessageId } from './message-id';
import { compact, inStores, type EventName, type MappingOptions, type MappingResult } from './types';

/**
 * An identify for a customer as it is now. The messageId is tied to the customer's version, so
 * every change yields a new identify while a redelivered notification repeats the same one.
 */
export function buildCustomerIdentify(customer: Customer, options: MappingOptions): MappingResult {
  const consent = readConsent(customer.custom, options.consentFieldName);
  if (consent.kind === 'invalid') return { kind: 'skip', reason: 'invalid-consent' };

  const identify: IdentifyCall = {
    type: 'identify',
    userId: customer.id,
    timestamp: customer.lastModifiedAt,
    messageId: buildMessageId({
      projectKey: options.projectKey,
      typeId: 'customer',
      resourceId: customer.id,
      event: 'identify',
      discriminator: customer.version,
    }),
    traits: customerTraits(customer),
    ...consentContext(consent),
    ...inStores(customer.stores?.map((store) => store.key)),
  };
  return { kind: 'calls', calls: [identify] };
}

/**
 * Signed Up (Segment's spec) for a new customer, sent after the identify: one per customer, so
 * its messageId depends on nothing but the customer; `timestamp` is when the account was created.
 */
export function buildSignedUp(customer: Customer, options: MappingOptions, event: EventName): MappingResult {
  const consent = readConsent(customer.custom, options.consentFieldName);
  if (consent.kind === 'invalid') return { kind: 'skip', reason: 'invalid-consent' };
  const track: TrackCall = {
    type: 'track',
    event: event.name,
    userId: customer.id,
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
    ...consentContext(consent),
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
