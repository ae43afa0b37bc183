import type { Order } from '@commercetools/platform-sdk';
import type { JsonObject } from '../segment/calls';
import { localize } from './localize';
import { toUnits, unitsOf } from './money';
import { isReduction, unitCartDiscount, unitPrice } from './order-figures';
import { compact } from './types';

/**
 * The `products` array of Segment's Order Completed: line items first, then custom line items
 * (gift wrap, fees…), numbered on from where the line items stop. Custom line items with negative
 * money (vouchers, credits) are reductions, counted in the order's `discount` instead.
 *
 * `price` is the unit price shoppers saw on the product (product discounts included, cart
 * discounts not, since those are spread over the whole cart); `discount` is the unit amount of
 * cart discounts on the line, so (price − discount) × quantity is `total_price`, what the line
 * finally cost. High-precision unit prices keep all their digits.
 */
export function buildProducts(order: Order, locale?: string): JsonObject[] {
  const lineItems = order.lineItems.map((item, index) =>
    compact({
      product_id: item.productId,
      sku: item.variant.sku,
      name: localize(item.name, locale),
      variant: item.variant.key ?? String(item.variant.id),
      price: toUnits(unitPrice(item)),
      discount: toUnits(unitCartDiscount(item, order)),
      quantity: item.quantity,
      total_price: unitsOf(item.totalPrice),
      image_url: item.variant.images?.[0]?.url,
      position: index + 1,
    }),
  );
  const customLineItems = order.customLineItems
    .filter((item) => !isReduction(item))
    .map((item, index) =>
      compact({
        sku: item.slug,
        name: localize(item.name, locale),
        price: toUnits(unitPrice(item)),
        discount: toUnits(unitCartDiscount(item, order)),
        quantity: item.quantity,
        total_price: unitsOf(item.totalPrice),
        position: lineItems.length + index + 1,
      }),
    );
  return [...lineItems, ...customLineItems];
}
