import type { Order, Payment, TypedMoney } from '@commercetools/platform-sdk';
import { buildPaymentFailed, type PaymentFailure } from '../../src/mapping/payment-failed';
import type { EventName, MappingOptions } from '../../src/mapping/types';
import { money, payment, preciseMoney } from '../support/builders';
import { orderFixtures } from '../support/fixtures';
import { expected, MAPPING_OPTIONS, onlyTrack, orderMessageId } from '../support/mapping';

const { taxExcluded, taxIncluded, jpy, kwd, highPrecision, guest, invalidConsent } = orderFixtures;

const PAYMENT_FAILED: EventName = { name: 'Payment Failed', slug: 'payment-failed' };
const FAILED_AT = '2026-03-14T09:27:41.000Z';

const card = payment({
  paymentMethodInfo: { paymentInterface: 'adyen', method: 'scheme', name: { en: 'Credit card' } },
});

const failure = (amount: TypedMoney, overrides: Partial<PaymentFailure> = {}): PaymentFailure => ({
  transactionId: 'txn-charge-1',
  transactionType: 'Charge',
  amount,
  timestamp: FAILED_AT,
  ...overrides,
});

const failedTrack = (
  order: Order,
  failed: PaymentFailure,
  paidWith: Pick<Payment, 'paymentMethodInfo'> = card,
  extra: Partial<MappingOptions> = {},
) =>
  onlyTrack(
    buildPaymentFailed(
      order,
      { ...MAPPING_OPTIONS, ...extra },
      { event: PAYMENT_FAILED, payment: paidWith, failure: failed },
    ),
  );

describe('buildPaymentFailed', () => {
  it('tracks the failed amount, how the shopper paid and where the order stands, under the order’s identity', () => {
    expect(failedTrack(taxExcluded, failure(money(22746, 'USD')))).toEqual({
      type: 'track',
      event: 'Payment Failed',
      stores: ['us-webshop'],
      userId: expected.taxExcluded.userId,
      anonymousId: taxExcluded.anonymousId,
      timestamp: FAILED_AT,
      messageId: orderMessageId(taxExcluded.id, 'payment-failed', 'txn-charge-1'),
      properties: {
        ...expected.taxExcluded.orderContext,
        total: 227.46,
        currency: 'USD',
        payment_method: 'scheme',
        payment_provider: 'adyen',
        transaction_type: 'Charge',
      },
    });
  });

  it('leaves out the order’s figures and products: the event’s value is what failed', () => {
    const properties = failedTrack(taxExcluded, failure(money(5000, 'USD'))).properties;
    expect(properties.total).toBe(50);
    for (const key of ['revenue', 'subtotal', 'tax', 'discount', 'shipping', 'total_net', 'coupon', 'products']) {
      expect(properties).not.toHaveProperty(key);
    }
  });

  it('names the transaction type: an authorization is not a charge', () => {
    const properties = failedTrack(
      taxExcluded,
      failure(money(100, 'USD'), { transactionType: 'Authorization' }),
    ).properties;
    expect(properties.transaction_type).toBe('Authorization');
  });

  it('leaves out a payment method or provider the payment does not name', () => {
    const properties = failedTrack(taxExcluded, failure(money(100, 'USD')), { paymentMethodInfo: {} }).properties;
    expect(properties).not.toHaveProperty('payment_method');
    expect(properties).not.toHaveProperty('payment_provider');
  });

  it.each<[string, Order, TypedMoney, number]>([
    ['yen in yen', jpy, money(5880, 'JPY'), 5880],
    ['the three digits of KWD', kwd, money(56533, 'KWD'), 56.533],
    ['every digit of a high-precision amount', highPrecision, preciseMoney(123456, 4, 'EUR'), 12.3456],
  ])('reports %s', (_label, order, amount, total) => {
    expect(failedTrack(order, failure(amount)).properties).toMatchObject({ total, currency: amount.currencyCode });
  });

  it('is one event per transaction, whatever the event is called', () => {
    const first = failedTrack(taxExcluded, failure(money(100, 'USD'))).messageId;
    expect(
      failedTrack(taxExcluded, failure(money(100, 'USD'), { timestamp: '2026-03-15T00:00:00.000Z' })).messageId,
    ).toBe(first);
    expect(failedTrack(taxExcluded, failure(money(100, 'USD'), { transactionId: 'txn-charge-2' })).messageId).not.toBe(
      first,
    );
    const renamed = onlyTrack(
      buildPaymentFailed(taxExcluded, MAPPING_OPTIONS, {
        event: { name: 'Payment Declined', slug: 'payment-failed' },
        payment: card,
        failure: failure(money(100, 'USD')),
      }),
    );
    expect(renamed.event).toBe('Payment Declined');
    expect(renamed.messageId).toBe(first);
  });

  it('carries the consent, and skips without readable consent or without identity', () => {
    expect(failedTrack(taxIncluded, failure(money(12720, 'EUR'))).context).toEqual({
      consent: expected.taxIncluded.consent,
    });
    expect(
      buildPaymentFailed(invalidConsent, MAPPING_OPTIONS, {
        event: PAYMENT_FAILED,
        payment: card,
        failure: failure(money(100, 'USD')),
      }),
    ).toEqual({
      kind: 'skip',
      reason: 'invalid-consent',
    });
    const unattributed: Order = { ...guest, anonymousId: undefined };
    expect(
      buildPaymentFailed(unattributed, MAPPING_OPTIONS, {
        event: PAYMENT_FAILED,
        payment: card,
        failure: failure(money(100, 'USD')),
      }),
    ).toEqual({
      kind: 'skip',
      reason: 'no-identity',
    });
    expect(
      failedTrack(unattributed, failure(money(100, 'USD')), card, { anonymousIdFallback: 'order-id' }),
    ).toMatchObject({
      anonymousId: guest.id,
    });
  });
});
