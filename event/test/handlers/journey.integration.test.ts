import request from 'supertest';
import customerFull from '../fixtures/customers/customer-full.json';
import guestOrder from '../fixtures/orders/order-guest.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { startHarness, type Harness } from '../support/harness';
import { NO_PRODUCT_READS } from '../support/environment';
import { changeNotification, messageNotification, pubSubEnvelope } from '../support/notifications';

/**
 * Events that join the shopper's journey, through the real server with the commercetools stand-in
 * and the Segment capture: both identities, the storefront's tracking context, the person's email
 * and merchants' custom fields, as Segment received them.
 */

const TYPE = { typeId: 'type', id: '4a0b7f3c-2d8e-4f51-a6c9-1e7d3b5f9a20' };
const CONSENT = { categoryPreferences: { Advertising: false, Analytics: true } };
const USER_AGENT =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';

/** What a storefront following the README writes on the cart, copied to the order at checkout. */
const trackingFields = (anonymousId: string) => ({
  segmentAnonymousId: anonymousId,
  clientIp: '203.0.113.42',
  userAgent: USER_AGENT,
  locale: 'en-US',
  pageUrl: 'https://shop.example/checkout',
  pageReferrer: 'https://www.google.com/',
  utmCampaign: 'spring-sale',
  utmSource: 'newsletter',
  utmMedium: 'email',
});

const BROWSER = '5b1f0c3e-2a4d-4e6f-8a9b-0c1d2e3f4a5b';

/** The registered customer's order, from a browser the storefront tracked, with a gift message. */
const trackedOrder = {
  ...taxExcludedOrder,
  id: '0aa11e55-0000-4000-8000-000000000001',
  discountCodes: [],
  custom: {
    type: TYPE,
    fields: {
      ...trackingFields(BROWSER),
      consent: JSON.stringify(CONSENT),
      giftMessage: 'Happy birthday!',
      deposit: { type: 'centPrecision', currencyCode: 'USD', centAmount: 2550, fractionDigits: 2 },
    },
  },
};

/** The same customer's order without tracking fields: its own anonymousId is the browser's. */
const untrackedOrder = { ...taxExcludedOrder, id: '0aa11e55-0000-4000-8000-000000000002', discountCodes: [] };

/** A guest whose email no registered customer uses. */
const guest = { ...guestOrder, id: '0aa11e55-0000-4000-8000-000000000003' };
/** A guest who typed a registered customer's email (in another case). */
const guestWithRegisteredEmail = {
  ...guestOrder,
  id: '0aa11e55-0000-4000-8000-000000000004',
  customerEmail: customerFull.email.toUpperCase(),
};

/** A customer whose storefront recorded the browser they signed up from, and their loyalty tier. */
const trackedCustomer = {
  ...customerFull,
  id: '0aa11e55-0000-4000-8000-0000000000c1',
  email: 'ada.tracked@example.com',
  custom: {
    type: TYPE,
    fields: {
      ...trackingFields(BROWSER),
      consent: JSON.stringify(CONSENT),
      loyaltyTier: 'gold',
      loyaltyLabel: { en: 'Gold member', de: 'Gold-Mitglied' },
    },
  },
};

const cancelled = <T extends object>(order: T) => ({
  ...order,
  version: 9,
  orderState: 'Cancelled',
  lastModifiedAt: '2026-11-23T10:14:00.000Z',
});

const ENV = {
  ...NO_PRODUCT_READS,
  LOCALE: 'en',
  ORDER_PROPERTY_FIELDS: '{"giftMessage":"gift_message","deposit":"deposit"}',
  CUSTOMER_TRAIT_FIELDS: '{"loyaltyTier":"loyalty_tier","loyaltyLabel":"loyalty_label"}',
};

let harness: Harness;
let proxy: FaultProxy;

async function seedAll(h: Harness) {
  for (const order of [trackedOrder, untrackedOrder, cancelled(guest), guestWithRegisteredEmail]) {
    await h.seed('order', order);
  }
  // As commercetools holds a customer: with the lower-cased email its look-ups compare.
  await h.seed('customer', { ...customerFull, lowercaseEmail: customerFull.email.toLowerCase() });
  await h.seed('customer', trackedCustomer);
}

beforeAll(async () => {
  // Through a counting proxy: a guest's look-up is made once per notification, and only when needed.
  proxy = await startFaultProxy();
  harness = await startHarness({ commercetoolsUrl: proxy.url, env: ENV });
  proxy.target = harness.ctUrl;
  await harness.pipeline.project.messages();
  await seedAll(harness);
});
afterAll(async () => {
  await harness.close();
  await proxy.close();
});
beforeEach(() => harness.segment.reset());

const post = (h: Harness, body: object) => request(h.app).post('/').send(pubSubEnvelope(body));
const created = (id: string) => changeNotification('ResourceCreated', 'order', id);
const cancellation = (id: string) =>
  messageNotification('order', id, 'OrderStateChanged', { orderState: 'Cancelled', oldOrderState: 'Open' });

/** commercetools requests one notification made, the access token aside, and the customer look-ups among them. */
async function readsOf(h: Harness, body: object) {
  const all = proxy.count() - proxy.count('/oauth/');
  const lookups = proxy.count('/customers?');
  await post(h, body).expect(200);
  return { reads: proxy.count() - proxy.count('/oauth/') - all, lookups: proxy.count('/customers?') - lookups };
}

describe('a registered customer’s order', () => {
  it('carries the userId and the browser’s anonymousId, the tracked context, the email and the custom fields', async () => {
    expect(await readsOf(harness, created(trackedOrder.id))).toEqual({ reads: 1, lookups: 0 });
    const [track, ...rest] = harness.segment.events();
    expect(rest).toHaveLength(0);
    expect(track).toMatchObject({
      type: 'track',
      event: 'Order Completed',
      userId: taxExcludedOrder.customerId,
      // The tracking field, not the order's own commercetools session id.
      anonymousId: BROWSER,
      properties: { order_id: trackedOrder.id, total: 227.46, gift_message: 'Happy birthday!', deposit: 25.5 },
    });
    expect(track?.context).toMatchObject({
      ip: '203.0.113.42',
      userAgent: USER_AGENT,
      locale: 'en-US',
      page: { url: 'https://shop.example/checkout', referrer: 'https://www.google.com/' },
      campaign: { name: 'spring-sale', source: 'newsletter', medium: 'email' },
      consent: CONSENT,
      traits: { email: taxExcludedOrder.customerEmail },
    });
  });

  it('takes the order’s own anonymousId as the browser’s without a tracking field', async () => {
    await post(harness, created(untrackedOrder.id)).expect(200);
    const [track] = harness.segment.events();
    expect(track).toMatchObject({ userId: taxExcludedOrder.customerId, anonymousId: taxExcludedOrder.anonymousId });
    // No tracking fields: no shopper context (only what Segment's library adds), but still the person's email.
    expect(track?.context).toEqual({ library: expect.any(Object), traits: { email: taxExcludedOrder.customerEmail } });
    expect(track?.properties).not.toHaveProperty('gift_message');
  });
});

describe('a customer', () => {
  it('is identified with the browser’s anonymousId, context and custom traits; Signed Up carries the email', async () => {
    await post(harness, changeNotification('ResourceCreated', 'customer', trackedCustomer.id)).expect(200);
    const [identify, signedUp] = harness.segment.events();
    expect(identify).toMatchObject({
      type: 'identify',
      userId: trackedCustomer.id,
      anonymousId: BROWSER,
      traits: { email: trackedCustomer.email, loyalty_tier: 'gold', loyalty_label: 'Gold member' },
      context: { ip: '203.0.113.42', userAgent: USER_AGENT, consent: CONSENT },
    });
    expect(identify?.context).not.toHaveProperty('traits');
    expect(signedUp).toMatchObject({
      type: 'track',
      event: 'Signed Up',
      userId: trackedCustomer.id,
      anonymousId: BROWSER,
      context: { ip: '203.0.113.42', consent: CONSENT, traits: { email: trackedCustomer.email } },
    });
  });

  it('without tracking fields is its userId alone', async () => {
    await post(harness, changeNotification('ResourceUpdated', 'customer', customerFull.id, 2)).expect(200);
    const [identify] = harness.segment.events();
    expect(identify).toMatchObject({ type: 'identify', userId: customerFull.id });
    expect(identify).not.toHaveProperty('anonymousId');
  });
});

describe('the email of a guest', () => {
  it('joins a guest’s events when no registered customer uses it: one look-up per notification', async () => {
    expect(await readsOf(harness, created(guest.id))).toEqual({ reads: 2, lookups: 1 });
    const [identify, completed] = harness.segment.events();
    expect(identify).toMatchObject({
      type: 'identify',
      anonymousId: guest.anonymousId,
      traits: { email: guest.customerEmail },
    });
    expect(completed).toMatchObject({ event: 'Order Completed', context: { traits: { email: guest.customerEmail } } });
    expect(completed).not.toHaveProperty('userId');

    // A later event of the guest's order asks again, once (the project keeps no messages: the state proves it).
    harness.segment.reset();
    expect(await readsOf(harness, cancellation(guest.id))).toEqual({ reads: 2, lookups: 1 });
    const [cancelledEvent, ...more] = harness.segment.events();
    expect(more).toHaveLength(0);
    expect(cancelledEvent).toMatchObject({ event: 'Order Cancelled', anonymousId: guest.anonymousId });
    expect(cancelledEvent?.context).toEqual({ library: expect.any(Object), traits: { email: guest.customerEmail } });
  });

  it('stays out of every call when a registered customer uses it', async () => {
    await post(harness, created(guestWithRegisteredEmail.id)).expect(200);
    const events = harness.segment.events();
    expect(events.map((event) => event.type)).toEqual(['track']);
    expect(events[0]).toMatchObject({ event: 'Order Completed', anonymousId: guestWithRegisteredEmail.anonymousId });
    expect(events[0]?.context).not.toHaveProperty('traits');
  });
});

describe('an associate leaving a business unit', () => {
  const unit = {
    id: '0aa11e55-0000-4000-8000-0000000000b1',
    version: 4,
    key: 'acme-procurement',
    name: 'ACME Procurement',
    unitType: 'Company',
    status: 'Active',
    storeMode: 'Explicit',
    stores: [],
    associateMode: 'Explicit',
    approvalRuleMode: 'Explicit',
    associates: [],
    inheritedAssociates: [],
    addresses: [],
    shippingAddressIds: [],
    billingAddressIds: [],
    createdAt: '2026-01-10T08:00:00.000Z',
    lastModifiedAt: '2026-11-23T10:14:00.000Z',
  };

  it('is the customer’s event once the connector read them: browser, context, consent and email', async () => {
    await harness.seed('business-unit', unit);
    const removed = messageNotification('business-unit', unit.id, 'BusinessUnitAssociateRemoved', {
      associate: { customer: { typeId: 'customer', id: trackedCustomer.id }, associateRoleAssignments: [] },
    });
    await post(harness, removed).expect(200);
    expect(harness.segment.events()).toEqual([
      expect.objectContaining({
        event: 'Account Removed User',
        userId: trackedCustomer.id,
        anonymousId: BROWSER,
        context: expect.objectContaining({
          groupId: unit.key,
          ip: '203.0.113.42',
          consent: CONSENT,
          traits: { email: trackedCustomer.email },
        }),
      }),
    ]);
  });
});

describe('EMAIL_IN_EVENTS=false', () => {
  let quiet: Harness;
  beforeAll(async () => {
    quiet = await startHarness({ commercetoolsUrl: proxy.url, env: { ...ENV, EMAIL_IN_EVENTS: 'false' } });
    await quiet.pipeline.project.messages();
  });
  afterAll(() => quiet.close());

  it('sends no context.traits, and a guest’s later event costs no look-up', async () => {
    await post(quiet, created(trackedOrder.id)).expect(200);
    expect(quiet.segment.events()[0]?.context).not.toHaveProperty('traits');
    expect(await readsOf(quiet, cancellation(guest.id))).toEqual({ reads: 1, lookups: 0 });
    expect(quiet.segment.events()[1]).toMatchObject({ event: 'Order Cancelled', anonymousId: guest.anonymousId });
    expect(quiet.segment.events()[1]?.context).not.toHaveProperty('traits');
  });
});

describe('a guest order assigned to a customer (OrderCustomerSet)', () => {
  const assignee = {
    ...customerFull,
    id: '0aa11e55-0000-4000-8000-0000000000c2',
    email: 'later.registered@example.com',
    lowercaseEmail: 'later.registered@example.com',
  };
  const GUEST_BROWSER = '6c2a1d4f-3b5e-4f70-9a1b-2c3d4e5f6a7b';
  /** A guest's order from a tracked browser (its own commercetools anonymousId is another id). */
  const trackedGuest = {
    ...guestOrder,
    id: '0aa11e55-0000-4000-8000-000000000005',
    custom: { type: TYPE, fields: { segmentAnonymousId: GUEST_BROWSER, consent: JSON.stringify(CONSENT) } },
  };
  /** A guest's order with no anonymousId at all: its events went under the email hash. */
  const unattributedGuest = { ...guestOrder, id: '0aa11e55-0000-4000-8000-000000000006', anonymousId: undefined };

  const customerSet = (orderId: string, fields: object = { customer: { typeId: 'customer', id: assignee.id } }) =>
    messageNotification('order', orderId, 'OrderCustomerSet', fields);

  let withMessages: Harness;

  /** The merchant assigns the order, through commercetools' API (the stand-in keeps its rule on the customer). */
  async function assign(h: Harness, order: { id: string; version: number }, customerId: string) {
    const basic = Buffer.from('merchant:secret').toString('base64');
    const granted = await fetch(`${h.ctUrl}/oauth/token?grant_type=client_credentials`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}` },
    });
    const token = ((await granted.json()) as { access_token: string }).access_token;
    const answer = await fetch(`${h.ctUrl}/${h.pipeline.mapping.projectKey}/orders/${order.id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: order.version, actions: [{ action: 'setCustomerId', customerId }] }),
    });
    expect(answer.status).toBe(200);
  }

  beforeAll(async () => {
    withMessages = await startHarness({ messages: true, env: ENV });
    for (const h of [withMessages, harness]) {
      await h.seed('customer', assignee);
      await h.seed('order', trackedGuest);
      await h.seed('order', unattributedGuest);
    }
    await assign(withMessages, trackedGuest, assignee.id);
  });
  afterAll(() => withMessages.close());
  beforeEach(() => withMessages.segment.reset());

  it('identifies the customer with the guest’s browser, once per message, proven by the Messages API', async () => {
    const message = await withMessages.publish(customerSet(trackedGuest.id));
    const res = await post(withMessages, message);
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    const [identify, ...rest] = withMessages.segment.events();
    expect(rest).toHaveLength(0);
    expect(identify).toMatchObject({
      type: 'identify',
      userId: assignee.id,
      anonymousId: GUEST_BROWSER,
      traits: {},
      timestamp: new Date(message.createdAt).toISOString(),
      context: { consent: CONSENT },
    });
    expect(identify?.messageId).toMatch(/^ct-order-customer-set-[0-9a-f]{32}$/);

    await post(withMessages, message).expect(200);
    expect(withMessages.segment.events()[1]?.messageId).toBe(identify?.messageId);
  });

  it('sends nothing for a message commercetools never created', async () => {
    const forged = customerSet(trackedGuest.id, { customer: { typeId: 'customer', id: customerFull.id } });
    expect((await post(withMessages, forged)).body).toEqual({ status: 'skipped', reason: 'unproven' });
    expect(withMessages.segment.received).toHaveLength(0);
  });

  it('joins nothing for an order moved between customers, a removed customer, or a guest known by email hash only', async () => {
    const moved = await withMessages.publish(
      customerSet(trackedGuest.id, {
        customer: { typeId: 'customer', id: assignee.id },
        oldCustomer: { typeId: 'customer', id: customerFull.id },
      }),
    );
    expect((await post(withMessages, moved)).body).toEqual({ status: 'skipped', reason: 'no-event' });
    const removed = await withMessages.publish(customerSet(trackedGuest.id, {}));
    expect((await post(withMessages, removed)).body).toEqual({ status: 'skipped', reason: 'no-event' });
    await assign(withMessages, unattributedGuest, assignee.id);
    const hashed = await withMessages.publish(customerSet(unattributedGuest.id));
    expect((await post(withMessages, hashed)).body).toEqual({ status: 'skipped', reason: 'no-event' });
    expect(withMessages.segment.received).toHaveLength(0);
  });

  it('in a project without messages, is proven by the order’s customer now, and keyed by the order and customer', async () => {
    // The claim names a customer the order does not have (yet): a forgery, or too early.
    expect((await post(harness, customerSet(trackedGuest.id))).body).toEqual({ status: 'skipped', reason: 'unproven' });
    expect(harness.segment.received).toHaveLength(0);

    await assign(harness, trackedGuest, assignee.id);
    expect((await post(harness, customerSet(trackedGuest.id))).body).toEqual({ status: 'delivered', events: 1 });
    // Another copy of the claim under another message id is the same occurrence.
    await post(harness, customerSet(trackedGuest.id)).expect(200);
    const [first, second] = harness.segment.events();
    expect(first).toMatchObject({ type: 'identify', userId: assignee.id, anonymousId: GUEST_BROWSER });
    expect(second?.messageId).toBe(first?.messageId);
  });
});

describe('EVENT_ORDER_CUSTOMER_SET=off', () => {
  let off: Harness;
  beforeAll(async () => {
    off = await startHarness({ env: { EVENT_ORDER_CUSTOMER_SET: 'off' } });
  });
  afterAll(() => off.close());

  it('sends nothing and reads nothing', async () => {
    const notification = messageNotification('order', guest.id, 'OrderCustomerSet', {
      customer: { typeId: 'customer', id: customerFull.id },
    });
    expect((await post(off, notification)).body).toEqual({ status: 'skipped', reason: 'disabled' });
    expect(off.segment.received).toHaveLength(0);
  });
});
