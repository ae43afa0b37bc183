import request from 'supertest';
import { buildOrderCompleted } from '../../src/mapping/order';
import { SEGMENT_MAX_EVENT_BYTES } from '../../src/segment/limits';
import type { Order } from '@commercetools/platform-sdk';
import customerMinimal from '../fixtures/customers/customer-minimal.json';
import guestOrder from '../fixtures/orders/order-guest.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import { PROJECT_KEY } from '../support/environment';
import { seedOrders, useHarness } from '../support/harness';
import { changeNotification, messageNotification, pubSubEnvelope } from '../support/notifications';
import { paymentWith, usd } from '../support/resources/payments';

/**
 * Only what commercetools holds reaches Segment, and one bad event never takes others down. The
 * deliveries here are unauthenticated, as a stranger's post (or Connect's push without a token)
 * would be: the app must not believe what they carry.
 */
const PAYMENT_ID = '6b5a4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d';
const REFUND_ID = 'a9b8c7d6-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const FAILED_CHARGE_ID = 'a9b8c7d6-0000-4000-8000-00000000c401';
const CHARGE_ID = 'a9b8c7d6-0000-4000-8000-00000000c200';

const paidOrder = { ...taxExcludedOrder, paymentInfo: { payments: [{ typeId: 'payment', id: PAYMENT_ID }] } };
const payment = paymentWith(
  PAYMENT_ID,
  [
    { id: FAILED_CHARGE_ID, type: 'Charge', amount: usd(22746), state: 'Failure' },
    { id: CHARGE_ID, type: 'Charge', amount: usd(22746), state: 'Success' },
    { id: REFUND_ID, type: 'Refund', amount: usd(2500), state: 'Success' },
  ],
  { lastModifiedAt: '2026-03-20T10:05:00.000Z', amountPlanned: taxExcludedOrder.taxedPrice.totalGross },
);

const guest = (n: number) => ({
  ...guestOrder,
  id: `1a2b3c4d-0000-4000-8000-${String(n).padStart(12, '0')}`,
  customerEmail: `guest${n}@example.com`,
});

/** A B2B order with `lines` line items: far over 32 KB as an event. */
function largeOrder(lines: number, id = '0b0b0b0b-1111-4000-8000-000000000400') {
  const [line] = taxExcludedOrder.lineItems;
  return {
    ...taxExcludedOrder,
    id,
    lineItems: Array.from({ length: lines }, (_, n) => ({
      ...line,
      id: `0b0b0b0b-2222-4000-8000-${String(n).padStart(12, '0')}`,
      variant: {
        ...line!.variant,
        sku: `SKU-${n}`,
        images: [
          { url: `https://images.example.com/catalogue/products/${n}/large.jpg`, dimensions: { w: 1200, h: 1200 } },
        ],
      },
    })),
  };
}

const harness = useHarness({ env: { SEGMENT_PUBLIC_API_TOKEN: 'public-api-token-value' } }, async (h) => {
  await seedOrders(h, paidOrder);
  await h.seed('payment', payment);
  await h.seed('customer', customerMinimal);
  for (let n = 0; n < 30; n += 1) await h.seed('order', guest(n));
});
const post = (body: object) => request(harness.app).post('/').send(pubSubEnvelope(body));

describe('forged and tampered payloads', () => {
  const invented = {
    ...taxExcludedOrder,
    id: 'f0f0f0f0-0000-4000-8000-000000999999',
    taxedPrice: { ...taxExcludedOrder.taxedPrice, totalGross: usd(99_999_900) },
  };

  it.each([
    ['posted directly', (body: object) => request(harness.app).post('/').send(body)],
    ['wrapped as a Pub/Sub push', post],
  ])('sends nothing for an OrderCreated carrying an order commercetools never had, %s', async (_label, send) => {
    const res = await send(messageNotification('order', invented.id, 'OrderCreated', { order: invented }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'skipped', reason: 'not-found' });
    expect(harness.segment.received).toHaveLength(0);
    expect(harness.logs.at(-1)).toMatchObject({
      outcome: 'skipped',
      reason: 'not-found',
      source: 'read',
      resourceId: invented.id,
    });
  });

  it('sends commercetools’ figures, not a tampered carried copy’s', async () => {
    const tampered = {
      ...paidOrder,
      taxedPrice: { ...paidOrder.taxedPrice, totalGross: usd(99_999_900) },
      totalPrice: usd(99_999_900),
    };
    const res = await post(messageNotification('order', paidOrder.id, 'OrderCreated', { order: tampered }));
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    const [event] = harness.segment.events();
    expect(event?.properties).toMatchObject({ order_id: paidOrder.id, total: 227.46, revenue: 200.97 });
  });

  it('sends nothing for a CustomerCreated carrying a customer commercetools does not hold, and its own data for one it does', async () => {
    const stranger = { ...customerMinimal, id: 'c0c0c0c0-0000-4000-8000-000000000001', email: 'forged@example.com' };
    expect(
      (await post(messageNotification('customer', stranger.id, 'CustomerCreated', { customer: stranger }))).body,
    ).toEqual({ status: 'skipped', reason: 'not-found' });
    expect(harness.segment.received).toHaveLength(0);

    const tampered = { ...customerMinimal, email: 'attacker@example.com' };
    await post(messageNotification('customer', customerMinimal.id, 'CustomerCreated', { customer: tampered })).expect(
      200,
    );
    const identify = harness.segment.events().find((event) => event.type === 'identify');
    expect(identify?.traits).toMatchObject({ email: customerMinimal.email });
  });

  it('refunds the amount the payment holds, not the one a message claims, and nothing for a transaction it does not hold', async () => {
    const claimed = { id: REFUND_ID, type: 'Refund', amount: usd(99_999_900), state: 'Success' };
    const res = await post(
      messageNotification('payment', PAYMENT_ID, 'PaymentTransactionAdded', { transaction: claimed }),
    );
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    expect(harness.segment.events()[0]).toMatchObject({
      event: 'Order Refunded',
      properties: { total: 25, order_id: paidOrder.id },
    });

    harness.segment.reset();
    const unknown = { ...claimed, id: 'a9b8c7d6-0000-4000-8000-00000000dead' };
    expect(
      (await post(messageNotification('payment', PAYMENT_ID, 'PaymentTransactionAdded', { transaction: unknown })))
        .body,
    ).toEqual({
      status: 'skipped',
      reason: 'not-found',
    });
    expect(harness.segment.received).toHaveLength(0);
  });
});

describe('forged payment failures', () => {
  it('sends the amount the payment holds as failed, not the one a message claims', async () => {
    const claimed = { id: FAILED_CHARGE_ID, type: 'Charge', amount: usd(99_999_900), state: 'Failure' };
    const res = await post(
      messageNotification('payment', PAYMENT_ID, 'PaymentTransactionAdded', { transaction: claimed }),
    );
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    expect(harness.segment.events()).toEqual([
      expect.objectContaining({
        event: 'Payment Failed',
        properties: expect.objectContaining({ total: 227.46, order_id: paidOrder.id, payment_method: 'card' }),
      }),
    ]);
    expect(harness.logs.at(-1)).toMatchObject({ outcome: 'delivered', source: 'read' });
  });

  it.each([
    [
      'a failure claimed for a charge that succeeded',
      () =>
        messageNotification('payment', PAYMENT_ID, 'PaymentTransactionAdded', {
          transaction: { id: CHARGE_ID, type: 'Charge', amount: usd(22746), state: 'Failure' },
        }),
      'unproven',
    ],
    [
      'a change to Failure claimed for a charge that succeeded',
      () =>
        messageNotification('payment', PAYMENT_ID, 'PaymentTransactionStateChanged', {
          transactionId: CHARGE_ID,
          state: 'Failure',
        }),
      'unproven',
    ],
    [
      'a failed charge the payment does not hold',
      () =>
        messageNotification('payment', PAYMENT_ID, 'PaymentTransactionAdded', {
          transaction: {
            id: 'a9b8c7d6-0000-4000-8000-00000000dead',
            type: 'Charge',
            amount: usd(100),
            state: 'Failure',
          },
        }),
      'not-found',
    ],
  ])('sends nothing for %s', async (_label, build, reason) => {
    const res = await post(build());
    expect(res.body).toEqual({ status: 'skipped', reason });
    expect(harness.segment.received).toHaveLength(0);
  });
});

describe('customer deletions', () => {
  const never = 'd0d0d0d0-0000-4000-8000-000000000001';

  it('requests no deletion from an unauthenticated delivery in a project without messages, for any id', async () => {
    for (const id of [never, customerMinimal.id]) {
      const res = await post(changeNotification('ResourceDeleted', 'customer', id));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'skipped', reason: 'unverified-deletion' });
    }
    expect(harness.publicApi.received).toHaveLength(0);
  });

  describe('with messages', () => {
    const deleted = 'd0d0d0d0-0000-4000-8000-000000000002';
    const withMessages = useHarness(
      { env: { SEGMENT_PUBLIC_API_TOKEN: 'public-api-token-value' }, messages: true },
      async (h) => {
        await h.seed('customer', customerMinimal);
        await h.publish(messageNotification('customer', deleted, 'CustomerDeleted', {}));
      },
    );

    it('requests no deletion for ids commercetools never deleted, whether it holds them or never did', async () => {
      for (const id of [never, customerMinimal.id]) {
        const res = await request(withMessages.app)
          .post('/')
          .send(pubSubEnvelope(changeNotification('ResourceDeleted', 'customer', id)));
        expect(res.body).toEqual({ status: 'skipped', reason: 'unproven' });
      }
      expect(withMessages.publicApi.received).toHaveLength(0);
    });

    it('still honours a real deletion', async () => {
      const res = await request(withMessages.app)
        .post('/')
        .send(pubSubEnvelope(changeNotification('ResourceDeleted', 'customer', deleted)));
      expect(res.body).toEqual({ status: 'deletion-requested' });
      expect(withMessages.publicApi.received.map((r) => r.body)).toEqual([
        { regulationType: 'SUPPRESS_WITH_DELETE', subjectType: 'USER_ID', subjectIds: [deleted] },
      ]);
    });
  });

  describe('from an authenticated delivery', () => {
    const trusted = useHarness({ env: { SEGMENT_PUBLIC_API_TOKEN: 'public-api-token-value' }, trusted: true }, (h) =>
      h.seed('customer', customerMinimal),
    );

    it('requests no deletion for a customer commercetools still holds, and requests it once commercetools answers 404', async () => {
      const still = await request(trusted.app)
        .post('/')
        .send(pubSubEnvelope(changeNotification('ResourceDeleted', 'customer', customerMinimal.id)));
      expect(still.body).toEqual({ status: 'skipped', reason: 'customer-exists' });
      const gone = await request(trusted.app)
        .post('/')
        .send(pubSubEnvelope(changeNotification('ResourceDeleted', 'customer', never)));
      expect(gone.body).toEqual({ status: 'deletion-requested' });
      expect(trusted.publicApi.received.map((r) => r.body)).toEqual([
        { regulationType: 'SUPPRESS_WITH_DELETE', subjectType: 'USER_ID', subjectIds: [never] },
      ]);
    });
  });
});

describe("Segment's limits", () => {
  const large = largeOrder(400);
  beforeAll(() => harness.seed('order', large));

  it('answers a 400-line order and the 30 notifications around it 2xx; the large one arrives under 32 KB with every order figure', async () => {
    const notifications = Array.from({ length: 31 }, (_, n) =>
      changeNotification('ResourceCreated', 'order', n === 15 ? large.id : guest(n > 15 ? n - 1 : n).id),
    );
    const answers = await Promise.all(notifications.map((notification) => post(notification)));
    for (const answer of answers) expect(answer.status).toBe(200);
    expect(answers.map((answer) => answer.body.status)).toEqual(Array(31).fill('delivered'));

    const event = harness.segment.events().find((candidate) => candidate.properties?.order_id === large.id);
    expect(event).toBeDefined();
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(SEGMENT_MAX_EVENT_BYTES);
    const untruncated = buildOrderCompleted(large as unknown as Order, {
      projectKey: PROJECT_KEY,
      consentFieldName: 'consent',
      anonymousIdFallback: 'email-hash',
      event: { name: 'Order Completed', slug: 'order-completed' },
    });
    if (untruncated.kind !== 'calls') throw new Error('expected calls');
    const { products, ...figures } = (untruncated.calls.at(-1) as { properties: Record<string, unknown> }).properties;
    expect(event?.properties).toMatchObject({ ...figures, products_truncated: true, products_count: 400 });
    const sent = event?.properties?.products as Record<string, unknown>[];
    expect(sent.length).toBeGreaterThan(50);
    expect(sent.length).toBeLessThan(400);
    // Optional detail went first; what stays is the start of the list, with its figures.
    expect(sent[0]).not.toHaveProperty('image_url');
    expect(sent.map((product) => product.sku)).toEqual(
      (products as Record<string, unknown>[]).slice(0, sent.length).map((product) => product.sku),
    );
    // Every request stayed within Segment's limits: the stand-in refused none.
    expect(harness.segment.received).toHaveLength(harness.segment.accepted.length);
  });

  it('delivers an OrderCreated pushed at 1.7 MB without a token: the order is read from commercetools, its event cut to fit', async () => {
    const order = largeOrder(620, '0b0b0b0b-1111-4000-8000-000000000620');
    await harness.seed('order', order);
    const push = pubSubEnvelope(messageNotification('order', order.id, 'OrderCreated', { order }));
    // Past the 1 MB that used to be answered 413 for ever; far below Pub/Sub's 10 MB.
    expect(Buffer.byteLength(JSON.stringify(push))).toBeGreaterThan(1_700_000);

    const res = await request(harness.app).post('/').send(push);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    expect(harness.logs.at(-1)).toMatchObject({ outcome: 'delivered', source: 'read', resourceId: order.id });
    const [event] = harness.segment.events();
    expect(event).toMatchObject({ event: 'Order Completed' });
    expect(event?.properties).toMatchObject({ order_id: order.id, products_truncated: true, products_count: 620 });
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(SEGMENT_MAX_EVENT_BYTES);
  });

  it('rejects only the notification whose event Segment refuses, even when its request was shared', async () => {
    const refusedId = guest(7).id;
    harness.segment.refuseEvents((event) => event.properties?.order_id === refusedId);
    // A slow Segment: batches wait behind the request in flight and are merged.
    harness.segment.behave({ kind: 'delay', ms: 150 });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, n) => post(changeNotification('ResourceCreated', 'order', guest(n).id))),
    );

    for (const answer of answers) expect(answer.status).toBe(200);
    answers.forEach((answer, n) => {
      expect(answer.body).toEqual(
        n === 7 ? { status: 'skipped', reason: 'segment-rejected' } : { status: 'delivered', events: 2 },
      );
    });
    const refusedRequests = harness.segment.received.filter((r) => !harness.segment.accepted.includes(r));
    // The refusal did hit a request shared with other notifications: isolation is what saved them.
    expect(
      refusedRequests.some((r) => r.events.some((e) => e.properties?.order_id !== refusedId && e.type === 'track')),
    ).toBe(true);
    const delivered = new Set(
      harness.segment
        .events()
        .map((event) => event.properties?.order_id)
        .filter(Boolean),
    );
    expect(delivered.size).toBe(29);
    expect(delivered.has(refusedId)).toBe(false);
    const line = harness.logs.find((entry) => entry.reason === 'segment-rejected');
    expect(line).toMatchObject({
      level: 'error',
      resourceId: refusedId,
      route: 'order/ResourceCreated',
      segmentMessage: expect.stringContaining('refused'),
    });
    expect(line?.messageIds).toEqual(expect.arrayContaining([expect.stringMatching(/^ct-/)]));
    expect(harness.logText()).not.toContain('guest7@example.com');
  });
});
