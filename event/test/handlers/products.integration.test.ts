import request from 'supertest';
import categories from '../fixtures/catalog/categories.json';
import products from '../fixtures/catalog/products.json';
import guestOrder from '../fixtures/orders/order-guest.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import { seedOrders, useHarness } from '../support/harness';
import { changeNotification, messageNotification, pubSubEnvelope } from '../support/notifications';

/**
 * Richer products through the real server: brand from the line item, url from the template and
 * category from the products and categories the commercetools stand-in holds, read over HTTP and
 * counted; and every applied discount code in `coupon`.
 */
const [sneaker, socks] = products;
const secondCode = {
  ...taxExcludedOrder.discountCodes[0]!.discountCode.obj,
  id: 'c0de5a10-7e3b-4c2a-9f1d-2b6e8a4c0d16',
  key: 'freeship',
  code: 'FREESHIP',
};

/** The registered order with a brand on its sneaker line and a second code that applied. */
const enrichedOrder = {
  ...taxExcludedOrder,
  id: 'e1c40001-0000-4000-8000-000000000001',
  lineItems: taxExcludedOrder.lineItems.map((item, index) =>
    index === 0
      ? {
          ...item,
          variant: { ...item.variant, attributes: [{ name: 'brand', value: { key: 'th', label: 'Trailhead' } }] },
        }
      : item,
  ),
  discountCodes: [
    ...taxExcludedOrder.discountCodes,
    { discountCode: { typeId: 'discount-code', id: secondCode.id, obj: secondCode }, state: 'MatchesCart' },
  ],
};
/** Another order of the same two products. */
const repeatOrder = { ...enrichedOrder, id: 'e1c40001-0000-4000-8000-000000000002' };

/** An order of products nobody asked about yet, paid with a charge that failed and refunded in part. */
const failedPayment = 'e1c40002-0000-4000-8000-00000000f001';
const refundPayment = 'e1c40002-0000-4000-8000-00000000f002';
const usd = (centAmount: number) => ({ type: 'centPrecision', currencyCode: 'USD', centAmount, fractionDigits: 2 });
const failedCharge = {
  id: 'e1c40002-0000-4000-8000-00000000c401',
  type: 'Charge',
  amount: usd(22746),
  state: 'Failure',
};
const refund = { id: 'e1c40002-0000-4000-8000-00000000b200', type: 'Refund', amount: usd(1000), state: 'Success' };
const paidOrder = {
  ...taxExcludedOrder,
  id: 'e1c40002-0000-4000-8000-000000000001',
  discountCodes: [],
  lineItems: taxExcludedOrder.lineItems.map((item, index) => ({
    ...item,
    productId: `e1c40002-0000-4000-8000-00000000000${index + 2}`,
  })),
  paymentInfo: {
    payments: [
      { typeId: 'payment', id: failedPayment },
      { typeId: 'payment', id: refundPayment },
    ],
  },
};
const payment = (id: string, transaction: object) => ({
  id,
  version: 2,
  createdAt: '2026-03-14T09:26:50.000Z',
  lastModifiedAt: '2026-03-14T09:31:12.000Z',
  amountPlanned: usd(22746),
  paymentMethodInfo: { paymentInterface: 'stripe', method: 'card' },
  paymentStatus: {},
  transactions: [transaction],
  interfaceInteractions: [],
});

const harness = useHarness(
  {
    proxied: true,
    env: {
      LOCALE: 'en',
      PRODUCT_URL_TEMPLATE: 'https://shop.example/{locale}/p/{slug}?variant={variantKey}',
      PRODUCT_CATEGORY_PATH: 'true',
    },
  },
  async (h) => {
    for (const category of categories) await h.seed('category', category);
    for (const product of products) await h.seed('product', product);
    await seedOrders(h, enrichedOrder, repeatOrder, guestOrder);
    await h.seed('discount-code', secondCode);
    await seedOrders(h, paidOrder);
    await h.seed('payment', payment(failedPayment, failedCharge));
    await h.seed('payment', payment(refundPayment, refund));
  },
);
const post = (body: object) => request(harness.app).post('/').send(pubSubEnvelope(body));
const productsOf = (index = 0) =>
  (harness.segment.events()[index]?.properties as { products: Record<string, unknown>[] }).products;

it('sends brand, url and the category path read from commercetools, and every applied code', async () => {
  await post(changeNotification('ResourceCreated', 'order', enrichedOrder.id)).expect(200);
  const [first, second] = productsOf();
  expect(first).toMatchObject({
    product_id: sneaker!.id,
    brand: 'Trailhead',
    category: 'Men > Shoes > Trail',
    url: 'https://shop.example/en/p/trail-runner-sneaker?variant=trail-runner-grey-42',
  });
  expect(second).toMatchObject({ product_id: socks!.id, category: 'Socks' });
  expect(second).not.toHaveProperty('brand');
  expect(harness.segment.events()[0]?.properties).toMatchObject({ coupon: 'SAVE10,FREESHIP' });
});

it('reads the products once: an order of the same products costs one request, its own', async () => {
  const proxy = harness.proxy!;
  await post(changeNotification('ResourceCreated', 'order', enrichedOrder.id)).expect(200);
  const before = proxy.count();
  const productReadsBefore = proxy.count('/product-projections');
  await post(changeNotification('ResourceCreated', 'order', repeatOrder.id)).expect(200);
  expect(proxy.count() - before).toBe(1);
  expect(proxy.count('/product-projections')).toBe(productReadsBefore);
  expect(productsOf()[0]).toMatchObject({ category: 'Men > Shoes > Trail' });
});

it('sends a product unknown to commercetools without category, and asks for it once', async () => {
  const proxy = harness.proxy!;
  const before = proxy.count('/product-projections');
  await post(changeNotification('ResourceCreated', 'order', guestOrder.id)).expect(200);
  await post(changeNotification('ResourceUpdated', 'order', guestOrder.id)).expect(200);
  expect(proxy.count('/product-projections') - before).toBe(1);
  for (const index of [0, 1, 2]) {
    const event = harness.segment.events()[index];
    if (event?.type === 'track')
      expect((event.properties as { products: object[] }).products[0]).not.toHaveProperty('category');
  }
});

it('reads no categories for Payment Failed, which lists no products, and reads them for a refund, which does', async () => {
  const proxy = harness.proxy!;
  const before = proxy.count('/product-projections');
  const failed = messageNotification('payment', failedPayment, 'PaymentTransactionAdded', {
    transaction: failedCharge,
  });
  await post(failed).expect(200);
  expect(harness.segment.events().map((event) => event.event)).toEqual(['Payment Failed']);
  expect(proxy.count('/product-projections')).toBe(before);
  const refunded = messageNotification('payment', refundPayment, 'PaymentTransactionAdded', { transaction: refund });
  await post(refunded).expect(200);
  expect(harness.segment.events().map((event) => event.event)).toEqual(['Payment Failed', 'Order Refunded']);
  expect(proxy.count('/product-projections')).toBe(before + 1);
});
