import { createHash } from 'node:crypto';
import request from 'supertest';
import guestOrder from '../fixtures/orders/order-guest.json';
import taxIncludedOrder from '../fixtures/orders/order-tax-included.json';
import { onlyEvent, seedOrders, useHarness, withHarness } from '../support/harness';
import { changeNotification, messageNotification, pubSubEnvelope } from '../support/notifications';
import { registeredCustomer } from '../support/resources/customers';
import { usd } from '../support/resources/payments';
import {
  ONE_SNEAKER_GROSS,
  paidOrder,
  payment,
  PAYMENT_ID,
  REFUND_ID,
  SNEAKERS,
  successfulRefund,
} from '../support/resources/refunds';

// Authenticated deliveries: what messages carry is used as is (integrity.integration.test.ts covers the rest).
const harness = useHarness({ env: { LOCALE: 'en' }, trusted: true }, async (h) => {
  await seedOrders(h, paidOrder, taxIncludedOrder, guestOrder);
  await h.seed('payment', payment);
});
const post = (body: object) => request(harness.app).post('/').send(pubSubEnvelope(body));
const events = () => harness.segment.events();
const only = () => onlyEvent(harness);

describe('order lifecycle events', () => {
  it('tracks Order Updated with the full order properties, keyed by the version read', async () => {
    const res = await post(changeNotification('ResourceUpdated', 'order', paidOrder.id, paidOrder.version));
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    const event = only();
    expect(event).toMatchObject({
      type: 'track',
      event: 'Order Updated',
      userId: paidOrder.customerId,
      timestamp: new Date(paidOrder.lastModifiedAt).toISOString(),
      properties: {
        order_id: paidOrder.id,
        order_number: paidOrder.orderNumber,
        total: 227.46,
        subtotal: 200.97,
        total_net: 208.92,
        tax: 18.54,
        shipping: 8.66,
        discount: 24.32,
        store: paidOrder.store.key,
        shipping_method: paidOrder.shippingInfo.shippingMethodName,
        order_state: 'Open',
        payment_state: 'Paid',
        shipment_state: 'Pending',
        country: 'US',
        coupon: 'SAVE10',
      },
    });
    expect(event.messageId).toMatch(/^ct-order-updated-/);
  });

  it.each([
    ['OrderStateChanged', { orderState: 'Cancelled', oldOrderState: 'Open' }, 'Order Cancelled', 'order-cancelled'],
    ['OrderPaymentStateChanged', { paymentState: 'Paid', oldPaymentState: 'Pending' }, 'Order Paid', 'order-paid'],
    [
      'OrderShipmentStateChanged',
      { shipmentState: 'Shipped', oldShipmentState: 'Ready' },
      'Order Shipped',
      'order-shipped',
    ],
    [
      'OrderShipmentStateChanged',
      { shipmentState: 'Delivered', oldShipmentState: 'Shipped' },
      'Order Delivered',
      'order-delivered',
    ],
  ])('tracks %s %j as %s at the message time', async (type, fields, eventName, slug) => {
    const message = messageNotification('order', paidOrder.id, type, fields, { createdAt: '2026-03-21T08:00:00.000Z' });
    const res = await post(message);
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    const event = only();
    expect(event).toMatchObject({
      event: eventName,
      userId: paidOrder.customerId,
      timestamp: '2026-03-21T08:00:00.000Z',
      properties: { order_id: paidOrder.id, total: 227.46, currency: 'USD', store: 'us-webshop' },
    });
    expect(event.messageId.startsWith(`ct-${slug}-`)).toBe(true);
  });

  it.each([
    ['OrderStateChanged', { orderState: 'Complete' }],
    ['OrderPaymentStateChanged', { paymentState: 'Failed' }],
    ['OrderShipmentStateChanged', { shipmentState: 'Backorder' }],
  ])('acknowledges %s %j without sending anything', async (type, fields) => {
    const res = await post(messageNotification('order', paidOrder.id, type, fields));
    expect(res.body).toEqual({ status: 'skipped', reason: 'no-event' });
    expect(harness.segment.received).toHaveLength(0);
  });

  it('rejects a state message that lacks its state field', async () => {
    const res = await post(messageNotification('order', paidOrder.id, 'OrderStateChanged', {}));
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('orderState');
  });

  it('gives two cancellations of different orders different messageIds, and a redelivery the same one', async () => {
    const cancelPaid = messageNotification('order', paidOrder.id, 'OrderStateChanged', { orderState: 'Cancelled' });
    const cancelOther = messageNotification('order', taxIncludedOrder.id, 'OrderStateChanged', {
      orderState: 'Cancelled',
    });
    await post(cancelPaid).expect(200);
    await post(cancelPaid).expect(200);
    await post(cancelOther).expect(200);
    const [first, again, other] = events().map((event) => event.messageId);
    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });
});

describe('OrderCreated message', () => {
  it('uses the order the message carries, without reading it again', async () => {
    // Not in the stand-in: a read would find nothing.
    const carried = { ...taxIncludedOrder, id: '1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b', discountCodes: [] };
    const res = await post(messageNotification('order', carried.id, 'OrderCreated', { order: carried }));
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    expect(only()).toMatchObject({ event: 'Order Completed', properties: { order_id: carried.id, total: 127.2 } });
  });

  it('reads the order again when its discount codes are not expanded, so the coupon is the code', async () => {
    const unexpanded = {
      ...paidOrder,
      discountCodes: paidOrder.discountCodes.map(({ discountCode, state }) => ({
        state,
        discountCode: { typeId: discountCode.typeId, id: discountCode.id },
      })),
    };
    await post(messageNotification('order', paidOrder.id, 'OrderCreated', { order: unexpanded })).expect(200);
    expect(only().properties).toMatchObject({ coupon: 'SAVE10' });
  });

  it('reads the order when the payload was left out, and matches the change route’s messageIds', async () => {
    const message = messageNotification('order', guestOrder.id, 'OrderCreated', {
      payloadNotIncluded: { reason: 'Payload too large', payloadType: 'OrderCreated' },
    });
    await post(message).expect(200);
    await post(changeNotification('ResourceCreated', 'order', guestOrder.id)).expect(200);
    const [identify, track, identifyAgain, trackAgain] = events();
    expect([identify?.type, track?.event]).toEqual(['identify', 'Order Completed']);
    expect(identifyAgain?.messageId).toBe(identify?.messageId);
    expect(trackAgain?.messageId).toBe(track?.messageId);
  });
});

describe('refunds', () => {
  it('tracks Order Refunded for an added successful refund, with the refunded amount and returned products', async () => {
    const transaction = {
      id: REFUND_ID,
      type: 'Refund',
      amount: usd(ONE_SNEAKER_GROSS),
      state: 'Success',
      timestamp: '2026-03-20T10:04:00.000Z',
    };
    const res = await post(
      messageNotification(
        'payment',
        PAYMENT_ID,
        'PaymentTransactionAdded',
        { transaction },
        { createdAt: '2026-03-20T10:05:00.000Z' },
      ),
    );
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    const event = only();
    expect(event).toMatchObject({
      event: 'Order Refunded',
      userId: paidOrder.customerId,
      timestamp: '2026-03-20T10:05:00.000Z',
      properties: {
        order_id: paidOrder.id,
        total: 88.09,
        currency: 'USD',
        products: [{ product_id: SNEAKERS.productId, sku: SNEAKERS.variant.sku, quantity: 1, position: 1 }],
      },
    });
    // The order's own figures would read as the refunded value in destinations: they stay out.
    expect(event.properties).not.toHaveProperty('revenue');
    expect(event.properties).not.toHaveProperty('subtotal');
  });

  it('tracks a refund that became successful, reading the payment, keyed by the transaction id', async () => {
    const message = messageNotification('payment', PAYMENT_ID, 'PaymentTransactionStateChanged', {
      transactionId: REFUND_ID,
      state: 'Success',
    });
    await post(message).expect(200);
    const added = messageNotification('payment', PAYMENT_ID, 'PaymentTransactionAdded', {
      transaction: successfulRefund,
    });
    await post(added).expect(200);
    const [fromState, fromAdded] = events();
    expect(fromState).toMatchObject({ event: 'Order Refunded', properties: { total: 88.09 } });
    // Two messages about one refund: Segment keeps one.
    expect(fromAdded?.messageId).toBe(fromState?.messageId);
  });

  it('lists no products when the refund does not match the returned items', async () => {
    const transaction = {
      id: 'b7a6c5d4-0000-4000-8000-00000000abcd',
      type: 'Refund',
      amount: usd(1000),
      state: 'Success',
    };
    await post(messageNotification('payment', PAYMENT_ID, 'PaymentTransactionAdded', { transaction })).expect(200);
    expect(only().properties).toEqual(expect.objectContaining({ total: 10, currency: 'USD' }));
    expect(only().properties).not.toHaveProperty('products');
  });

  it.each([
    ['a charge', { type: 'Charge', state: 'Success' }],
    ['a pending refund', { type: 'Refund', state: 'Pending' }],
  ])('ignores %s', async (_label, kind) => {
    const transaction = { id: 'd1d2d3d4-0000-4000-8000-000000000000', amount: usd(500), ...kind };
    const res = await post(messageNotification('payment', PAYMENT_ID, 'PaymentTransactionAdded', { transaction }));
    expect(res.body).toEqual({ status: 'skipped', reason: 'no-event' });
  });

  it('acknowledges a refund of a payment that belongs to no order', async () => {
    const transaction = { id: REFUND_ID, type: 'Refund', amount: usd(500), state: 'Success' };
    const res = await post(
      messageNotification('payment', '00000000-0000-4000-8000-0000000000aa', 'PaymentTransactionAdded', {
        transaction,
      }),
    );
    expect(res.body).toEqual({ status: 'skipped', reason: 'no-order' });
  });
});

describe('redelivery', () => {
  it.each([
    ['order ResourceUpdated', () => changeNotification('ResourceUpdated', 'order', paidOrder.id, 3)],
    ['OrderCreated', () => messageNotification('order', paidOrder.id, 'OrderCreated', { order: paidOrder })],
    [
      'OrderStateChanged',
      () => messageNotification('order', paidOrder.id, 'OrderStateChanged', { orderState: 'Cancelled' }),
    ],
    [
      'OrderPaymentStateChanged',
      () => messageNotification('order', paidOrder.id, 'OrderPaymentStateChanged', { paymentState: 'Paid' }),
    ],
    [
      'OrderShipmentStateChanged',
      () => messageNotification('order', paidOrder.id, 'OrderShipmentStateChanged', { shipmentState: 'Delivered' }),
    ],
    [
      'PaymentTransactionStateChanged',
      () =>
        messageNotification('payment', PAYMENT_ID, 'PaymentTransactionStateChanged', {
          transactionId: REFUND_ID,
          state: 'Success',
        }),
    ],
    [
      'PaymentTransactionAdded',
      () =>
        messageNotification('payment', PAYMENT_ID, 'PaymentTransactionAdded', {
          transaction: successfulRefund,
        }),
    ],
    [
      'CustomerCreated',
      () =>
        messageNotification('customer', guestOrder.anonymousId, 'CustomerCreated', {
          customer: registeredCustomer(guestOrder.anonymousId, 'new.member@example.com'),
        }),
    ],
  ])('gives a redelivered %s the same messageIds', async (_label, build) => {
    const notification = build();
    await post(notification).expect(200);
    const first = events().map((event) => event.messageId);
    harness.segment.reset();
    await post(notification).expect(200);
    expect(first.length).toBeGreaterThan(0);
    expect(events().map((event) => event.messageId)).toEqual(first);
  });
});

describe('configuration: events switched off and renamed', () => {
  const configured = useHarness(
    {
      trusted: true,
      env: {
        EVENT_ORDER_UPDATED: 'off',
        EVENT_ORDER_CANCELLED: 'Order Canceled',
        EVENT_SIGNED_UP: 'off',
        IDENTIFY_CUSTOMERS: 'false',
      },
    },
    (h) => h.seed('order', paidOrder),
  );

  it('sends a renamed event under its new name, with the same messageId as under the old one', async () => {
    const message = messageNotification(
      'order',
      paidOrder.id,
      'OrderStateChanged',
      { orderState: 'Cancelled' },
      { id: 'f0e1d2c3-0000-4000-8000-000000000c01' },
    );
    await request(configured.app).post('/').send(message).expect(200);
    await post(message).expect(200);
    const renamed = configured.segment.events()[0];
    const original = events()[0];
    expect(renamed?.event).toBe('Order Canceled');
    expect(original?.event).toBe('Order Cancelled');
    expect(renamed?.messageId).toBe(original?.messageId);
  });

  it.each([
    ['Order Updated', changeNotification('ResourceUpdated', 'order', paidOrder.id, 3)],
    [
      'identify and Signed Up',
      changeNotification('ResourceCreated', 'customer', '6b5a4c3d-0000-4000-8000-000000000001'),
    ],
    ['customer identify', changeNotification('ResourceUpdated', 'customer', '6b5a4c3d-0000-4000-8000-000000000001')],
  ])('acknowledges %s, switched off, without sending or reading anything', async (_label, notification) => {
    const res = await request(configured.app).post('/').send(notification);
    expect(res.body).toEqual({ status: 'skipped', reason: 'disabled' });
    expect(configured.segment.received).toHaveLength(0);
  });
});

describe('orders with neither customerId nor anonymousId', () => {
  const agentOrder = { ...guestOrder, id: '5d1c9f7e-8a43-4b7e-9f0e-2c3d4e5f6a7b', anonymousId: undefined };
  const emailHash = createHash('sha256').update(guestOrder.customerEmail.toLowerCase()).digest('hex');

  it.each([
    ['email-hash', { anonymousId: emailHash }, 2],
    ['order-id', { anonymousId: agentOrder.id }, 2],
  ])('with ANONYMOUS_ID_FALLBACK=%s identify the guest as %j', async (fallback, identity, count) => {
    await withHarness({ env: { ANONYMOUS_ID_FALLBACK: fallback } }, async (fallbackHarness) => {
      await fallbackHarness.seed('order', agentOrder);
      const res = await request(fallbackHarness.app)
        .post('/')
        .send(changeNotification('ResourceCreated', 'order', agentOrder.id));
      expect(res.body).toEqual({ status: 'delivered', events: count });
      const [identify, track] = fallbackHarness.segment.events();
      expect(identify).toMatchObject({ type: 'identify', ...identity, traits: { email: guestOrder.customerEmail } });
      expect(track).toMatchObject({ type: 'track', event: 'Order Completed', ...identity });
      expect(track).not.toHaveProperty('userId');
    });
  });

  it('with ANONYMOUS_ID_FALLBACK=none acknowledges and logs the order without sending', async () => {
    await withHarness({ env: { ANONYMOUS_ID_FALLBACK: 'none' } }, async (none) => {
      await none.seed('order', agentOrder);
      const res = await request(none.app)
        .post('/')
        .send(changeNotification('ResourceCreated', 'order', agentOrder.id));
      expect(res.body).toEqual({ status: 'skipped', reason: 'no-identity' });
      expect(none.segment.received).toHaveLength(0);
      expect(none.logs.at(-1)).toMatchObject({ level: 'warn', reason: 'no-identity' });
    });
  });
});
