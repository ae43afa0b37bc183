import request from 'supertest';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import shippedFixture from '../fixtures/orders/order-shipped.json';
import { onlyEvent, seedOrders, useHarness } from '../support/harness';
import { changeNotification, messageNotification, pubSubEnvelope } from '../support/notifications';
import {
  cancelledOrder,
  deliveredOrder,
  OAT,
  SAGE,
  shippedOrder,
  SNEAKERS,
  SOCKS,
} from '../support/resources/shipments';

const harness = useHarness({ env: { LOCALE: 'en' } }, (h) =>
  seedOrders(h, shippedOrder, deliveredOrder, shippedFixture, cancelledOrder),
);
const post = (body: object) => request(harness.app).post('/').send(pubSubEnvelope(body));
const only = () => onlyEvent(harness);

describe('shipments on the events that follow the goods', () => {
  it('tracks Order Shipped with the UPS parcel’s tracking number and carrier, and what it holds', async () => {
    const res = await post(
      messageNotification('order', shippedOrder.id, 'OrderShipmentStateChanged', { shipmentState: 'Shipped' }),
    );
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    const event = only();
    expect(event).toMatchObject({
      event: 'Order Shipped',
      userId: shippedOrder.customerId,
      properties: {
        order_id: shippedOrder.id,
        total: 227.46,
        tracking_number: '1Z999AA10123456784',
        carrier: 'UPS',
      },
    });
    expect(event.properties?.shipments).toEqual([
      {
        delivery_id: 'e1d2c3b4-0000-4000-8000-000000000d11',
        created_at: '2026-03-16T10:58:12.000Z',
        tracking_number: '1Z999AA10123456784',
        carrier: 'UPS',
        provider: 'UPS Ground',
        is_return: false,
        products: [
          { product_id: SNEAKERS.productId, sku: 'TRS-GRY-42', quantity: 2 },
          { product_id: SOCKS.productId, sku: 'MWS-NAV-M', quantity: 3 },
        ],
      },
    ]);
  });

  it('tracks Order Delivered of a Multiple-shipping order with one shipment per delivery', async () => {
    await post(
      messageNotification('order', deliveredOrder.id, 'OrderShipmentStateChanged', { shipmentState: 'Delivered' }),
    ).expect(200);
    const event = only();
    expect(event.event).toBe('Order Delivered');
    expect(event.properties?.shipments).toEqual([
      expect.objectContaining({
        delivery_id: 'e1d2c3b4-0000-4000-8000-000000000d12',
        tracking_number: '1Z999AA10123456791',
        products: [{ product_id: SAGE.productId, sku: 'CPO-SAGE', quantity: 2 }],
      }),
      expect.objectContaining({
        delivery_id: 'e1d2c3b4-0000-4000-8000-000000000d13',
        tracking_number: '1Z999AA10123456808',
        products: [
          { product_id: SAGE.productId, sku: 'CPO-SAGE', quantity: 1 },
          { product_id: OAT.productId, sku: 'SWM-OAT-12', quantity: 2 },
        ],
      }),
    ]);
    // The home parcel left last.
    expect(event.properties).toMatchObject({ tracking_number: '1Z999AA10123456791', carrier: 'UPS' });
  });

  it('tracks Order Updated with the shipments, the return label left out of the top-level tracking', async () => {
    await post(changeNotification('ResourceUpdated', 'order', shippedFixture.id, shippedFixture.version)).expect(200);
    const event = only();
    expect(event.event).toBe('Order Updated');
    expect(event.properties).toMatchObject({ tracking_number: '1Z999AA10123456784', carrier: 'UPS' });
    expect(event.properties?.shipments).toEqual([
      expect.objectContaining({ carrier: 'DHL', is_return: false, products: expect.any(Array) }),
      expect.objectContaining({ carrier: 'UPS', is_return: false }),
      expect.objectContaining({ carrier: 'DHL', is_return: true }),
    ]);
  });

  it.each([
    ['Order Paid', shippedOrder.id, 'OrderPaymentStateChanged', { paymentState: 'Paid' }],
    ['Order Cancelled', cancelledOrder.id, 'OrderStateChanged', { orderState: 'Cancelled' }],
  ])('leaves the shipments out of %s', async (eventName, orderId, type, fields) => {
    await post(messageNotification('order', orderId, type, fields)).expect(200);
    const event = only();
    expect(event.event).toBe(eventName);
    for (const key of ['shipments', 'tracking_number', 'carrier']) expect(event.properties).not.toHaveProperty(key);
  });

  it('leaves the shipments out of Order Shipped for an order commercetools holds no deliveries of', async () => {
    await harness.seed('order', { ...taxExcludedOrder, shipmentState: 'Shipped' });
    await post(
      messageNotification('order', taxExcludedOrder.id, 'OrderShipmentStateChanged', { shipmentState: 'Shipped' }),
    ).expect(200);
    const event = only();
    expect(event.event).toBe('Order Shipped');
    for (const key of ['shipments', 'tracking_number', 'carrier']) expect(event.properties).not.toHaveProperty(key);
  });
});
