import request from 'supertest';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import type { CapturedEvent } from '../../src/dev/segment-capture';
import { messageNotification, pubSubEnvelope, startHarness, type Harness } from '../support/harness';

/**
 * Payment Failed through the HTTP endpoint, from authenticated deliveries (what messages carry is
 * believed; integrity.integration.test.ts covers the unauthenticated path). Refunds share the two
 * messages and are covered in order-lifecycle.integration.test.ts.
 */
const PAYMENT_ID = '7c6b5a4d-3e2f-4a1b-9c0d-8e7f6a5b4c3d';
const ORPHAN_PAYMENT_ID = '7c6b5a4d-0000-4000-8000-00000000f00d';
const FAILED_CHARGE = 'e1f2a3b4-0000-4000-8000-00000000c401';
const FAILED_AUTHORIZATION = 'e1f2a3b4-0000-4000-8000-00000000a401';
const SUCCESSFUL_CHARGE = 'e1f2a3b4-0000-4000-8000-00000000c200';
const FAILED_REFUND = 'e1f2a3b4-0000-4000-8000-00000000f401';

const usd = (centAmount: number) => ({ type: 'centPrecision', currencyCode: 'USD', centAmount, fractionDigits: 2 });

/** The tax-excluded order ($227.46): a card charge declined, then paid by a second charge. */
const order = {
  ...taxExcludedOrder,
  paymentState: 'Pending',
  paymentInfo: { payments: [{ typeId: 'payment', id: PAYMENT_ID }] },
};
const transactions = [
  { id: FAILED_AUTHORIZATION, type: 'Authorization', amount: usd(22746), state: 'Failure' },
  { id: FAILED_CHARGE, type: 'Charge', amount: usd(22746), state: 'Failure' },
  { id: SUCCESSFUL_CHARGE, type: 'Charge', amount: usd(22746), state: 'Success' },
  { id: FAILED_REFUND, type: 'Refund', amount: usd(1000), state: 'Failure' },
];
const payment = {
  id: PAYMENT_ID,
  version: 6,
  createdAt: '2026-03-14T09:26:50.000Z',
  lastModifiedAt: '2026-03-14T09:31:12.000Z',
  amountPlanned: usd(22746),
  paymentMethodInfo: { paymentInterface: 'stripe', method: 'card', name: { en: 'Card' } },
  paymentStatus: {},
  transactions,
  interfaceInteractions: [],
};
/** A payment of a checkout that never became an order. */
const orphanPayment = { ...payment, id: ORPHAN_PAYMENT_ID };

const transactionAdded = (transaction: object, options: { id?: string; paymentId?: string } = {}) =>
  messageNotification(
    'payment',
    options.paymentId ?? PAYMENT_ID,
    'PaymentTransactionAdded',
    { transaction },
    { createdAt: '2026-03-14T09:27:41.000Z', ...(options.id ? { id: options.id } : {}) },
  );
const stateChanged = (transactionId: string, state: string) =>
  messageNotification(
    'payment',
    PAYMENT_ID,
    'PaymentTransactionStateChanged',
    { transactionId, state },
    { createdAt: '2026-03-14T09:28:02.000Z' },
  );

let harness: Harness;
const post = (body: object) => request(harness.app).post('/').send(pubSubEnvelope(body));
const only = (): CapturedEvent => {
  const events = harness.segment.events();
  expect(events).toHaveLength(1);
  return events[0]!;
};

beforeAll(async () => {
  harness = await startHarness({ trusted: true });
  await harness.seed('order', order);
  await harness.seed('payment', payment);
  await harness.seed('payment', orphanPayment);
});
afterAll(() => harness.close());
beforeEach(() => harness.segment.reset());

describe('Payment Failed', () => {
  it('tracks a failed charge with its amount and how the shopper paid, under the order’s identity', async () => {
    const res = await post(
      transactionAdded({ id: FAILED_CHARGE, type: 'Charge', amount: usd(22746), state: 'Failure' }),
    );
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
    await post(transactionAdded({ id: FAILED_CHARGE, type: 'Charge', amount: usd(22746), state: 'Failure' })).expect(
      200,
    );
    await post(stateChanged(FAILED_CHARGE, 'Failure')).expect(200);
    await post(stateChanged(FAILED_AUTHORIZATION, 'Failure')).expect(200);
    const [added, changed, other] = harness.segment.events().map((event) => event.messageId);
    expect(changed).toBe(added);
    expect(other).not.toBe(added);
  });

  it.each([
    [
      'PaymentTransactionAdded',
      () => transactionAdded({ id: FAILED_CHARGE, type: 'Charge', amount: usd(22746), state: 'Failure' }),
    ],
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
    const res = await post(
      transactionAdded(
        { id: FAILED_CHARGE, type: 'Charge', amount: usd(22746), state: 'Failure' },
        { paymentId: ORPHAN_PAYMENT_ID },
      ),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'skipped', reason: 'no-order' });
    expect(harness.segment.received).toHaveLength(0);
    expect(harness.logs.at(-1)).toMatchObject({ level: 'info', reason: 'no-order', resourceId: ORPHAN_PAYMENT_ID });
  });

  it('acknowledges a failed charge of a payment commercetools does not hold as not found', async () => {
    const res = await post(
      transactionAdded(
        { id: FAILED_CHARGE, type: 'Charge', amount: usd(22746), state: 'Failure' },
        { paymentId: '7c6b5a4d-0000-4000-8000-00000000dead' },
      ),
    );
    expect(res.body).toEqual({ status: 'skipped', reason: 'not-found' });
    expect(harness.segment.received).toHaveLength(0);
  });
});

describe('EVENT_PAYMENT_FAILED', () => {
  const failedCharge = () =>
    transactionAdded(
      { id: FAILED_CHARGE, type: 'Charge', amount: usd(22746), state: 'Failure' },
      { id: '0a1b2c3d-0000-4000-8000-0000000000f1' },
    );

  it('renames the event and keeps its messageId', async () => {
    const renamed = await startHarness({ trusted: true, env: { EVENT_PAYMENT_FAILED: 'Payment Declined' } });
    try {
      await renamed.seed('order', order);
      await renamed.seed('payment', payment);
      await request(renamed.app).post('/').send(pubSubEnvelope(failedCharge())).expect(200);
      await post(failedCharge()).expect(200);
      const [declined] = renamed.segment.events();
      expect(declined?.event).toBe('Payment Declined');
      expect(declined?.messageId).toBe(only().messageId);
    } finally {
      await renamed.close();
    }
  });

  it('switches it off: acknowledged as disabled, refunds still sent', async () => {
    const off = await startHarness({ trusted: true, env: { EVENT_PAYMENT_FAILED: 'off' } });
    try {
      await off.seed('order', order);
      await off.seed('payment', payment);
      const res = await request(off.app).post('/').send(pubSubEnvelope(failedCharge()));
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
    } finally {
      await off.close();
    }
  });
});
