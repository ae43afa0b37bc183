import request from 'supertest';
import customerMinimal from '../fixtures/customers/customer-minimal.json';
import guestOrder from '../fixtures/orders/order-guest.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import taxIncludedOrder from '../fixtures/orders/order-tax-included.json';
import { DEFAULT_DEADLINE_MS, processDelivery } from '../../src/pipeline';
import type { FaultProxy } from '../support/fault-proxy';
import { seedOrders, startHarness, useHarness, withHarness, type Harness } from '../support/harness';
import { NO_PRODUCT_READS } from '../support/environment';
import { changeNotification, messageNotification, pubSubEnvelope } from '../support/notifications';

/**
 * What the connector's speed depends on, pinned by counting the requests that reach
 * commercetools (through a counting proxy) and Segment, never by timing anything.
 */
const order = (n: number) => ({
  ...guestOrder,
  id: `0ddba11e-0000-4000-8000-${String(n).padStart(12, '0')}`,
  customerEmail: `guest${n}@example.com`,
});

const harness = useHarness({ proxied: true, env: NO_PRODUCT_READS }, async (h) => {
  // As at start: the project's settings are read once, before any notification.
  await h.pipeline.project.messages();
  for (let n = 0; n < 30; n += 1) await h.seed('order', order(n));
  await seedOrders(h, taxExcludedOrder);
});
const proxy = () => harness.proxy as FaultProxy;

const post = (body: object) => request(harness.app).post('/').send(pubSubEnvelope(body));

it('fetches one access token for many notifications, and reads a guest order with two requests', async () => {
  const before = proxy().count();
  const answers = await Promise.all(
    Array.from({ length: 30 }, (_, n) => post(changeNotification('ResourceCreated', 'order', order(n).id))),
  );
  expect(answers.every((answer) => answer.status === 200)).toBe(true);
  expect(proxy().count('/oauth/')).toBe(1);
  // Per guest order: the order, then the look-up of its email.
  expect(proxy().count('/orders/')).toBe(30);
  expect(proxy().count('/customers?')).toBe(30);
  // The token came with the project's settings, read at start.
  expect(proxy().count() - before).toBe(60);
  expect(harness.segment.events()).toHaveLength(60);
});

it('reads a registered customer’s order with one request', async () => {
  const before = proxy().count();
  await post(changeNotification('ResourceCreated', 'order', taxExcludedOrder.id)).expect(200);
  expect(proxy().count() - before).toBe(1);
});

describe('messages that carry their resource', () => {
  const carriedOrder = { ...taxIncludedOrder, id: '0ddba11e-1111-4000-8000-000000000001', discountCodes: [] };
  const carriedCustomer = { ...customerMinimal, id: '0ddba11e-1111-4000-8000-000000000002' };
  const messages = () => [
    messageNotification('order', carriedOrder.id, 'OrderCreated', { order: carriedOrder }),
    messageNotification('customer', carriedCustomer.id, 'CustomerCreated', { customer: carriedCustomer }),
  ];

  it('reads nothing when the delivery was authenticated', async () => {
    await withHarness({ proxied: true, trusted: true, env: NO_PRODUCT_READS }, async (trusted) => {
      await trusted.pipeline.project.messages();
      const before = trusted.proxy?.count() ?? 0;
      for (const message of messages()) await request(trusted.app).post('/').send(pubSubEnvelope(message)).expect(200);
      expect(trusted.proxy?.count()).toBe(before);
      expect(trusted.segment.events().map((event) => event.event ?? event.type)).toEqual([
        'Order Completed',
        'identify',
        'Signed Up',
      ]);
    });
  });

  it('reads each resource once when it was not: one request per message', async () => {
    await harness.seed('order', carriedOrder);
    await harness.seed('customer', carriedCustomer);
    const before = proxy().count();
    for (const message of messages()) await post(message).expect(200);
    expect(proxy().count() - before).toBe(2);
    expect(harness.segment.events().map((event) => event.event ?? event.type)).toEqual([
      'Order Completed',
      'identify',
      'Signed Up',
    ]);
  });
});

describe('unauthenticated messages in a project that keeps messages', () => {
  const withMessages = useHarness({ proxied: true, messages: true, env: NO_PRODUCT_READS }, async (h) => {
    await h.pipeline.project.messages();
    await seedOrders(h, taxExcludedOrder);
  });
  const counter = () => withMessages.proxy as FaultProxy;
  const send = (body: object) => request(withMessages.app).post('/').send(pubSubEnvelope(body));

  it('reads the message alone when it carries its resource, and the message and the order for a state change', async () => {
    const carriedOrder = { ...taxIncludedOrder, id: '0ddba11e-2222-4000-8000-000000000001', discountCodes: [] };
    const created = await withMessages.publish(
      messageNotification('order', carriedOrder.id, 'OrderCreated', { order: carriedOrder }),
    );
    let before = counter().count();
    await send(created).expect(200);
    expect(counter().count() - before).toBe(1);
    expect(counter().count('/messages/')).toBe(1);

    const shipped = await withMessages.publish(
      messageNotification('order', taxExcludedOrder.id, 'OrderShipmentStateChanged', { shipmentState: 'Shipped' }),
    );
    before = counter().count();
    await send(shipped).expect(200);
    expect(counter().count() - before).toBe(2);
    expect(withMessages.segment.events().map((event) => event.event)).toEqual(['Order Completed', 'Order Shipped']);
  });

  it('reads only the message for a forgery, and nothing for a claim that names no event', async () => {
    let before = counter().count();
    const forged = messageNotification('order', taxExcludedOrder.id, 'OrderStateChanged', { orderState: 'Cancelled' });
    expect((await send(forged)).body).toEqual({ status: 'skipped', reason: 'unproven' });
    expect(counter().count() - before).toBe(1);
    before = counter().count();
    const noEvent = messageNotification('order', taxExcludedOrder.id, 'OrderStateChanged', { orderState: 'Confirmed' });
    expect((await send(noEvent)).body).toEqual({ status: 'skipped', reason: 'no-event' });
    expect(counter().count() - before).toBe(0);
  });
});

describe('payment messages', () => {
  const paymentId = '0ddba11e-2222-4000-8000-000000000001';
  const usd = (centAmount: number) => ({ type: 'centPrecision', currencyCode: 'USD', centAmount, fractionDigits: 2 });
  const failedCharge = {
    id: '0ddba11e-2222-4000-8000-00000000c401',
    type: 'Charge',
    amount: usd(22746),
    state: 'Failure',
  };
  const refund = { id: '0ddba11e-2222-4000-8000-00000000b200', type: 'Refund', amount: usd(1000), state: 'Success' };
  const added = (transaction: object) =>
    messageNotification('payment', paymentId, 'PaymentTransactionAdded', { transaction });
  let trusted: Harness;

  beforeAll(async () => {
    await harness.seed('order', {
      ...taxExcludedOrder,
      id: '0ddba11e-2222-4000-8000-000000000002',
      paymentInfo: { payments: [{ typeId: 'payment', id: paymentId }] },
    });
    await harness.seed('payment', {
      id: paymentId,
      version: 3,
      createdAt: '2026-03-14T09:26:50.000Z',
      lastModifiedAt: '2026-03-14T09:31:12.000Z',
      amountPlanned: usd(22746),
      paymentMethodInfo: { paymentInterface: 'stripe', method: 'card' },
      paymentStatus: {},
      transactions: [failedCharge, refund],
      interfaceInteractions: [],
    });
    trusted = await startHarness({ commercetoolsUrl: proxy().url, trusted: true, env: NO_PRODUCT_READS });
  });
  afterAll(() => trusted.close());

  /** The payment and order reads one notification makes (the access token aside). */
  async function readsOf(app: Harness, notification: object) {
    const payments = proxy().count('/payments/');
    const orders = proxy().count('/orders?');
    const all = proxy().count() - proxy().count('/oauth/');
    await request(app.app).post('/').send(pubSubEnvelope(notification)).expect(200);
    return {
      payments: proxy().count('/payments/') - payments,
      orders: proxy().count('/orders?') - orders,
      all: proxy().count() - proxy().count('/oauth/') - all,
    };
  }

  it.each([
    ['a failed charge, authenticated: the payment for its method, then the order', () => trusted, failedCharge, 1],
    [
      'a failed charge, unauthenticated: the payment for its transaction and method, then the order',
      () => harness,
      failedCharge,
      1,
    ],
    ['a refund, authenticated: the order only', () => trusted, refund, 0],
    ['a refund, unauthenticated: the payment, then the order', () => harness, refund, 1],
  ])('reads the payment at most once for %s', async (_label, app, transaction, payments) => {
    expect(await readsOf(app(), added(transaction))).toEqual({ payments, orders: 1, all: payments + 1 });
  });

  it('reads the payment once and the order once for a transaction that changed state', async () => {
    const changed = messageNotification('payment', paymentId, 'PaymentTransactionStateChanged', {
      transactionId: failedCharge.id,
      state: 'Failure',
    });
    expect(await readsOf(trusted, changed)).toEqual({ payments: 1, orders: 1, all: 2 });
  });

  it('reads nothing for a message that claims nothing to send', async () => {
    const pending = { ...failedCharge, state: 'Pending' };
    expect(await readsOf(harness, added(pending))).toEqual({ payments: 0, orders: 0, all: 0 });
  });
});

it('shares Segment requests between notifications processed together, each answered once its own events were accepted', async () => {
  // Segment is slow, so batches queue behind the requests in flight and are merged.
  harness.segment.behave({ kind: 'delay', ms: 150 });
  const answers = await Promise.all(
    Array.from({ length: 30 }, (_, n) => post(changeNotification('ResourceCreated', 'order', order(n).id))),
  );
  for (const answer of answers) expect(answer.body).toEqual({ status: 'delivered', events: 2 });
  const accepted = harness.segment.events().map((event) => event.messageId);
  expect(new Set(accepted).size).toBe(60);
  // Never more requests than notifications; how many fewer depends on arrival, not asserted.
  expect(harness.segment.accepted.length).toBeLessThanOrEqual(30);
  expect(harness.segment.accepted.some((batch) => batch.events.length > 2)).toBe(true);
});

it('counts a wait for a turn toward the deadline: a notification whose deadline passed while it waited reads nothing', async () => {
  const before = proxy().count();
  const envelope = pubSubEnvelope(changeNotification('ResourceCreated', 'order', order(1).id));
  const late = await processDelivery(envelope, harness.pipeline, {
    authenticated: false,
    receivedAt: performance.now() - DEFAULT_DEADLINE_MS - 1,
  });
  expect(late).toEqual({
    kind: 'failure',
    failure: 'upstream-unavailable',
    message: 'processing deadline passed while waiting for a turn',
  });
  expect(proxy().count() - before).toBe(0);
  expect(harness.segment.events()).toHaveLength(0);
});
