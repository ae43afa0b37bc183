import { createInMemoryConnector, type InMemoryConnectorOptions } from '../support/in-memory-connector';
import { messageNotification } from '../support/notifications';
import * as failed from '../support/resources/failed-payments';
import { usd } from '../support/resources/payments';
import * as refunds from '../support/resources/refunds';

/**
 * The payment messages without HTTP: PaymentTransactionAdded and PaymentTransactionStateChanged
 * become Order Refunded (a successful refund) or Payment Failed (a failed charge or
 * authorization), for the order the payment belongs to.
 */

/** The connector holding the order whose sneaker was refunded, and its payment. */
function refunding(options: InMemoryConnectorOptions = {}) {
  const built = createInMemoryConnector({ env: { LOCALE: 'en' }, ...options });
  built.commercetools.add('order', refunds.paidOrder);
  built.commercetools.add('payment', refunds.payment);
  return built;
}

/** The connector holding the order whose card was declined, its payment, and a payment of no order. */
function declining(options: InMemoryConnectorOptions = {}) {
  const built = createInMemoryConnector({ env: { LOCALE: 'en' }, ...options });
  built.commercetools.add('order', failed.order);
  built.commercetools.add('payment', failed.payment);
  built.commercetools.add('payment', failed.orphanPayment);
  return built;
}

const refundAdded = (transaction: object) =>
  messageNotification(
    'payment',
    refunds.PAYMENT_ID,
    'PaymentTransactionAdded',
    { transaction },
    { createdAt: '2026-03-20T10:05:00.000Z' },
  );
const refundSucceeded = () =>
  messageNotification('payment', refunds.PAYMENT_ID, 'PaymentTransactionStateChanged', {
    transactionId: refunds.REFUND_ID,
    state: 'Success',
  });

describe('Order Refunded', () => {
  it('believes an authenticated refund as carried: only the order is looked up', async () => {
    const handling = refunding();
    expect(await handling.handle(refundAdded(refunds.successfulRefund), { trusted: true })).toEqual({
      kind: 'delivered',
      events: 1,
      detail: { source: 'carried', proof: 'delivery' },
    });
    expect(handling.commercetools.reads).toEqual(['order look-up by payment']);
    const [refunded] = handling.segment.accepted();
    expect(refunded).toMatchObject({
      event: 'Order Refunded',
      userId: refunds.paidOrder.customerId,
      timestamp: '2026-03-20T10:05:00.000Z',
      properties: {
        order_id: refunds.paidOrder.id,
        total: 88.09,
        currency: 'USD',
        products: [{ product_id: refunds.SNEAKERS.productId, sku: refunds.SNEAKERS.variant.sku, quantity: 1 }],
      },
    });
    // The order's own figures would read as the refunded value in destinations.
    expect(refunded).not.toHaveProperty('properties.revenue');
    expect(refunded).not.toHaveProperty('properties.subtotal');
  });

  it('reads the payment for a refund that became successful, and keys both messages alike', async () => {
    const handling = refunding();
    await handling.handle(refundSucceeded(), { trusted: true });
    expect(handling.commercetools.reads).toEqual(['payment read', 'order look-up by payment']);
    await handling.handle(refundAdded(refunds.successfulRefund), { trusted: true });
    const [fromState, fromAdded] = handling.segment.accepted();
    expect(fromState).toMatchObject({ event: 'Order Refunded', properties: { total: 88.09 } });
    expect(fromAdded?.messageId).toBe(fromState?.messageId);
  });

  it('lists no products for a refund that matches no returned item', async () => {
    const handling = refunding();
    const other = { id: 'b7a6c5d4-0000-4000-8000-00000000abcd', type: 'Refund', amount: usd(1000), state: 'Success' };
    await handling.handle(refundAdded(other), { trusted: true });
    const [refunded] = handling.segment.accepted();
    expect(refunded).toMatchObject({ properties: { total: 10, currency: 'USD' } });
    expect(refunded).not.toHaveProperty('properties.products');
  });

  it.each([
    ['a charge', { type: 'Charge', state: 'Success' }],
    ['a pending refund', { type: 'Refund', state: 'Pending' }],
  ])('skips %s as no-event, reading nothing', async (_label, kind) => {
    const handling = refunding();
    const transaction = { id: 'd1d2d3d4-0000-4000-8000-000000000000', amount: usd(500), ...kind };
    expect(await handling.handle(refundAdded(transaction), { trusted: true })).toEqual({
      kind: 'skipped',
      reason: 'no-event',
    });
    expect(handling.commercetools.reads).toEqual([]);
  });

  it('skips a refund of a payment that belongs to no order as no-order', async () => {
    const handling = refunding();
    const orphan = messageNotification('payment', failed.ORPHAN_PAYMENT_ID, 'PaymentTransactionAdded', {
      transaction: refunds.successfulRefund,
    });
    expect(await handling.handle(orphan, { trusted: true })).toMatchObject({ kind: 'skipped', reason: 'no-order' });
  });

  it('does not believe an unauthenticated refund: the payment holds it pending, so it is unproven', async () => {
    const handling = refunding();
    expect(await handling.handle(refundAdded(refunds.successfulRefund))).toEqual({
      kind: 'skipped',
      reason: 'unproven',
      detail: { source: 'read', proof: 'state' },
    });
    expect(handling.segment.sends).toBe(0);
  });
});

describe('Payment Failed', () => {
  it('sends a failed charge with its amount and how the shopper paid, under the order’s identity', async () => {
    const handling = declining();
    const outcome = await handling.handle(failed.transactionAdded(failed.failedCharge), { trusted: true });
    expect(outcome).toEqual({ kind: 'delivered', events: 1, detail: { source: 'carried', proof: 'delivery' } });
    // Payment Failed names how the shopper paid: the payment is read even when the transaction is carried.
    expect(handling.commercetools.reads).toEqual(['payment read', 'order look-up by payment']);
    const [paymentFailed] = handling.segment.accepted();
    expect(paymentFailed).toMatchObject({
      event: 'Payment Failed',
      userId: failed.order.customerId,
      timestamp: '2026-03-14T09:27:41.000Z',
    });
    // The order's figures, and how the shopper paid (the mapping's own tests check every property).
    expect(paymentFailed).toMatchObject({
      properties: { order_id: failed.order.id, total: 227.46, payment_method: 'card', payment_provider: 'stripe' },
    });
  });

  it('reads the type and amount of an authorization that changed to Failure from the payment', async () => {
    const handling = declining();
    await handling.handle(failed.stateChanged(failed.FAILED_AUTHORIZATION, 'Failure'), { trusted: true });
    expect(handling.segment.accepted()[0]).toMatchObject({
      event: 'Payment Failed',
      timestamp: '2026-03-14T09:28:02.000Z',
      properties: { total: 227.46, transaction_type: 'Authorization' },
    });
  });

  it('keys both messages about one failed transaction alike, and another transaction otherwise', async () => {
    const handling = declining();
    await handling.handle(failed.transactionAdded(failed.failedCharge), { trusted: true });
    await handling.handle(failed.stateChanged(failed.FAILED_CHARGE, 'Failure'), { trusted: true });
    await handling.handle(failed.stateChanged(failed.FAILED_AUTHORIZATION, 'Failure'), { trusted: true });
    const [added, changed, other] = handling.segment.accepted().map((call) => call.messageId);
    expect(changed).toBe(added);
    expect(other).not.toBe(added);
  });

  it.each([
    ['an added failed refund', () => failed.transactionAdded({ ...failed.failedCharge, type: 'Refund' })],
    ['a refund that changed to Failure', () => failed.stateChanged(failed.FAILED_REFUND, 'Failure')],
    ['a charge that changed to Success', () => failed.stateChanged(failed.SUCCESSFUL_CHARGE, 'Success')],
    ['a charge that changed to Pending', () => failed.stateChanged(failed.SUCCESSFUL_CHARGE, 'Pending')],
    ['an added failed charge back', () => failed.transactionAdded({ ...failed.failedCharge, type: 'Chargeback' })],
  ])('sends nothing for %s', async (_label, build) => {
    const handling = declining();
    expect(await handling.handle(build(), { trusted: true })).toMatchObject({ kind: 'skipped', reason: 'no-event' });
    expect(handling.segment.sends).toBe(0);
  });

  it('skips a payment that belongs to no order as no-order, and one commercetools does not hold as not-found', async () => {
    const handling = declining();
    const of = (paymentId: string) => failed.transactionAdded(failed.failedCharge, { paymentId });
    expect(await handling.handle(of(failed.ORPHAN_PAYMENT_ID), { trusted: true })).toMatchObject({
      reason: 'no-order',
    });
    expect(await handling.handle(of('7c6b5a4d-0000-4000-8000-00000000dead'), { trusted: true })).toMatchObject({
      reason: 'not-found',
    });
    expect(handling.segment.sends).toBe(0);
  });

  it('sends the amount commercetools holds for an unauthenticated claim, not the one the sender wrote', async () => {
    const handling = declining();
    const forged = failed.transactionAdded({ ...failed.failedCharge, amount: usd(1) });
    expect(await handling.handle(forged)).toMatchObject({
      kind: 'delivered',
      detail: { source: 'read', proof: 'state' },
    });
    expect(handling.segment.accepted()[0]).toMatchObject({ properties: { total: 227.46 } });
  });

  it('is renamed with the same messageId, or switched off while refunds are still sent', async () => {
    const renamed = declining({ env: { EVENT_PAYMENT_FAILED: 'Payment Declined' } });
    const original = declining();
    const off = declining({ env: { EVENT_PAYMENT_FAILED: 'off' } });
    const declined = failed.transactionAdded(failed.failedCharge);
    await renamed.handle(declined, { trusted: true });
    await original.handle(declined, { trusted: true });
    expect(renamed.segment.accepted()[0]).toMatchObject({
      event: 'Payment Declined',
      messageId: original.segment.accepted()[0]?.messageId,
    });
    expect(await off.handle(declined, { trusted: true })).toEqual({ kind: 'skipped', reason: 'disabled' });
    const refund = { id: 'e1f2a3b4-0000-4000-8000-00000000b200', type: 'Refund', amount: usd(1000), state: 'Success' };
    expect(await off.handle(failed.transactionAdded(refund), { trusted: true })).toMatchObject({ kind: 'delivered' });
    expect(off.segment.accepted().map((call) => call.type === 'track' && call.event)).toEqual(['Order Refunded']);
  });
});
