import type { Transaction, TypedMoney } from '@commercetools/platform-sdk';
import { buildOrderRefunded } from '../mapping/refund';
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

interface SucceededRefund {
  transactionId: string;
  amount: TypedMoney;
  timestamp: string;
}

/** Order Refunded for a refund transaction that succeeded, on the order that owns the payment. */
async function sendRefund(
  notification: MessageNotification,
  refund: SucceededRefund,
  context: HandlerContext,
): Promise<Outcome> {
  const event = enabledEvent(context, 'orderRefunded');
  if (!event) return skipped('disabled');
  const order = await context.commercetools.findOrderByPaymentId(notification.resource.id, context.signal);
  if (!order) return skipped('not-found');
  return deliver(buildOrderRefunded(order, refund, context.mapping, event), context);
}

/** The payment's transaction as commercetools holds it; undefined when either is gone. */
async function readTransaction(
  notification: MessageNotification,
  transactionId: string,
  context: HandlerContext,
): Promise<Transaction | undefined> {
  const payment = await context.commercetools.getPayment(notification.resource.id, context.signal);
  return payment?.transactions.find((candidate) => candidate.id === transactionId);
}

/**
 * PaymentTransactionAdded → Order Refunded, when the added transaction is a successful refund.
 * The transaction the message carries (type, state, amount) is believed only from an
 * authenticated delivery; otherwise the payment is read and its own transaction is used.
 */
export const handlePaymentTransactionAdded: MessageHandler = async (notification, context) => {
  const carried = readMessage(notification, 'PaymentTransactionAdded').transaction;
  // A message that claims no successful refund asks for nothing to be sent: believing it invents nothing.
  if (carried.type !== 'Refund' || carried.state !== 'Success') return skipped('no-event');
  if (!enabledEvent(context, 'orderRefunded')) return skipped('disabled');
  const source: ResourceSource = context.trusted ? 'carried' : 'read';
  const transaction = context.trusted ? carried : await readTransaction(notification, carried.id, context);
  if (!transaction) return from(source, skipped('not-found'));
  if (transaction.type !== 'Refund' || transaction.state !== 'Success') return from(source, skipped('no-event'));
  const refund = {
    transactionId: transaction.id,
    amount: transaction.amount as TypedMoney,
    timestamp: notification.createdAt,
  };
  return from(source, await sendRefund(notification, refund, context));
};

/**
 * PaymentTransactionStateChanged → Order Refunded, when the transaction became Success and is a
 * refund. The message names the transaction only, so the payment is read to learn its type and
 * amount (and, for an unauthenticated delivery, that it really succeeded).
 */
export const handlePaymentTransactionStateChanged: MessageHandler = async (notification, context) => {
  const { transactionId, state } = readMessage(notification, 'PaymentTransactionStateChanged');
  if (state !== 'Success') return skipped('no-event');
  if (!enabledEvent(context, 'orderRefunded')) return skipped('disabled');
  const transaction = await readTransaction(notification, transactionId, context);
  if (!transaction) return from('read', skipped('not-found'));
  if (transaction.type !== 'Refund' || (!context.trusted && transaction.state !== 'Success'))
    return from('read', skipped('no-event'));
  return from(
    'read',
    await sendRefund(
      notification,
      { transactionId, amount: transaction.amount, timestamp: notification.createdAt },
      context,
    ),
  );
};
