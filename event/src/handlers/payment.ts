import type { TypedMoney } from '@commercetools/platform-sdk';
import { buildOrderRefunded } from '../mapping/order';
import { readMessage } from '../transport/messages';
import type { MessageNotification } from '../transport/notification';
import { deliver, enabledEvent, skipped, type HandlerContext, type MessageHandler, type Outcome } from './types';

interface SucceededRefund {
  transactionId: string;
  amount: TypedMoney;
  timestamp: string;
}

/** Order Refunded for a refund transaction that succeeded, on the order that owns the payment. */
async function sendRefund(notification: MessageNotification, refund: SucceededRefund, context: HandlerContext): Promise<Outcome> {
  const event = enabledEvent(context, 'orderRefunded');
  if (!event) return skipped('disabled');
  const order = await context.commercetools.findOrderByPaymentId(notification.resource.id);
  if (!order) return skipped('not-found');
  return deliver(buildOrderRefunded(order, refund, context.mapping, event), context);
}

/** PaymentTransactionAdded → Order Refunded, when the added transaction is a successful refund. */
export const handlePaymentTransactionAdded: MessageHandler = async (notification, context) => {
  const { transaction } = readMessage(notification, 'PaymentTransactionAdded');
  if (transaction.type !== 'Refund' || transaction.state !== 'Success') return skipped('no-event');
  if (!enabledEvent(context, 'orderRefunded')) return skipped('disabled');
  return sendRefund(
    notification,
    {
      transactionId: transaction.id,
      amount: transaction.amount as TypedMoney,
      timestamp: notification.createdAt,
    },
    context,
  );
};

/**
 * PaymentTransactionStateChanged → Order Refunded, when the transaction became Success and is a
 * refund. The message names the transaction only, so the payment is read to learn its type and
 * amount.
 */
export const handlePaymentTransactionStateChanged: MessageHandler = async (notification, context) => {
  const { transactionId, state } = readMessage(notification, 'PaymentTransactionStateChanged');
  if (state !== 'Success') return skipped('no-event');
  if (!enabledEvent(context, 'orderRefunded')) return skipped('disabled');
  const payment = await context.commercetools.getPayment(notification.resource.id);
  if (!payment) return skipped('not-found');
  const transaction = payment.transactions.find((candidate) => candidate.id === transactionId);
  if (!transaction) return skipped('not-found');
  if (transaction.type !== 'Refund') return skipped('no-event');
  return sendRefund(notification, { transactionId, amount: transaction.amount, timestamp: notification.createdAt }, context);
};
