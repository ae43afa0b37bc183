import type { Order, Payment, TypedMoney } from '@commercetools/platform-sdk';
import { unitsOf } from './money';
import { buildOrderTrack, orderContext } from './order-track';
import {
  compact,
  type EventName,
  type MappingOptions,
  type MappingResult,
  type Occurrence,
  type OrderFacts,
} from './types';

/** A charge or authorization of a payment of the order that failed. */
export interface PaymentFailure {
  transactionId: string;
  /** `Charge` or `Authorization`. */
  transactionType: string;
  amount: TypedMoney;
  timestamp: string;
}

/**
 * Payment Failed, under the order's identity: `total` is the amount that failed to be charged or
 * authorized, with how the shopper tried to pay. Like Order Refunded, the order's own figures are
 * left out: destinations would read them as the event's value. One event per transaction, so the
 * message that adds a failed transaction and the one that changes it to Failure are one in Segment.
 */
export function buildPaymentFailed(
  order: Order,
  options: MappingOptions & OrderFacts,
  {
    event,
    payment,
    failure,
  }: { event: EventName; payment: Pick<Payment, 'paymentMethodInfo'>; failure: PaymentFailure },
): MappingResult {
  const occurrence: Occurrence = { discriminator: failure.transactionId, timestamp: failure.timestamp };
  return buildOrderTrack(order, options, {
    event,
    occurrence,
    properties: () =>
      compact({
        ...orderContext(order),
        total: unitsOf(failure.amount),
        currency: failure.amount.currencyCode,
        payment_method: payment.paymentMethodInfo.method,
        payment_provider: payment.paymentMethodInfo.paymentInterface,
        transaction_type: failure.transactionType,
      }),
  });
}
