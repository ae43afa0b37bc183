import type { Order } from '@commercetools/platform-sdk';
import type { JsonObject, TrackCall } from '../segment/calls';
import { readConsent, type ConsentReading } from './consent';
import { CONNECTOR_ORDER_PROPERTIES, customFieldValues } from './custom-fields';
import { identityFields, orderIdentity, type Identity } from './identity';
import { buildMessageId } from './message-id';
import { shippingInfosOf } from './order-figures';
import { callContext, readTracking, type OwnContext, type Tracking } from './tracking';
import {
  compact,
  inStores,
  type EventOccurrence,
  type MappingOptions,
  type MappingResult,
  type OrderFacts,
} from './types';

/** What every call about an order shares: who, with which consent and tracked context. */
export interface OrderPerson {
  identity: Identity;
  consent: ConsentReading & { kind: 'absent' | 'valid' };
  tracking: Tracking;
}

/**
 * The order's person as its calls name them: identity (see identity.ts), consent and the
 * tracking fields. An order without identity, or with consent that cannot be read, is a skip.
 */
export function orderPerson(
  order: Order,
  options: MappingOptions,
): { kind: 'person'; person: OrderPerson } | { kind: 'skip'; reason: 'no-identity' | 'invalid-consent' } {
  const tracking = readTracking(order.custom, options.tracking);
  const identity = orderIdentity(order, options.anonymousIdFallback, tracking);
  if (!identity) return { kind: 'skip', reason: 'no-identity' };
  const consent = readConsent(order.custom, options.consentFieldName);
  if (consent.kind === 'invalid') return { kind: 'skip', reason: 'invalid-consent' };
  return { kind: 'person', person: { identity, consent, tracking } };
}

/**
 * The email the order's person is known to have, for `context.traits.email`: a registered
 * customer's order names its customer's email; a guest's only once commercetools confirmed that no
 * registered customer uses it (the rule of the guest identify, see order.ts), so an unverified
 * email never joins someone else's profile. Nothing with EMAIL_IN_EVENTS off.
 */
export function orderPersonEmail(
  order: Order,
  identity: Identity,
  options: MappingOptions & OrderFacts,
): string | undefined {
  const email = order.customerEmail?.trim() ? order.customerEmail : undefined;
  if (!options.emailInEvents || !email) return undefined;
  if (identity.userId !== undefined) return email;
  return options.guestEmailRegistered === false ? email : undefined;
}

/**
 * What every track call about an order shares, whatever its properties: the order's identity
 * (userId and the browser's anonymousId), consent and tracked context, the person's email, the
 * configured custom fields as properties, messageId, its business unit as the Segment group
 * (`context.groupId`) and its store (which Segment source it goes to). An order without identity
 * or with unreadable consent sends nothing. The connector's own properties win over custom fields
 * of the same name (the configuration refuses such names; see custom-fields.ts).
 */
export function buildOrderTrack(
  order: Order,
  options: MappingOptions & OrderFacts,
  { event, occurrence, properties }: EventOccurrence & { properties: () => JsonObject },
): MappingResult {
  const found = orderPerson(order, options);
  if (found.kind === 'skip') return found;
  const { identity, consent, tracking } = found.person;
  const own: OwnContext = {
    ...(consent.kind === 'valid' ? { consent: consent.consent } : {}),
    groupId: order.businessUnit?.key,
    email: orderPersonEmail(order, identity, options),
  };
  const track: TrackCall = {
    type: 'track',
    event: event.name,
    ...identityFields(identity),
    timestamp: occurrence.timestamp,
    messageId: orderMessageId(order, options, { event: event.slug, discriminator: occurrence.discriminator }),
    properties: {
      ...customFieldValues(order.custom, {
        names: options.orderPropertyFields,
        ...(options.locale ? { locale: options.locale } : {}),
        connectorNames: CONNECTOR_ORDER_PROPERTIES,
      }),
      ...properties(),
    },
    ...callContext(tracking.context, own),
    ...orderStores(order),
  };
  return { kind: 'calls', calls: [track] };
}

/** The store an order belongs to, as a call's routing hint. */
export const orderStores = (order: Order) => inStores([order.store?.key]);

/** The messageId of an order's call: its event's slug and what tells this occurrence from others. */
export function orderMessageId(
  order: Order,
  options: MappingOptions,
  { event, discriminator }: { event: string; discriminator: string | number },
): string {
  return buildMessageId({
    projectKey: options.projectKey,
    typeId: 'order',
    resourceId: order.id,
    event,
    discriminator,
  });
}

/** Where the order stands and how it ships: on every order event, refunds and failed payments included. */
export function orderContext(order: Order): JsonObject {
  const methods = shippingInfosOf(order)
    .map((info) => info.shippingMethodName)
    .filter((name) => name !== '');
  return compact({
    order_id: order.id,
    order_number: order.orderNumber,
    store: order.store?.key,
    shipping_method: methods.length > 0 ? [...new Set(methods)].join(', ') : undefined,
    order_state: order.orderState,
    payment_state: order.paymentState,
    shipment_state: order.shipmentState,
    country: order.country ?? order.shippingAddress?.country,
    business_unit: order.businessUnit?.key,
    purchase_order_number: order.purchaseOrderNumber,
    quote_id: order.quote?.id,
  });
}
