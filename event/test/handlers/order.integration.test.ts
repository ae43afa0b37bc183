import request from 'supertest';
import guestOrder from '../fixtures/orders/order-guest.json';
import invalidConsentOrder from '../fixtures/orders/order-invalid-consent.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import taxIncludedOrder from '../fixtures/orders/order-tax-included.json';
import { seedOrders, useHarness } from '../support/harness';
import { changeNotification, pubSubEnvelope } from '../support/notifications';
import { registeredTwin } from '../support/resources/customers';

const units = (money: { centAmount: number; fractionDigits: number }) => money.centAmount / 10 ** money.fractionDigits;

const harness = useHarness({ env: { LOCALE: 'en' } }, (h) =>
  seedOrders(h, taxExcludedOrder, taxIncludedOrder, guestOrder, invalidConsentOrder),
);
const post = (body: object) => request(harness.app).post('/').send(body);

describe('order created → Order Completed', () => {
  it('tracks a registered customer order with exact figures, products and coupon', async () => {
    const res = await post(pubSubEnvelope(changeNotification('ResourceCreated', 'order', taxExcludedOrder.id)));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'delivered', events: 1 });

    const events = harness.segment.events();
    expect(events).toHaveLength(1);
    const track = events[0]!;
    expect(track).toMatchObject({
      type: 'track',
      event: 'Order Completed',
      userId: taxExcludedOrder.customerId,
      timestamp: new Date(taxExcludedOrder.createdAt).toISOString(),
    });
    expect(track.messageId).toMatch(/^ct-order-completed-[0-9a-f]{32}$/);
    const properties = track.properties as Record<string, unknown>;
    expect(properties).toMatchObject({
      order_id: taxExcludedOrder.id,
      order_number: taxExcludedOrder.orderNumber,
      checkout_id: taxExcludedOrder.cart.id,
      email: taxExcludedOrder.customerEmail,
      currency: taxExcludedOrder.totalPrice.currencyCode,
      total: units(taxExcludedOrder.taxedPrice.totalGross),
      tax: units(taxExcludedOrder.taxedPrice.totalTax),
      coupon: taxExcludedOrder.discountCodes[0]?.discountCode.obj?.code,
    });
    const products = properties.products as Record<string, unknown>[];
    expect(products).toHaveLength(taxExcludedOrder.lineItems.length);
    expect(products[0]).toMatchObject({
      product_id: taxExcludedOrder.lineItems[0]?.productId,
      sku: taxExcludedOrder.lineItems[0]?.variant.sku,
      name: taxExcludedOrder.lineItems[0]?.name.en,
      quantity: taxExcludedOrder.lineItems[0]?.quantity,
      position: 1,
    });
  });

  it('sends a valid consent custom field as context.consent', async () => {
    await post(changeNotification('ResourceCreated', 'order', taxIncludedOrder.id)).expect(200);
    const consentField = (taxIncludedOrder as { custom?: { fields: Record<string, unknown> } }).custom?.fields.consent;
    expect(typeof consentField).toBe('string');
    expect(harness.segment.events()[0]?.context).toMatchObject({ consent: JSON.parse(consentField as string) });
  });

  it('acknowledges but sends nothing when the consent field cannot be parsed, and says why in the log', async () => {
    const res = await post(changeNotification('ResourceCreated', 'order', invalidConsentOrder.id));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'skipped', reason: 'invalid-consent' });
    expect(harness.segment.received).toHaveLength(0);
    const line = harness.logs.find((entry) => entry.resourceId === invalidConsentOrder.id);
    expect(line).toMatchObject({ level: 'warn', outcome: 'skipped', reason: 'invalid-consent' });
  });

  it('gives the same messageId to a redelivered notification', async () => {
    const body = pubSubEnvelope(changeNotification('ResourceCreated', 'order', taxExcludedOrder.id), {
      messageId: 'a',
    });
    await post(body).expect(200);
    await post({ ...body, message: { ...body.message, messageId: 'b' } }).expect(200);
    const ids = harness.segment.events().map((event) => event.messageId);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(ids[0]);
  });

  it('acknowledges an order that no longer exists', async () => {
    const res = await post(changeNotification('ResourceCreated', 'order', '00000000-0000-4000-8000-00000000beef'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'skipped', reason: 'not-found' });
  });
});

describe('guest orders', () => {
  it('identifies an unregistered guest by anonymousId and email before the track', async () => {
    const res = await post(changeNotification('ResourceCreated', 'order', guestOrder.id));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'delivered', events: 2 });
    const [identify, track] = harness.segment.events();
    expect(identify).toMatchObject({
      type: 'identify',
      anonymousId: guestOrder.anonymousId,
      traits: { email: guestOrder.customerEmail },
    });
    expect(identify).not.toHaveProperty('userId');
    expect(track).toMatchObject({ type: 'track', event: 'Order Completed', anonymousId: guestOrder.anonymousId });
    expect(track?.messageId).not.toBe(identify?.messageId);
  });

  it('never ties a guest email to a registered account (email matched case-insensitively)', async () => {
    const twin = registeredTwin(guestOrder.customerEmail);
    await harness.seed('customer', twin);
    try {
      const res = await post(changeNotification('ResourceCreated', 'order', guestOrder.id));
      expect(res.body).toEqual({ status: 'delivered', events: 1 });
      const events = harness.segment.events();
      expect(events.map((event) => event.type)).toEqual(['track']);
      expect(events[0]).toMatchObject({ anonymousId: guestOrder.anonymousId });
    } finally {
      await harness.commercetools.remove('customer', twin.id);
    }
  });
});
