import type { Order, Payment, TypedMoney } from '@commercetools/platform-sdk';
import type { TrackEventKey, TrackEventSpec } from '../events';
import { buildPaymentFailed } from '../mapping/payment-failed';
import { buildOrderRefunded } from '../mapping/refund';
import type { MappingOptions, MappingResult, OrderFacts } from '../mapping/types';
import { skipped, withDetail, type Outcome, type ProofKind, type ResourceSource } from '../outcome';
import { readMessage, type HandledMessageType } from '../transport/messages';
import type { MessageNotification } from '../transport/notification';
import { orderOptions } from './order-facts';
import { proveMessage, type ProvenMessage } from './proof';
import { enabledEvent, sendCalls, type HandlerContext, type MessageHandler } from './types';

/** The events a payment transaction can be. */
type PaymentEventKey = Extract<TrackEventKey, 'orderRefunded' | 'paymentFailed'>;

/** A payment transaction as far as choosing its event goes: from a message, or as commercetools holds it. */
interface TransactionFacts {
  id: string;
  type: string;
  state: string;
  amount: TypedMoney;
  /** When the transaction took place, when commercetools knows. */
  timestamp?: string;
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
  /**
   * How the message was proven. Unless by state, its fields are commercetools' own (an
   * authenticated delivery, or the message the Messages API holds): its transaction is believed
   * as carried, and its state as reached.
   */
  proof: ProofKind;
  /** When the message was created, when it was proven as a message. */
  createdAt?: string;
}

/**
 * PaymentTransactionAdded → Order Refunded (a successful refund) or Payment Failed (a failed
 * charge or authorization). The transaction the message carries (type, state, amount) is
 * believed only as proven (see proof.ts); in a project without messages the payment's own
 * transaction is used.
 */
export const handlePaymentTransactionAdded: MessageHandler = async (notification, context) => {
  // A message that claims nothing to send asks for nothing: believing it invents nothing.
  if (!transactionEvent(readMessage(notification, 'PaymentTransactionAdded').transaction)) return skipped('no-event');
  const proven = await proveMessage(notification, 'PaymentTransactionAdded', context);
  if (!proven) return skipped('unproven');
  const { transaction } = proven.kind === 'state' ? proven.claim : proven.fields;
  const event = transactionEvent(transaction);
  if (!event) return skipped('no-event');
  const facts = { ...transaction, amount: transaction.amount as TypedMoney };
  return handleTransaction(
    notification,
    { transactionId: transaction.id, event, state: transaction.state, carried: facts, ...proofOf(proven) },
    context,
  );
};

/**
 * PaymentTransactionStateChanged → to Success, Order Refunded when the transaction is a refund;
 * to Failure, Payment Failed when it is a charge or an authorization. The message names the
 * transaction only, so the payment is read to learn its type and amount (and, in a project
 * without messages, the state it really is in).
 */
export const handlePaymentTransactionStateChanged: MessageHandler = async (notification, context) => {
  if (!stateEvent(readMessage(notification, 'PaymentTransactionStateChanged').state)) return skipped('no-event');
  const proven = await proveMessage(notification, 'PaymentTransactionStateChanged', context);
  if (!proven) return skipped('unproven');
  const { transactionId, state } = proven.kind === 'state' ? proven.claim : proven.fields;
  const event = stateEvent(state);
  if (!event) return skipped('no-event');
  return handleTransaction(notification, { transactionId, event, state, ...proofOf(proven) }, context);
};

function proofOf(proven: ProvenMessage<HandledMessageType>): Pick<TransactionClaim, 'proof' | 'createdAt'> {
  return proven.kind === 'state' ? { proof: 'state' } : { proof: proven.kind, createdAt: proven.createdAt };
}

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
  const source: ResourceSource = believedTransaction(claim) ? 'carried' : 'read';
  const outcome =
    claim.event === 'orderRefunded'
      ? await sendRefund({ notification, claim, event }, context)
      : await sendPaymentFailed({ notification, claim, event }, context);
  return withDetail({ source, proof: claim.proof }, outcome);
}

/**
 * When the transaction happened, as commercetools says: the proven message's date, else the
 * transaction's own timestamp, else when the payment last changed.
 */
function timestampOf(claim: TransactionClaim, transaction: TransactionFacts, payment: Payment | undefined): string {
  return claim.createdAt ?? transaction.timestamp ?? payment?.lastModifiedAt ?? new Date().toISOString();
}

/** A message's claim about a transaction, and the event it would be. */
interface ClaimedEvent {
  notification: MessageNotification;
  claim: TransactionClaim;
  event: TrackEventSpec;
}

/** A believed refund needs no read of the payment: only its order is looked up. */
async function sendRefund({ notification, claim, event }: ClaimedEvent, context: HandlerContext): Promise<Outcome> {
  const believed = believedTransaction(claim);
  const payment = believed ? undefined : await readPayment(notification, context);
  const transaction = believed ?? heldTransaction(payment, claim);
  return sendForOrder({ notification, claim, transaction }, context, (order, refund, options) =>
    buildOrderRefunded(order, options, {
      event,
      refund: { transactionId: refund.id, amount: refund.amount, timestamp: timestampOf(claim, refund, payment) },
    }),
  );
}

/** Payment Failed names how the shopper paid: the payment is read even when its transaction is believed as carried. */
async function sendPaymentFailed(
  { notification, claim, event }: ClaimedEvent,
  context: HandlerContext,
): Promise<Outcome> {
  const payment = await readPayment(notification, context);
  if (!payment) return skipped('not-found');
  const transaction = believedTransaction(claim) ?? heldTransaction(payment, claim);
  // Payment Failed lists no products: its order's categories are not read.
  const build = (order: Order, failed: TransactionFacts, options: MappingOptions & OrderFacts) =>
    buildPaymentFailed(order, options, {
      event,
      payment,
      failure: {
        transactionId: failed.id,
        transactionType: failed.type,
        amount: failed.amount,
        timestamp: timestampOf(claim, failed, payment),
      },
    });
  return sendForOrder({ notification, claim, transaction }, context, build, { products: false });
}

/**
 * Checks that the transaction is what the message claimed (a false claim about a real transaction
 * sends nothing), finds the order that owns the payment, and sends what `build` makes of both;
 * `products: false` when the event lists none, so no categories are read for it.
 */
async function sendForOrder(
  { notification, claim, transaction }: Omit<ClaimedEvent, 'event'> & { transaction: TransactionFacts | undefined },
  context: HandlerContext,
  build: (order: Order, transaction: TransactionFacts, options: MappingOptions & OrderFacts) => MappingResult,
  { products = true }: { products?: boolean } = {},
): Promise<Outcome> {
  if (!transaction) return skipped('not-found');
  if (transactionEvent(transaction) !== claim.event) return skipped(claim.proof === 'state' ? 'unproven' : 'no-event');
  const order = await context.commercetools.findOrderByPaymentId(notification.resource.id, context.signal);
  if (!order) return skipped('no-order');
  return sendCalls(build(order, transaction, await orderOptions(order, context, { products })), context);
}

/** The transaction the message carries, when its fields are commercetools' own; otherwise it is not believed. */
function believedTransaction(claim: TransactionClaim): TransactionFacts | undefined {
  return claim.proof === 'state' ? undefined : claim.carried;
}

function readPayment(notification: MessageNotification, context: HandlerContext): Promise<Payment | undefined> {
  return context.commercetools.getPayment(notification.resource.id, context.signal);
}

/**
 * The payment's transaction as commercetools holds it; undefined when either is gone. A proven
 * state change is believed as to the state reached (the transaction may have moved on since);
 * otherwise commercetools' current state counts.
 */
function heldTransaction(payment: Payment | undefined, claim: TransactionClaim): TransactionFacts | undefined {
  const held = payment?.transactions.find((candidate) => candidate.id === claim.transactionId);
  if (!held) return undefined;
  return claim.proof === 'state' ? held : { ...held, state: claim.state };
}
