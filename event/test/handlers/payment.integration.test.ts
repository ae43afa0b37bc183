import request from 'supertest';
import { type Harness, onlyEvent, useHarness, withHarness } from '../support/harness';
import { pubSubEnvelope } from '../support/notifications';
import { usd } from '../support/resources/payments';
import {
  FAILED_AUTHORIZATION,
  FAILED_CHARGE,
  FAILED_REFUND,
  failedCharge,
  order,
  ORPHAN_PAYMENT_ID,
  orphanPayment,
  payment,
  stateChanged,
  SUCCESSFUL_CHARGE,
  transactionAdded,
} from '../support/resources/failed-payments';

/**
 * Payment Failed through the HTTP endpoint, from authenticated deliveries (what messages carry is
 * believed; integrity.integration.test.ts covers the unauthenticated path). Refunds share the two
 * messages and are covered in order-lifecycle.integration.test.ts.
 */
const harness = useHarness({ trusted: true }, async (h) => {
  await h.seed('order', order);
  await h.seed('payment', payment);
  await h.seed('payment', orphanPayment);
});
const post = (body: object) => request(harness.app).post('/').send(pubSubEnvelope(body));
const only = () => onlyEvent(harness);

describe('Payment Failed', () => {
  it('tracks a failed charge with its amount and how the shopper paid, under the order’s identity', async () => {
    const res = await post(transactionAdded(failedCharge));
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    const event = only();
    expect(event).toMatchObject({
      type: 'track',
      event: 'Payment Failed',
      userId: order.customerId,
      timestamp: '2026-03-14T09:27:41.000Z',
    });
    expect(event.messageId).toMatch(/^ct-payment-failed-[0-9a-f]{32}$/);
    expect(event.properties).toEqual({
      order_id: order.id,
      order_number: order.orderNumber,
      store: 'us-webshop',
      shipping_method: 'Standard Ground',
      order_state: 'Open',
      payment_state: 'Pending',
      shipment_state: 'Pending',
      country: 'US',
      total: 227.46,
      currency: 'USD',
      payment_method: 'card',
      payment_provider: 'stripe',
      transaction_type: 'Charge',
    });
    expect(harness.logs.at(-1)).toMatchObject({ outcome: 'delivered', source: 'carried' });
  });

  it('tracks an authorization that changed to Failure, reading its type and amount from the payment', async () => {
    await post(stateChanged(FAILED_AUTHORIZATION, 'Failure')).expect(200);
    expect(only()).toMatchObject({
      event: 'Payment Failed',
      timestamp: '2026-03-14T09:28:02.000Z',
      properties: { total: 227.46, transaction_type: 'Authorization', payment_method: 'card' },
    });
  });

  it('gives both messages about one failed transaction the same messageId, and another transaction another', async () => {
    await post(transactionAdded(failedCharge)).expect(200);
    await post(stateChanged(FAILED_CHARGE, 'Failure')).expect(200);
    await post(stateChanged(FAILED_AUTHORIZATION, 'Failure')).expect(200);
    const [added, changed, other] = harness.segment.events().map((event) => event.messageId);
    expect(changed).toBe(added);
    expect(other).not.toBe(added);
  });

  it.each([
    ['PaymentTransactionAdded', () => transactionAdded(failedCharge)],
    ['PaymentTransactionStateChanged', () => stateChanged(FAILED_AUTHORIZATION, 'Failure')],
  ])('gives a redelivered %s the same messageId', async (_label, build) => {
    const notification = build();
    await post(notification).expect(200);
    await post(notification).expect(200);
    const [first, again] = harness.segment.events().map((event) => event.messageId);
    expect(first).toBeDefined();
    expect(again).toBe(first);
  });

  it.each([
    [
      'an added failed refund',
      () => transactionAdded({ id: FAILED_REFUND, type: 'Refund', amount: usd(1000), state: 'Failure' }),
    ],
    ['a refund that changed to Failure', () => stateChanged(FAILED_REFUND, 'Failure')],
    [
      'an added successful charge',
      () => transactionAdded({ id: SUCCESSFUL_CHARGE, type: 'Charge', amount: usd(22746), state: 'Success' }),
    ],
    ['a charge that changed to Success', () => stateChanged(SUCCESSFUL_CHARGE, 'Success')],
    [
      'an added pending charge',
      () => transactionAdded({ id: SUCCESSFUL_CHARGE, type: 'Charge', amount: usd(22746), state: 'Pending' }),
    ],
    ['a charge that changed to Pending', () => stateChanged(SUCCESSFUL_CHARGE, 'Pending')],
    [
      'an added failed charge back',
      () => transactionAdded({ id: FAILED_REFUND, type: 'Chargeback', amount: usd(1000), state: 'Failure' }),
    ],
  ])('sends nothing for %s', async (_label, build) => {
    const res = await post(build());
    expect(res.body).toEqual({ status: 'skipped', reason: 'no-event' });
    expect(harness.segment.received).toHaveLength(0);
  });

  it('acknowledges a failed charge of a payment that belongs to no order', async () => {
    const res = await post(transactionAdded(failedCharge, { paymentId: ORPHAN_PAYMENT_ID }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'skipped', reason: 'no-order' });
    expect(harness.segment.received).toHaveLength(0);
    expect(harness.logs.at(-1)).toMatchObject({ level: 'info', reason: 'no-order', resourceId: ORPHAN_PAYMENT_ID });
  });

  it('acknowledges a failed charge of a payment commercetools does not hold as not found', async () => {
    const res = await post(transactionAdded(failedCharge, { paymentId: '7c6b5a4d-0000-4000-8000-00000000dead' }));
    expect(res.body).toEqual({ status: 'skipped', reason: 'not-found' });
    expect(harness.segment.received).toHaveLength(0);
  });
});

describe('EVENT_PAYMENT_FAILED', () => {
  const declined = () => transactionAdded(failedCharge, { id: '0a1b2c3d-0000-4000-8000-0000000000f1' });
  const seeded = async (h: Harness) => {
    await h.seed('order', order);
    await h.seed('payment', payment);
  };

  it('renames the event and keeps its messageId', async () => {
    await withHarness({ trusted: true, env: { EVENT_PAYMENT_FAILED: 'Payment Declined' } }, async (renamed) => {
      await seeded(renamed);
      await request(renamed.app).post('/').send(pubSubEnvelope(declined())).expect(200);
      await post(declined()).expect(200);
      const [renamedEvent] = renamed.segment.events();
      expect(renamedEvent?.event).toBe('Payment Declined');
      expect(renamedEvent?.messageId).toBe(only().messageId);
    });
  });

  it('switches it off: acknowledged as disabled, refunds still sent', async () => {
    await withHarness({ trusted: true, env: { EVENT_PAYMENT_FAILED: 'off' } }, async (off) => {
      await seeded(off);
      const res = await request(off.app).post('/').send(pubSubEnvelope(declined()));
      expect(res.body).toEqual({ status: 'skipped', reason: 'disabled' });
      const refund = transactionAdded({
        id: 'e1f2a3b4-0000-4000-8000-00000000b200',
        type: 'Refund',
        amount: usd(1000),
        state: 'Success',
      });
      expect((await request(off.app).post('/').send(pubSubEnvelope(refund))).body).toEqual({
        status: 'delivered',
        events: 1,
      });
      expect(off.segment.events().map((event) => event.event)).toEqual(['Order Refunded']);
    });
  });
});
