import taxExcludedOrder from '../../fixtures/orders/order-tax-excluded.json';
import { messageNotification } from '../notifications';
import { paymentWith, usd } from './payments';

/** The tax-excluded order ($227.46): a card charge declined, then paid by a second charge. */
export const PAYMENT_ID = '7c6b5a4d-3e2f-4a1b-9c0d-8e7f6a5b4c3d';
export const ORPHAN_PAYMENT_ID = '7c6b5a4d-0000-4000-8000-00000000f00d';
export const FAILED_CHARGE = 'e1f2a3b4-0000-4000-8000-00000000c401';
export const FAILED_AUTHORIZATION = 'e1f2a3b4-0000-4000-8000-00000000a401';
export const SUCCESSFUL_CHARGE = 'e1f2a3b4-0000-4000-8000-00000000c200';
export const FAILED_REFUND = 'e1f2a3b4-0000-4000-8000-00000000f401';

export const order = {
  ...taxExcludedOrder,
  paymentState: 'Pending',
  paymentInfo: { payments: [{ typeId: 'payment', id: PAYMENT_ID }] },
};

export const payment = paymentWith(
  PAYMENT_ID,
  [
    { id: FAILED_AUTHORIZATION, type: 'Authorization', amount: usd(22746), state: 'Failure' },
    { id: FAILED_CHARGE, type: 'Charge', amount: usd(22746), state: 'Failure' },
    { id: SUCCESSFUL_CHARGE, type: 'Charge', amount: usd(22746), state: 'Success' },
    { id: FAILED_REFUND, type: 'Refund', amount: usd(1000), state: 'Failure' },
  ],
  { version: 6, paymentMethodInfo: { paymentInterface: 'stripe', method: 'card', name: { en: 'Card' } } },
);

/** A payment of a checkout that never became an order. */
export const orphanPayment = { ...payment, id: ORPHAN_PAYMENT_ID };

/** The declined charge, as a PaymentTransactionAdded message carries it. */
export const failedCharge = { id: FAILED_CHARGE, type: 'Charge', amount: usd(22746), state: 'Failure' };

/** commercetools' message that a transaction was added to the payment (of `paymentId`, this one by default). */
export const transactionAdded = (transaction: object, options: { id?: string; paymentId?: string } = {}) =>
  messageNotification(
    'payment',
    options.paymentId ?? PAYMENT_ID,
    'PaymentTransactionAdded',
    { transaction },
    { createdAt: '2026-03-14T09:27:41.000Z', ...(options.id ? { id: options.id } : {}) },
  );

/** commercetools' message that one of the payment's transactions changed state. */
export const stateChanged = (transactionId: string, state: string) =>
  messageNotification(
    'payment',
    PAYMENT_ID,
    'PaymentTransactionStateChanged',
    { transactionId, state },
    { createdAt: '2026-03-14T09:28:02.000Z' },
  );
