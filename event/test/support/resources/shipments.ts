import multipleShippingOrder from '../../fixtures/orders/order-multiple-shipping.json';
import taxExcludedOrder from '../../fixtures/orders/order-tax-excluded.json';

const pair = <T>(items: T[]): [T, T] => [items[0] as T, items[1] as T];

export const [SNEAKERS, SOCKS] = pair(taxExcludedOrder.lineItems);
export const [SAGE, OAT] = pair(multipleShippingOrder.lineItems);

/** One delivery of an order, as commercetools holds it: what it holds, in one parcel with its tracking. */
function delivery(
  id: string,
  createdAt: string,
  items: { id: string; quantity: number }[],
  parcel: { id: string; trackingData: object; measurements?: object },
) {
  return { id, createdAt, items, parcels: [{ ...parcel, createdAt }] };
}

/** The tax-excluded order, shipped in one delivery: one UPS parcel holding every unit. */
export const shippedOrder = {
  ...taxExcludedOrder,
  id: '2c4e6a8c-0000-4000-8000-000000000d01',
  shipmentState: 'Shipped',
  shippingInfo: {
    ...taxExcludedOrder.shippingInfo,
    deliveries: [
      {
        ...delivery(
          'e1d2c3b4-0000-4000-8000-000000000d11',
          '2026-03-16T10:58:12.000Z',
          [
            { id: SNEAKERS.id, quantity: 2 },
            { id: SOCKS.id, quantity: 3 },
          ],
          {
            id: 'f1e2d3c4-0000-4000-8000-000000000d21',
            measurements: { weightInGram: 1450 },
            trackingData: { trackingId: '1Z999AA10123456784', carrier: 'UPS', provider: 'UPS Ground', isReturn: false },
          },
        ),
        address: taxExcludedOrder.shippingAddress,
      },
    ],
  },
};

/** The multiple-shipping order, delivered in two deliveries: one per shipping method. */
const [homeShipping, officeShipping] = pair(multipleShippingOrder.shipping);

export const deliveredOrder = {
  ...multipleShippingOrder,
  id: '2c4e6a8c-0000-4000-8000-000000000d02',
  shipmentState: 'Delivered',
  shipping: [
    {
      ...homeShipping,
      shippingInfo: {
        ...homeShipping.shippingInfo,
        deliveries: [
          delivery('e1d2c3b4-0000-4000-8000-000000000d12', '2026-05-21T15:02:00.000Z', [{ id: SAGE.id, quantity: 2 }], {
            id: 'f1e2d3c4-0000-4000-8000-000000000d22',
            trackingData: { trackingId: '1Z999AA10123456791', carrier: 'UPS', provider: 'UPS Ground' },
          }),
        ],
      },
    },
    {
      ...officeShipping,
      shippingInfo: {
        ...officeShipping.shippingInfo,
        deliveries: [
          delivery(
            'e1d2c3b4-0000-4000-8000-000000000d13',
            '2026-05-20T18:40:00.000Z',
            [
              { id: SAGE.id, quantity: 1 },
              { id: OAT.id, quantity: 2 },
            ],
            {
              id: 'f1e2d3c4-0000-4000-8000-000000000d23',
              trackingData: { trackingId: '1Z999AA10123456808', carrier: 'UPS', provider: 'UPS Next Day Air' },
            },
          ),
        ],
      },
    },
  ],
};

/** The shipped order, cancelled since (a return): its state proves the cancellation. */
export const cancelledOrder = { ...shippedOrder, id: '2c4e6a8c-0000-4000-8000-000000000d0c', orderState: 'Cancelled' };
