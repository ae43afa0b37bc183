import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import { rejectionOf } from '../support/errors';
import { createInMemoryConnector, type InMemoryConnectorOptions } from '../support/in-memory-connector';
import { messageNotification } from '../support/notifications';
import { BALANCE_DUE, CANCELLED, DELIVERED, OPEN, orderEventId } from '../support/resources/order-states';
import * as shipments from '../support/resources/shipments';

/**
 * The order state messages without HTTP: OrderStateChanged (Order Cancelled),
 * OrderPaymentStateChanged (Order Paid) and OrderShipmentStateChanged (Order Shipped and Order
 * Delivered, with the shipments and parcels). Authenticated deliveries are believed as they are;
 * an unauthenticated claim is proven by the order's state, or by the Messages API where the project
 * keeps messages.
 */

function holding(orders: object[], options: InMemoryConnectorOptions = {}) {
  const connector = createInMemoryConnector({ env: { LOCALE: 'en' }, ...options });
  for (const order of orders) connector.commercetools.add('order', order);
  return connector;
}

const stateMessage = (
  orderId: string,
  type: string,
  fields: object,
  options: { id?: string; createdAt?: string } = {},
) => messageNotification('order', orderId, type, fields, { createdAt: '2026-03-21T08:00:00.000Z', ...options });
const cancelled = (orderId: string, options: { id?: string; createdAt?: string } = {}) =>
  stateMessage(orderId, 'OrderStateChanged', { orderState: 'Cancelled' }, options);
const shipment = (orderId: string, shipmentState: string) =>
  stateMessage(orderId, 'OrderShipmentStateChanged', { shipmentState });

describe('from an authenticated delivery: the message is believed', () => {
  it.each([
    ['OrderStateChanged', { orderState: 'Cancelled' }, 'Order Cancelled', 'order-cancelled'],
    ['OrderPaymentStateChanged', { paymentState: 'Paid' }, 'Order Paid', 'order-paid'],
    ['OrderShipmentStateChanged', { shipmentState: 'Shipped' }, 'Order Shipped', 'order-shipped'],
    ['OrderShipmentStateChanged', { shipmentState: 'Delivered' }, 'Order Delivered', 'order-delivered'],
  ])('%s %j → %s, dated and keyed by the message, after one read of the order', async (type, fields, name, slug) => {
    const connector = holding([taxExcludedOrder]);
    const message = stateMessage(taxExcludedOrder.id, type, fields);
    expect(await connector.handle(message, { trusted: true })).toEqual({
      kind: 'delivered',
      events: 1,
      detail: { proof: 'delivery' },
    });
    expect(connector.commercetools.reads).toEqual(['order read']);
    expect(connector.segment.accepted()).toEqual([
      expect.objectContaining({
        event: name,
        userId: taxExcludedOrder.customerId,
        timestamp: '2026-03-21T08:00:00.000Z',
        messageId: orderEventId(taxExcludedOrder.id, slug, message.id),
        properties: expect.objectContaining({ order_id: taxExcludedOrder.id, total: 227.46, store: 'us-webshop' }),
      }),
    ]);
  });

  it.each([
    ['OrderStateChanged', { orderState: 'Complete' }],
    ['OrderPaymentStateChanged', { paymentState: 'Failed' }],
    ['OrderShipmentStateChanged', { shipmentState: 'Backorder' }],
  ])('skips %s %j as no-event, without reading anything', async (type, fields) => {
    const connector = holding([taxExcludedOrder]);
    expect(await connector.handle(stateMessage(taxExcludedOrder.id, type, fields), { trusted: true })).toEqual({
      kind: 'skipped',
      reason: 'no-event',
    });
    expect(connector.commercetools.reads).toEqual([]);
  });

  it('refuses a state message without its state field as a bad request', async () => {
    const error = await rejectionOf(holding([]).handle(stateMessage(OPEN.id, 'OrderStateChanged', {})));
    expect(error).toMatchObject({ kind: 'bad-request', publicMessage: expect.stringContaining('orderState') });
  });

  it('sends a renamed event under its new name with the same messageId, and nothing for one switched off', async () => {
    const message = cancelled(taxExcludedOrder.id);
    const original = holding([taxExcludedOrder]);
    const renamed = holding([taxExcludedOrder], { env: { EVENT_ORDER_CANCELLED: 'Order Canceled' } });
    const off = holding([taxExcludedOrder], { env: { EVENT_ORDER_CANCELLED: 'off' } });
    await original.handle(message, { trusted: true });
    await renamed.handle(message, { trusted: true });
    expect(await off.handle(message, { trusted: true })).toEqual({ kind: 'skipped', reason: 'disabled' });
    const [before] = original.segment.accepted();
    const [after] = renamed.segment.accepted();
    expect(after).toMatchObject({ event: 'Order Canceled', messageId: before?.messageId });
    expect(off.commercetools.reads).toEqual([]);
  });
});

describe('shipments: on the events that follow the goods', () => {
  it('puts the parcel’s tracking and what it holds on Order Shipped', async () => {
    const connector = holding([shipments.shippedOrder]);
    await connector.handle(shipment(shipments.shippedOrder.id, 'Shipped'), { trusted: true });
    const [shipped] = connector.segment.accepted();
    expect(shipped).toMatchObject({
      event: 'Order Shipped',
      properties: { tracking_number: '1Z999AA10123456784', carrier: 'UPS' },
    });
    // One shipment per delivery: its parcel's tracking, and the goods it holds.
    expect(shipped?.type === 'track' && shipped.properties.shipments).toEqual([
      expect.objectContaining({
        delivery_id: 'e1d2c3b4-0000-4000-8000-000000000d11',
        provider: 'UPS Ground',
        products: [
          expect.objectContaining({ product_id: shipments.SNEAKERS.productId, quantity: 2 }),
          expect.objectContaining({ product_id: shipments.SOCKS.productId, quantity: 3 }),
        ],
      }),
    ]);
  });

  it('lists one shipment per delivery of a Multiple-shipping order on Order Delivered, the latest parcel on top', async () => {
    const connector = holding([shipments.deliveredOrder]);
    await connector.handle(shipment(shipments.deliveredOrder.id, 'Delivered'), { trusted: true });
    const [delivered] = connector.segment.accepted();
    expect(delivered).toMatchObject({ properties: { tracking_number: '1Z999AA10123456791', carrier: 'UPS' } });
    expect(delivered?.type === 'track' && delivered.properties.shipments).toEqual([
      expect.objectContaining({ products: [{ product_id: shipments.SAGE.productId, sku: 'CPO-SAGE', quantity: 2 }] }),
      expect.objectContaining({
        products: [
          { product_id: shipments.SAGE.productId, sku: 'CPO-SAGE', quantity: 1 },
          { product_id: shipments.OAT.productId, sku: 'SWM-OAT-12', quantity: 2 },
        ],
      }),
    ]);
  });

  it.each([
    ['Order Paid', 'OrderPaymentStateChanged', { paymentState: 'Paid' }, shipments.shippedOrder],
    ['Order Cancelled', 'OrderStateChanged', { orderState: 'Cancelled' }, shipments.cancelledOrder],
  ])('leaves the shipments out of %s', async (name, type, fields, order) => {
    const connector = holding([order]);
    await connector.handle(stateMessage(order.id, type, fields), { trusted: true });
    const [event] = connector.segment.accepted();
    expect(event).toMatchObject({ event: name });
    for (const key of ['shipments', 'tracking_number', 'carrier'])
      expect(event).not.toHaveProperty(`properties.${key}`);
  });
});

describe('from an unauthenticated delivery, in a project without messages: the order’s state proves it', () => {
  it.each([
    ['Cancelled for an open order', cancelled(OPEN.id)],
    [
      'Paid for an order with a balance due',
      stateMessage(BALANCE_DUE.id, 'OrderPaymentStateChanged', { paymentState: 'Paid' }),
    ],
    ['Shipped for an order still pending', shipment(OPEN.id, 'Shipped')],
    ['Delivered for an order still pending', shipment(OPEN.id, 'Delivered')],
  ])('skips a forged %s as unproven, sending nothing', async (_claim, message) => {
    const connector = holding([OPEN, BALANCE_DUE]);
    expect(await connector.handle(message)).toEqual({
      kind: 'skipped',
      reason: 'unproven',
      detail: { proof: 'state' },
    });
    expect(connector.segment.sends).toBe(0);
  });

  it('sends one event for a real cancellation and its forged copies, keyed by the state and dated by commercetools', async () => {
    const connector = holding([CANCELLED]);
    for (const createdAt of ['2026-11-23T10:15:00.000Z', '2031-01-01T00:00:00.000Z', '1999-01-01T00:00:00.000Z'])
      expect(await connector.handle(cancelled(CANCELLED.id, { createdAt }))).toMatchObject({ kind: 'delivered' });
    const events = connector.segment.accepted();
    expect(new Set(events.map((event) => event.messageId))).toEqual(
      new Set([orderEventId(CANCELLED.id, 'order-cancelled', 'reached-Cancelled')]),
    );
    expect(new Set(events.map((event) => event.timestamp))).toEqual(new Set([CANCELLED.lastModifiedAt]));
  });

  it('takes a delivered order as proof that it shipped', async () => {
    const connector = holding([DELIVERED]);
    expect(await connector.handle(shipment(DELIVERED.id, 'Shipped'))).toMatchObject({ kind: 'delivered' });
    expect(connector.segment.accepted()[0]).toMatchObject({
      event: 'Order Shipped',
      messageId: orderEventId(DELIVERED.id, 'order-shipped', 'reached-Shipped'),
    });
  });

  it('skips a claim about an order commercetools does not hold as not-found', async () => {
    expect(await holding([]).handle(cancelled(OPEN.id))).toEqual({
      kind: 'skipped',
      reason: 'not-found',
      detail: { proof: 'state' },
    });
  });
});
