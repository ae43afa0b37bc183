import type { Delivery, Order, Parcel, Shipping } from '@commercetools/platform-sdk';
import { buildOrderEvent, buildOrderEventWithShipments, orderProperties } from '../../src/mapping/order';
import { buildShipments, shipmentProperties } from '../../src/mapping/shipments';
import type { EventName, Occurrence } from '../../src/mapping/types';
import { defined, orderFixtures } from '../support/fixtures';
import { MAPPING_OPTIONS, onlyTrack } from '../support/mapping';

const { shipped, taxExcluded, multipleShipping } = orderFixtures;

const ORDER_SHIPPED: EventName = { name: 'Order Shipped', slug: 'order-shipped' };
const SHIPPED_AT: Occurrence = { discriminator: 'message-1', timestamp: '2026-04-06T14:35:00.000Z' };

// order-shipped: tax-included order with a shirt line (×2), a boots line (×1) and a gift wrap custom line.
const SHIRT = { id: 'c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e7f', productId: '7a0b3c4d-5e6f-4a7b-9c8d-9e0f1a2b3c4d' };
const BOOTS = { id: 'd4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7f80', productId: '8b1c4d5e-6f7a-4b8c-8d9e-0f1a2b3c4d5e' };
const FIRST_DELIVERY = '2d4f6a8c-0e1b-4c3d-8e5f-7a9b1c3d5e60';
const SECOND_DELIVERY = '4f6b8d0f-2a3b-4e5f-8a7b-9c1d3e5f7a82';

const deliveriesOf = (order: Order): Delivery[] => defined(order.shippingInfo).deliveries ?? [];
const withDeliveries = (order: Order, deliveries: Delivery[]): Order => ({
  ...order,
  shippingInfo: { ...defined(order.shippingInfo), deliveries },
});
const parcel = (id: string, createdAt: string, trackingData?: Parcel['trackingData']): Parcel => ({
  id,
  createdAt,
  ...(trackingData ? { trackingData } : {}),
});
const delivery = (id: string, createdAt: string, parcels: Parcel[], items = [{ id: SHIRT.id, quantity: 2 }]) => ({
  id,
  createdAt,
  items,
  parcels,
});

describe('buildShipments', () => {
  it('lists every tracked parcel of every delivery, with its tracking and the items it holds', () => {
    expect(buildShipments(shipped)).toEqual([
      {
        delivery_id: FIRST_DELIVERY,
        created_at: '2026-04-03T08:12:40.517Z',
        tracking_number: '00340434161094042557',
        carrier: 'DHL',
        provider: 'DHL Paket',
        is_return: false,
        products: [
          { product_id: SHIRT.productId, sku: 'LSH-WHT-L', quantity: 2 },
          // A custom line item: its slug is its sku, and it has no product.
          { sku: 'gift-wrap', quantity: 1 },
        ],
      },
      {
        delivery_id: SECOND_DELIVERY,
        created_at: '2026-04-06T14:31:05.208Z',
        tracking_number: '1Z999AA10123456784',
        carrier: 'UPS',
        provider: 'UPS Standard',
        is_return: false,
        products: [{ product_id: BOOTS.productId, sku: 'LBT-BRN-95', quantity: 1 }],
      },
      {
        // The return label lists no items: it stands for its delivery's.
        delivery_id: SECOND_DELIVERY,
        created_at: '2026-04-06T14:33:51.090Z',
        tracking_number: '00340434161094099876',
        carrier: 'DHL',
        provider: 'DHL Retoure',
        is_return: true,
        products: [{ product_id: BOOTS.productId, sku: 'LBT-BRN-95', quantity: 1 }],
      },
    ]);
  });

  it('reports a delivery without parcels once, without tracking, at the delivery’s time', () => {
    const [first] = deliveriesOf(shipped);
    const order = withDeliveries(shipped, [{ ...defined(first), parcels: [] }]);
    expect(buildShipments(order)).toEqual([
      {
        delivery_id: FIRST_DELIVERY,
        created_at: '2026-04-03T08:12:40.517Z',
        products: [
          { product_id: SHIRT.productId, sku: 'LSH-WHT-L', quantity: 2 },
          { sku: 'gift-wrap', quantity: 1 },
        ],
      },
    ]);
  });

  it('reports a delivery whose parcels have no tracking data once, without tracking', () => {
    const measured: Parcel = {
      ...parcel('p-1', '2026-04-03T09:00:00.000Z'),
      measurements: { weightInGram: 500 },
    };
    const order = withDeliveries(shipped, [
      delivery('d-1', '2026-04-03T08:00:00.000Z', [measured, parcel('p-2', '2026-04-03T09:00:00.000Z', {})]),
    ]);
    expect(buildShipments(order)).toEqual([
      {
        delivery_id: 'd-1',
        created_at: '2026-04-03T08:00:00.000Z',
        products: [{ product_id: SHIRT.productId, sku: 'LSH-WHT-L', quantity: 2 }],
      },
    ]);
    expect(shipmentProperties(order)).not.toHaveProperty('tracking_number');
  });

  it('lists only the tracked parcels of a delivery that also has untracked ones', () => {
    const order = withDeliveries(shipped, [
      delivery('d-1', '2026-04-03T08:00:00.000Z', [
        parcel('p-1', '2026-04-03T08:00:00.000Z'),
        parcel('p-2', '2026-04-03T08:05:00.000Z', { trackingId: 'JD014600006281230704' }),
      ]),
    ]);
    expect(buildShipments(order)).toEqual([
      {
        delivery_id: 'd-1',
        created_at: '2026-04-03T08:05:00.000Z',
        tracking_number: 'JD014600006281230704',
        products: [{ product_id: SHIRT.productId, sku: 'LSH-WHT-L', quantity: 2 }],
      },
    ]);
  });

  it('leaves out what the parcel does not say', () => {
    const order = withDeliveries(shipped, [
      delivery('d-1', '2026-04-03T08:00:00.000Z', [parcel('p-1', '2026-04-03T08:00:00.000Z', { carrier: 'GLS' })], []),
    ]);
    expect(buildShipments(order)).toEqual([
      { delivery_id: 'd-1', created_at: '2026-04-03T08:00:00.000Z', carrier: 'GLS' },
    ]);
  });

  it('leaves out items that name no line of the order', () => {
    const order = withDeliveries(shipped, [
      delivery(
        'd-1',
        '2026-04-03T08:00:00.000Z',
        [],
        [
          { id: '00000000-0000-4000-8000-000000000000', quantity: 1 },
          { id: BOOTS.id, quantity: 1 },
        ],
      ),
    ]);
    expect(buildShipments(order)[0]?.products).toEqual([
      { product_id: BOOTS.productId, sku: 'LBT-BRN-95', quantity: 1 },
    ]);
  });

  it('takes the deliveries of every shipping method in Multiple shipping mode, method by method', () => {
    const [home, office] = multipleShipping.shipping;
    const [sage, oat] = multipleShipping.lineItems;
    const deliver = (entry: Shipping | undefined, deliveries: Delivery[]): Shipping => ({
      ...defined(entry),
      shippingInfo: { ...defined(entry).shippingInfo, deliveries },
    });
    const order: Order = {
      ...multipleShipping,
      shipping: [
        deliver(home, [
          delivery(
            'home-1',
            '2026-05-22T09:00:00.000Z',
            [parcel('home-parcel', '2026-05-22T09:00:00.000Z', { trackingId: '1Z999AA10123456784', carrier: 'UPS' })],
            [{ id: defined(sage).id, quantity: 2 }],
          ),
        ]),
        deliver(office, [
          delivery(
            'office-1',
            '2026-05-21T08:00:00.000Z',
            [parcel('office-parcel', '2026-05-21T08:00:00.000Z', { trackingId: '1Z999AA10123456791', carrier: 'UPS' })],
            [
              { id: defined(sage).id, quantity: 1 },
              { id: defined(oat).id, quantity: 2 },
            ],
          ),
        ]),
      ],
    };
    expect(buildShipments(order)).toEqual([
      {
        delivery_id: 'home-1',
        created_at: '2026-05-22T09:00:00.000Z',
        tracking_number: '1Z999AA10123456784',
        carrier: 'UPS',
        products: [{ product_id: defined(sage).productId, sku: 'CPO-SAGE', quantity: 2 }],
      },
      {
        delivery_id: 'office-1',
        created_at: '2026-05-21T08:00:00.000Z',
        tracking_number: '1Z999AA10123456791',
        carrier: 'UPS',
        products: [
          { product_id: defined(sage).productId, sku: 'CPO-SAGE', quantity: 1 },
          { product_id: defined(oat).productId, sku: 'SWM-OAT-12', quantity: 2 },
        ],
      },
    ]);
    // The most recent parcel, not the last one stored.
    expect(shipmentProperties(order)).toMatchObject({ tracking_number: '1Z999AA10123456784' });
  });

  it('is empty for an order without deliveries', () => {
    expect(buildShipments(taxExcluded)).toEqual([]);
    expect(buildShipments(multipleShipping)).toEqual([]);
    expect(buildShipments({ ...taxExcluded, shippingInfo: undefined })).toEqual([]);
  });
});

describe('shipmentProperties', () => {
  it('names the tracking number and carrier of the most recent parcel that is not a return', () => {
    // The return label is the most recent parcel; the UPS parcel before it is what the shopper awaits.
    expect(shipmentProperties(shipped)).toEqual({
      tracking_number: '1Z999AA10123456784',
      carrier: 'UPS',
      shipments: buildShipments(shipped),
    });
  });

  it('takes both values from one parcel, never a carrier from another', () => {
    const order = withDeliveries(shipped, [
      delivery('d-1', '2026-04-03T08:00:00.000Z', [
        parcel('p-1', '2026-04-03T08:00:00.000Z', { trackingId: '00340434161094042557', carrier: 'DHL' }),
        parcel('p-2', '2026-04-04T08:00:00.000Z', { trackingId: 'H1001234567890123456' }),
      ]),
    ]);
    const properties = shipmentProperties(order);
    expect(properties.tracking_number).toBe('H1001234567890123456');
    expect(properties).not.toHaveProperty('carrier');
  });

  it('prefers the parcel stored later among parcels created at the same time', () => {
    const at = '2026-04-03T08:00:00.000Z';
    const order = withDeliveries(shipped, [
      delivery('d-1', at, [parcel('p-1', at, { trackingId: 'FIRST' }), parcel('p-2', at, { trackingId: 'SECOND' })]),
    ]);
    expect(shipmentProperties(order).tracking_number).toBe('SECOND');
  });

  it('has shipments but no top-level tracking when every tracked parcel is a return', () => {
    const order = withDeliveries(shipped, [
      delivery('d-1', '2026-04-03T08:00:00.000Z', [
        parcel('p-1', '2026-04-03T08:00:00.000Z', { trackingId: 'RET-1', carrier: 'DHL', isReturn: true }),
      ]),
    ]);
    const properties = shipmentProperties(order);
    expect(properties).not.toHaveProperty('tracking_number');
    expect(properties).not.toHaveProperty('carrier');
    expect(properties.shipments).toEqual([expect.objectContaining({ tracking_number: 'RET-1', is_return: true })]);
  });

  it('is nothing at all for an order without deliveries', () => {
    expect(shipmentProperties(taxExcluded)).toEqual({});
  });
});

describe('buildOrderEventWithShipments', () => {
  it('adds the shipments to the order’s properties, with the messageId of the plain order event', () => {
    const withShipments = onlyTrack(
      buildOrderEventWithShipments(shipped, MAPPING_OPTIONS, { event: ORDER_SHIPPED, occurrence: SHIPPED_AT }),
    );
    const plain = onlyTrack(
      buildOrderEvent(shipped, MAPPING_OPTIONS, { event: ORDER_SHIPPED, occurrence: SHIPPED_AT }),
    );
    expect(withShipments).toEqual({
      ...plain,
      properties: { ...orderProperties(shipped), ...shipmentProperties(shipped) },
    });
    expect(withShipments.properties).toMatchObject({
      order_id: shipped.id,
      shipment_state: 'Shipped',
      total: 127.2,
      tracking_number: '1Z999AA10123456784',
      carrier: 'UPS',
    });
  });

  it('sends no shipments, tracking number or carrier for an order without deliveries', () => {
    const properties = onlyTrack(
      buildOrderEventWithShipments(taxExcluded, MAPPING_OPTIONS, { event: ORDER_SHIPPED, occurrence: SHIPPED_AT }),
    ).properties;
    expect(properties).toEqual(orderProperties(taxExcluded));
    for (const key of ['shipments', 'tracking_number', 'carrier']) expect(properties).not.toHaveProperty(key);
  });
});
