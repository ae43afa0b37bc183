import type { Delivery, DeliveryItem, Order, Parcel } from '@commercetools/platform-sdk';
import type { JsonObject } from '../segment/calls';
import { shippingInfosOf } from './order-figures';
import { compact } from './types';

/**
 * What an order's deliveries say about where its goods are: `shipments`, one entry per parcel
 * with tracking data, and the `tracking_number` and `carrier` of the most recent outbound parcel
 * for destinations that read one value. Empty for an order without deliveries.
 */
export function shipmentProperties(order: Order): JsonObject {
  const deliveries = deliveriesOf(order);
  if (deliveries.length === 0) return {};
  const latest = latestOutboundParcel(deliveries);
  return compact({
    tracking_number: latest?.trackingData?.trackingId,
    carrier: latest?.trackingData?.carrier,
    shipments: buildShipments(order),
  });
}

/**
 * The `shipments` of an order, in the order commercetools stores its deliveries (method by method
 * in Multiple shipping mode). A delivery becomes one entry per parcel with tracking data; a
 * delivery with no such parcel (none at all, or parcels with measurements only) still becomes one
 * entry, without tracking, so that no delivery goes unreported.
 */
export function buildShipments(order: Order): JsonObject[] {
  return deliveriesOf(order).flatMap((delivery) => shipmentsOf(delivery, order));
}

/** Every delivery of the order: of its one shipping method, or of each method in Multiple mode. */
function deliveriesOf(order: Order): Delivery[] {
  return shippingInfosOf(order).flatMap((info) => info.deliveries ?? []);
}

function shipmentsOf(delivery: Delivery, order: Order): JsonObject[] {
  const tracked = delivery.parcels.filter(hasTrackingData);
  if (tracked.length === 0) {
    return [
      compact({
        delivery_id: delivery.id,
        created_at: delivery.createdAt,
        products: shippedProducts(delivery.items, order),
      }),
    ];
  }
  return tracked.map((parcel) =>
    compact({
      delivery_id: delivery.id,
      created_at: parcel.createdAt,
      tracking_number: parcel.trackingData?.trackingId,
      carrier: parcel.trackingData?.carrier,
      provider: parcel.trackingData?.provider,
      is_return: parcel.trackingData?.isReturn,
      // A parcel that lists its own items holds those; otherwise it stands for the whole delivery.
      products: shippedProducts(parcel.items?.length ? parcel.items : delivery.items, order),
    }),
  );
}

/** A parcel can be followed when commercetools holds a tracking id, a carrier or a provider for it. */
function hasTrackingData(parcel: Parcel): boolean {
  const tracking = parcel.trackingData;
  return Boolean(tracking?.trackingId || tracking?.carrier || tracking?.provider);
}

/**
 * The tracked parcel created last that is not a return, the one a shopper is waiting for; of two
 * created at the same time, the one stored later.
 */
function latestOutboundParcel(deliveries: Delivery[]): Parcel | undefined {
  let latest: Parcel | undefined;
  for (const parcel of deliveries.flatMap((delivery) => delivery.parcels)) {
    if (!hasTrackingData(parcel) || parcel.trackingData?.isReturn === true) continue;
    if (!latest || Date.parse(parcel.createdAt) >= Date.parse(latest.createdAt)) latest = parcel;
  }
  return latest;
}

/**
 * A delivery's items as products: a line item with its product id and sku, a custom line item
 * with its slug as sku (as in the order's `products`). An item naming no line of the order cannot
 * be named in Segment either, and is left out; so is an empty list.
 */
function shippedProducts(items: DeliveryItem[], order: Order): JsonObject[] | undefined {
  const products = items.flatMap((item): JsonObject[] => {
    const line = order.lineItems.find((candidate) => candidate.id === item.id);
    if (line) return [compact({ product_id: line.productId, sku: line.variant.sku, quantity: item.quantity })];
    const custom = order.customLineItems.find((candidate) => candidate.id === item.id);
    if (custom) return [{ sku: custom.slug, quantity: item.quantity }];
    return [];
  });
  return products.length > 0 ? products : undefined;
}
