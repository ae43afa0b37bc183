import request from 'supertest';
import multipleShippingOrder from '../fixtures/orders/order-multiple-shipping.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import type { CapturedEvent } from '../../src/dev/segment-capture';
import shippedFixture from '../fixtures/orders/order-shipped.json';
import {
  changeNotification,
  messageNotification,
  pubSubEnvelope,
  startHarness,
  type Harness,
} from '../support/harness';

const [SNEAKERS, SOCKS] = taxExcludedOrder.lineItems;
const [SAGE, OAT] = multipleShippingOrder.lineItems;

/** The tax-excluded order, shipped in one delivery: one UPS parcel holding every unit. */
const shippedOrder = {
  ...taxExcludedOrder,
  id: '2c4e6a8c-0000-4000-8000-000000000d01',
  shipmentState: 'Shipped',
  shippingInfo: {
    ...taxExcludedOrder.shippingInfo,
    deliveries: [
      {
        id: 'e1d2c3b4-0000-4000-8000-000000000d11',
        createdAt: '2026-03-16T10:58:12.000Z',
        items: [
          { id: SNEAKERS!.id, quantity: 2 },
          { id: SOCKS!.id, quantity: 3 },
        ],
        parcels: [
          {
            id: 'f1e2d3c4-0000-4000-8000-000000000d21',
            createdAt: '2026-03-16T10:58:12.000Z',
            measurements: { weightInGram: 1450 },
            trackingData: { trackingId: '1Z999AA10123456784', carrier: 'UPS', provider: 'UPS Ground', isReturn: false },
          },
        ],
        address: taxExcludedOrder.shippingAddress,
      },
    ],
  },
};

/** The multiple-shipping order, delivered in two deliveries: one per shipping method. */
const [homeShipping, officeShipping] = multipleShippingOrder.shipping;
const deliveredOrder = {
  ...multipleShippingOrder,
  id: '2c4e6a8c-0000-4000-8000-000000000d02',
  shipmentState: 'Delivered',
  shipping: [
    {
      ...homeShipping,
      shippingInfo: {
        ...homeShipping!.shippingInfo,
        deliveries: [
          {
            id: 'e1d2c3b4-0000-4000-8000-000000000d12',
            createdAt: '2026-05-21T15:02:00.000Z',
            items: [{ id: SAGE!.id, quantity: 2 }],
            parcels: [
              {
                id: 'f1e2d3c4-0000-4000-8000-000000000d22',
                createdAt: '2026-05-21T15:02:00.000Z',
                trackingData: { trackingId: '1Z999AA10123456791', carrier: 'UPS', provider: 'UPS Ground' },
              },
            ],
          },
        ],
      },
    },
    {
      ...officeShipping,
      shippingInfo: {
        ...officeShipping!.shippingInfo,
        deliveries: [
          {
            id: 'e1d2c3b4-0000-4000-8000-000000000d13',
            createdAt: '2026-05-20T18:40:00.000Z',
            items: [
              { id: SAGE!.id, quantity: 1 },
              { id: OAT!.id, quantity: 2 },
            ],
            parcels: [
              {
                id: 'f1e2d3c4-0000-4000-8000-000000000d23',
                createdAt: '2026-05-20T18:40:00.000Z',
                trackingData: { trackingId: '1Z999AA10123456808', carrier: 'UPS', provider: 'UPS Next Day Air' },
              },
            ],
          },
        ],
      },
    },
  ],
};

/** The shipped order, cancelled since (a return): its state proves the cancellation. */
const cancelledOrder = { ...shippedOrder, id: '2c4e6a8c-0000-4000-8000-000000000d0c', orderState: 'Cancelled' };

let harness: Harness;
const post = (body: object) => request(harness.app).post('/').send(pubSubEnvelope(body));
const only = (): CapturedEvent => {
  const events = harness.segment.events();
  expect(events).toHaveLength(1);
  return events[0]!;
};

beforeAll(async () => {
  harness = await startHarness({ env: { LOCALE: 'en' } });
  for (const order of [shippedOrder, deliveredOrder, shippedFixture, cancelledOrder])
    await harness.seed('order', order);
  for (const { discountCode } of taxExcludedOrder.discountCodes) await harness.seed('discount-code', discountCode.obj);
});
afterAll(() => harness.close());
beforeEach(() => harness.segment.reset());

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
          { product_id: SNEAKERS!.productId, sku: 'TRS-GRY-42', quantity: 2 },
          { product_id: SOCKS!.productId, sku: 'MWS-NAV-M', quantity: 3 },
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
        products: [{ product_id: SAGE!.productId, sku: 'CPO-SAGE', quantity: 2 }],
      }),
      expect.objectContaining({
        delivery_id: 'e1d2c3b4-0000-4000-8000-000000000d13',
        tracking_number: '1Z999AA10123456808',
        products: [
          { product_id: SAGE!.productId, sku: 'CPO-SAGE', quantity: 1 },
          { product_id: OAT!.productId, sku: 'SWM-OAT-12', quantity: 2 },
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
