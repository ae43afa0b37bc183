import type { Customer, Order } from '@commercetools/platform-sdk';
import { z } from 'zod';
import { badRequest } from '../errors';
import { identifier, type MessageNotification } from './notification';
import { issuePath } from './paths';
import { embeddedCustomerSchema, embeddedOrderSchema, moneySchema } from './resources';

/**
 * The type-specific fields of the commercetools messages the connector handles. The common
 * fields were checked when the notification was decoded; these are checked when a handler needs
 * them, with the same rule: a message that does not have them is a bad request.
 */
const transaction = z.looseObject({
  id: identifier,
  type: z.string().min(1),
  state: z.string().min(1),
  amount: moneySchema,
  timestamp: z.string().optional(),
});

const associate = z.looseObject({
  // Identifiers only: a customer id reaches Segment as a userId.
  customer: z.looseObject({ id: identifier }),
  associateRoleAssignments: z.array(z.looseObject({ associateRole: z.looseObject({ key: z.string() }) })).optional(),
});

/** A payload commercetools left out because it was too large: read the resource instead. */
const payloadNotIncluded = z.looseObject({ reason: z.string(), payloadType: z.string() });

export const messageFields = {
  OrderCreated: z.looseObject({
    order: embeddedOrderSchema.optional(),
    payloadNotIncluded: payloadNotIncluded.optional(),
  }),
  CustomerCreated: z.looseObject({
    customer: embeddedCustomerSchema.optional(),
    payloadNotIncluded: payloadNotIncluded.optional(),
  }),
  OrderStateChanged: z.looseObject({ orderState: z.string().min(1), oldOrderState: z.string().optional() }),
  OrderPaymentStateChanged: z.looseObject({ paymentState: z.string().min(1), oldPaymentState: z.string().optional() }),
  OrderShipmentStateChanged: z.looseObject({
    shipmentState: z.string().min(1),
    oldShipmentState: z.string().optional(),
  }),
  PaymentTransactionAdded: z.looseObject({ transaction }),
  PaymentTransactionStateChanged: z.looseObject({ transactionId: identifier, state: z.string().min(1) }),
  BusinessUnitAssociateAdded: z.looseObject({ associate }),
  BusinessUnitAssociateRemoved: z.looseObject({ associate }),
  QuoteRequestCreated: z.looseObject({ quoteRequest: z.looseObject({ id: z.string().min(1) }).optional() }),
  QuoteStateChanged: z.looseObject({ quoteState: z.string().min(1), oldQuoteState: z.string().optional() }),
  // Identifiers only: the customer id reaches Segment as a userId. No customer: it was removed.
  OrderCustomerSet: z.looseObject({
    customer: z.looseObject({ id: identifier }).optional(),
    oldCustomer: z.looseObject({ id: identifier }).optional(),
  }),
} as const;

export type HandledMessageType = keyof typeof messageFields;
export type MessageFields<T extends HandledMessageType> = z.infer<(typeof messageFields)[T]>;

export function readMessage<T extends HandledMessageType>(
  notification: MessageNotification,
  type: T,
): MessageFields<T> {
  const parsed = messageFields[type].safeParse(notification);
  if (!parsed.success) {
    const schema = messageFields[type];
    const fields = [...new Set(parsed.error.issues.map((issue) => issuePath(issue.path, schema) || '(root)'))].slice(
      0,
      5,
    );
    throw badRequest(`${type} message lacks valid fields: ${fields.join(', ')}`);
  }
  return parsed.data as MessageFields<T>;
}

/** The order a message carries, its mapped fields checked (see resources.ts). */
export const embeddedOrder = (fields: MessageFields<'OrderCreated'>): Order | undefined =>
  fields.order as unknown as Order | undefined;

export const embeddedCustomer = (fields: MessageFields<'CustomerCreated'>): Customer | undefined =>
  fields.customer as unknown as Customer | undefined;
