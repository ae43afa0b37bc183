import taxExcludedOrder from '../../fixtures/orders/order-tax-excluded.json';
import { paymentWith, usd } from './payments';

/** The tax-excluded order, paid with one payment; one pair of sneakers returned and refunded. */
export const PAYMENT_ID = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';
export const REFUND_ID = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
export const SNEAKERS = taxExcludedOrder.lineItems[0]!;

export const paidOrder = {
  ...taxExcludedOrder,
  paymentInfo: { payments: [{ typeId: 'payment', id: PAYMENT_ID }] },
  returnInfo: [
    {
      items: [
        {
          type: 'LineItemReturnItem',
          id: 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d',
          quantity: 1,
          lineItemId: SNEAKERS.id,
          shipmentState: 'Returned',
          paymentState: 'Refunded',
          createdAt: '2026-03-20T10:00:00.000Z',
          lastModifiedAt: '2026-03-20T10:00:00.000Z',
        },
      ],
    },
  ],
};

/** One sneaker's share of its line's gross total: 176.18 / 2 = 88.09. */
export const ONE_SNEAKER_GROSS = SNEAKERS.taxedPrice.totalGross.centAmount / 2;

/** The order's payment: charged in full, the refund of one sneaker still pending. */
export const payment = paymentWith(
  PAYMENT_ID,
  [
    {
      id: 'c4a3b2d1-0000-4000-8000-000000000001',
      type: 'Charge',
      amount: taxExcludedOrder.taxedPrice.totalGross,
      state: 'Success',
    },
    { id: REFUND_ID, type: 'Refund', amount: usd(ONE_SNEAKER_GROSS), state: 'Pending' },
  ],
  { version: 4, lastModifiedAt: '2026-03-20T10:05:00.000Z', amountPlanned: taxExcludedOrder.taxedPrice.totalGross },
);

/** The refund as it succeeded. */
export const successfulRefund = { id: REFUND_ID, type: 'Refund', amount: usd(ONE_SNEAKER_GROSS), state: 'Success' };
