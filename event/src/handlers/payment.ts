import type { Order, Payment, TypedMoney } from '@commercetools/platform-sdk';
import type { TrackEventKey, TrackEventSpec } from '../events';
import { buildPaymentFailed } from '../mapping/payment-failed';
import { buildOrderRefunded } from '../mapping/refund';
import type { MappingResult } from '../mapping/types';
import { readMessage } from '../transport/messages';
import type { MessageNotification } from '../transport/notification';
import {
  deliver,
  enabledEvent,
  from,
  skipped,
  type HandlerContext,
  type MessageHandler,
  type Outcome,
  type ResourceSource,
} from './types';

/** The events a payment transaction can be. */
type PaymentEventKey = Extract<TrackEventKey, 'orderRefunded' | 'paymentFailed'>;

/** A payment transaction as far as choosing its event goes: from a message, or as commercetools holds it. */
interface TransactionFacts {
  id: string;
  type: string;
  state: string;
  amount: TypedMoney;
}

/** A successful refund is Order Refunded; a failed charge or authorization is Payment Failed; nothing else is an event. */
function transactionEvent(transaction: Pick<TransactionFacts, 'type' | 'state'>): PaymentEventKey | undefined {
  if (transaction.type === 'Refund' && transaction.state === 'Success') return 'orderRefunded';
  if ((transaction.type === 'Charge' || transaction.type === 'Authorization') && transaction.state === 'Failure') {
    return 'paymentFailed';
  }
  return undefined;
}

/** What a payment message says happened to one of the payment's transactions. */
interface TransactionClaim {
  transactionId: string;
  /** The event the message would be, were it true. */
  event: PaymentEventKey;
  /** The state the message says the transaction reached. */
  state: string;
  /** The whole transaction, when the message carries it (PaymentTransactionAdded). */
  carried?: TransactionFacts;
}

/**
 * PaymentTransactionAdded → Order Refunded (a successful refund) or Payment Failed (a failed
 * charge or authorization). The transaction the message carries (type, state, amount) is
 * believed only from an authenticated delivery; otherwise the payment's own transaction is used.
 */
export const handlePaymentTransactionAdded: MessageHandler = async (notification, context) => {
  const carried = readMessage(notification, 'PaymentTransactionAdded').transaction;
  // A message that claims nothing to send asks for nothing: believing it invents nothing.
  const event = transactionEvent(carried);
  if (!event) return skipped('no-event');
  const facts = { ...carried, amount: carried.amount as TypedMoney };
  return handleTransaction(
    notification,
    { transactionId: carried.id, event, state: carried.state, carried: facts },
    context,
  );
};

/**
 * PaymentTransactionStateChanged → to Success, Order Refunded when the transaction is a refund;
 * to Failure, Payment Failed when it is a charge or an authorization. The message names the
 * transaction only, so the payment is read to learn its type and amount (and, for an
 * unauthenticated delivery, the state it really is in).
 */
export const handlePaymentTransactionStateChanged: MessageHandler = async (notification, context) => {
  const { transactionId, state } = readMessage(notification, 'PaymentTransactionStateChanged');
  const event = stateEvent(state);
  if (!event) return skipped('no-event');
  return handleTransaction(notification, { transactionId, event, state }, context);
};

/** The event a transaction reaching `state` can be, whatever its type turns out to be. */
function stateEvent(state: string): PaymentEventKey | undefined {
  if (state === 'Success') return 'orderRefunded';
  if (state === 'Failure') return 'paymentFailed';
  return undefined;
}

/**
 * The one path of both messages, once the claim names an event: the payment is read at most once
 * per notification, and only when it is needed (see below); then the order is found.
 */
async function handleTransaction(
  notification: MessageNotification,
  claim: TransactionClaim,
  context: HandlerContext,
): Promise<Outcome> {
  const event = enabledEvent(context, claim.event);
  if (!event) return skipped('disabled');
  const source: ResourceSource = believedTransaction(claim, context) ? 'carried' : 'read';
  const outcome =
    claim.event === 'orderRefunded'
      ? await sendRefund(notification, claim, event, context)
      : await sendPaymentFailed(notification, claim, event, context);
  return from(source, outcome);
}

/** A refund carried by an authenticated delivery needs no read of the payment: only its order is looked up. */
async function sendRefund(
  notification: MessageNotification,
  claim: TransactionClaim,
  event: TrackEventSpec,
  context: HandlerContext,
): Promise<Outcome> {
  const transaction =
    believedTransaction(claim, context) ?? heldTransaction(await readPayment(notification, context), claim, context);
  return sendForOrder(notification, claim, transaction, context, (order, refund) =>
    buildOrderRefunded(
      order,
      { transactionId: refund.id, amount: refund.amount, timestamp: notification.createdAt },
      context.mapping,
      event,
    ),
  );
}

/** Payment Failed names how the shopper paid: the payment is read even when its transaction is believed as carried. */
async function sendPaymentFailed(
  notification: MessageNotification,
  claim: TransactionClaim,
  event: TrackEventSpec,
  context: HandlerContext,
): Promise<Outcome> {
  const payment = await readPayment(notification, context);
  if (!payment) return skipped('not-found');
  const transaction = believedTransaction(claim, context) ?? heldTransaction(payment, claim, context);
  return sendForOrder(notification, claim, transaction, context, (order, failed) =>
    buildPaymentFailed(
      order,
      payment,
      {
        transactionId: failed.id,
        transactionType: failed.type,
        amount: failed.amount,
        timestamp: notification.createdAt,
      },
      context.mapping,
      event,
    ),
  );
}

/**
 * Checks that the transaction is what the message claimed (a false claim about a real transaction
 * sends nothing), finds the order that owns the payment, and delivers what `build` makes of both.
 */
async function sendForOrder(
  notification: MessageNotification,
  claim: TransactionClaim,
  transaction: TransactionFacts | undefined,
  context: HandlerContext,
  build: (order: Order, transaction: TransactionFacts) => MappingResult,
): Promise<Outcome> {
  if (!transaction) return skipped('not-found');
  if (transactionEvent(transaction) !== claim.event) return skipped('no-event');
  const order = await context.commercetools.findOrderByPaymentId(notification.resource.id, context.signal);
  if (!order) return skipped('no-order');
  return deliver(build(order, transaction), context);
}

/** The transaction the message carries, when the delivery was authenticated; otherwise it is not believed. */
function believedTransaction(claim: TransactionClaim, context: HandlerContext): TransactionFacts | undefined {
  return context.trusted ? claim.carried : undefined;
}

function readPayment(notification: MessageNotification, context: HandlerContext): Promise<Payment | undefined> {
  return context.commercetools.getPayment(notification.resource.id, context.signal);
}

/**
 * The payment's transaction as commercetools holds it; undefined when either is gone. An
 * authenticated state change is believed as to the state reached (the transaction may have
 * moved on since); otherwise commercetools' state counts.
 */
function heldTransaction(
  payment: Payment | undefined,
  claim: TransactionClaim,
  context: HandlerContext,
): TransactionFacts | undefined {
  const held = payment?.transactions.find((candidate) => candidate.id === claim.transactionId);
  if (!held) return undefined;
  return context.trusted ? { ...held, state: claim.state } : held;
}
