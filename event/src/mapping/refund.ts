import type { LineItem, Order, TypedMoney } from '@commercetools/platform-sdk';
import type { JsonObject } from '../segment/calls';
import { amountOf, compareAmounts, exactFraction, sumAmounts, toUnits, zeroAmount, type Amount } from './money';
import { buildOrderTrack, orderContext } from './order-track';
import { buildProducts, type ProductMapping } from './products';
import {
  compact,
  type EventName,
  type MappingOptions,
  type MappingResult,
  type Occurrence,
  type OrderFacts,
} from './types';

/** A refund of a payment of the order: what was given back, not the order's figures. */
export interface Refund {
  transactionId: string;
  amount: TypedMoney;
  timestamp: string;
}

/**
 * Order Refunded: `total` is the refunded amount. The order's own figures (revenue, subtotal,
 * tax…) are left out on purpose: destinations such as GA4 read them as the refunded value.
 * Products are listed only when the refund is exactly the value of the order's return items
 * marked Refunded; a partial or unrelated refund lists none rather than the wrong ones.
 */
export function buildOrderRefunded(
  order: Order,
  options: MappingOptions & OrderFacts,
  { event, refund }: { event: EventName; refund: Refund },
): MappingResult {
  const occurrence: Occurrence = { discriminator: refund.transactionId, timestamp: refund.timestamp };
  return buildOrderTrack(order, options, {
    event,
    occurrence,
    properties: () => {
      const refunded = amountOf(refund.amount);
      const products = refundedProducts(order, refunded, options);
      return compact({
        ...orderContext(order),
        total: toUnits(refunded),
        currency: refund.amount.currencyCode,
        ...(products ? { products } : {}),
      });
    },
  });
}

/**
 * The returned line items marked Refunded, when their gross value is exactly `refunded`. A line's
 * value per unit is its gross total (after discounts) divided by its quantity; a share that is
 * not a whole number of minor units cannot be matched exactly, and then nothing is listed.
 */
function refundedProducts(order: Order, refunded: Amount, options: ProductMapping): JsonObject[] | undefined {
  const returned = new Map<string, number>();
  for (const info of order.returnInfo ?? []) {
    for (const item of info.items) {
      if (item.type !== 'LineItemReturnItem' || item.paymentState !== 'Refunded') continue;
      returned.set(item.lineItemId, (returned.get(item.lineItemId) ?? 0) + item.quantity);
    }
  }
  if (returned.size === 0 || refunded.currency !== order.totalPrice.currencyCode) return undefined;
  const lines = order.lineItems.filter((item) => returned.has(item.id));
  if (lines.length !== returned.size) return undefined;
  const shares = new Map<string, Amount>();
  for (const item of lines) {
    const share = returnedShare(item, returned.get(item.id) ?? 0);
    if (!share) return undefined;
    shares.set(item.id, share);
  }
  if (compareAmounts(sumAmounts(refunded.currency, shares.values()), refunded) !== 0) return undefined;
  const byId = new Map(buildProducts(order, options).map((product, index) => [order.lineItems[index]?.id, product]));
  // total_price is what this refund gave back for the line, like the event's total.
  return lines.map((item, index) => ({
    ...byId.get(item.id),
    quantity: returned.get(item.id),
    total_price: toUnits(shares.get(item.id) ?? zeroAmount(refunded.currency)),
    position: index + 1,
  }));
}

function returnedShare(item: LineItem, quantity: number): Amount | undefined {
  if (quantity <= 0 || quantity > item.quantity) return undefined;
  return exactFraction(amountOf(item.taxedPrice?.totalGross ?? item.totalPrice), quantity, item.quantity);
}
