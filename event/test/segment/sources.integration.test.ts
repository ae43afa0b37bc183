import request from 'supertest';
import customerFull from '../fixtures/customers/customer-full.json';
import guestOrder from '../fixtures/orders/order-guest.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import taxIncludedOrder from '../fixtures/orders/order-tax-included.json';
import { WRITE_KEY } from '../support/environment';
import { type Harness, startHarness } from '../support/harness';
import { changeNotification, pubSubEnvelope } from '../support/notifications';

/**
 * One Segment source per store: the capture records the write key of every request, so each
 * assertion names the source that received a call.
 */
const US = 'us-source-write-key';
const DE = 'de-source-write-key';

let harness: Harness;
const post = (body: object) => request(harness.app).post('/').send(pubSubEnvelope(body));
/** Each source's events, by write key. */
const bySource = () => {
  const sources: Record<
    string,
    { type: string; messageId: string; userId?: string; properties?: Record<string, unknown> }[]
  > = {};
  for (const received of harness.segment.accepted)
    (sources[received.writeKey ?? 'none'] ??= []).push(...received.events);
  return sources;
};

const customerOf = (id: string, stores: string[]) => ({
  ...customerFull,
  id,
  stores: stores.map((key) => ({ typeId: 'store', key })),
});
const BOTH = customerOf('5a5a5a5a-0000-4000-8000-000000000001', ['us-webshop', 'de-webshop']);
const DE_AND_UNMAPPED = customerOf('5a5a5a5a-0000-4000-8000-000000000002', ['de-webshop', 'at-webshop']);
const NO_STORE = customerOf('5a5a5a5a-0000-4000-8000-000000000003', []);
const unmappedOrder = {
  ...guestOrder,
  id: '5a5a5a5a-0000-4000-8000-000000000004',
  store: { typeId: 'store', key: 'uk-webshop' },
};

beforeAll(async () => {
  harness = await startHarness({
    env: { SEGMENT_WRITE_KEYS_BY_STORE: JSON.stringify({ 'us-webshop': US, 'de-webshop': DE }) },
  });
  await harness.seed('order', taxExcludedOrder);
  for (const { discountCode } of taxExcludedOrder.discountCodes) await harness.seed('discount-code', discountCode.obj);
  await harness.seed('order', taxIncludedOrder);
  await harness.seed('order', unmappedOrder);
  for (const customer of [BOTH, DE_AND_UNMAPPED, NO_STORE]) await harness.seed('customer', customer);
});
afterAll(() => harness.close());
beforeEach(() => harness.segment.reset());

it('sends an order of a mapped store to that store’s source only', async () => {
  await post(changeNotification('ResourceCreated', 'order', taxExcludedOrder.id)).expect(200);
  await post(changeNotification('ResourceCreated', 'order', taxIncludedOrder.id)).expect(200);
  const sources = bySource();
  expect(Object.keys(sources).sort()).toEqual([DE, US].sort());
  expect(sources[US]?.map((event) => event.properties?.order_id)).toEqual([taxExcludedOrder.id]);
  expect(sources[DE]?.map((event) => event.properties?.order_id)).toEqual([taxIncludedOrder.id]);
});

it('sends what belongs to no mapped store to the default source', async () => {
  await post(changeNotification('ResourceCreated', 'order', unmappedOrder.id)).expect(200);
  await post(changeNotification('ResourceUpdated', 'customer', NO_STORE.id, 2)).expect(200);
  expect(Object.keys(bySource())).toEqual([WRITE_KEY]);
  expect(bySource()[WRITE_KEY]?.map((event) => event.type)).toEqual(['identify', 'track', 'identify']);
});

it('sends a customer to the source of each of its stores that has one, and to no other', async () => {
  await post(changeNotification('ResourceCreated', 'customer', BOTH.id, 1)).expect(200);
  let sources = bySource();
  expect(Object.keys(sources).sort()).toEqual([DE, US].sort());
  expect(sources[US]?.map((event) => event.type)).toEqual(['identify', 'track']);
  expect(sources[DE]?.map((event) => event.messageId)).toEqual(sources[US]?.map((event) => event.messageId));

  harness.segment.reset();
  await post(changeNotification('ResourceUpdated', 'customer', DE_AND_UNMAPPED.id, 2)).expect(200);
  sources = bySource();
  // at-webshop has no source of its own, but the customer belongs to a store that has: not the default.
  expect(Object.keys(sources)).toEqual([DE]);
});

it('acknowledges only once every source accepted, and never mixes sources in one request', async () => {
  harness.segment.behaveFor(DE, { kind: 'status', status: 503 });
  const failed = await post(changeNotification('ResourceCreated', 'customer', BOTH.id, 1));
  expect(failed.status).toBe(503);
  expect(bySource()[US]).toBeDefined();

  harness.segment.reset();
  harness.segment.behave({ kind: 'delay', ms: 100 });
  const answers = await Promise.all([
    ...Array.from({ length: 5 }, () => post(changeNotification('ResourceCreated', 'order', taxExcludedOrder.id))),
    ...Array.from({ length: 5 }, () => post(changeNotification('ResourceCreated', 'order', taxIncludedOrder.id))),
    post(changeNotification('ResourceCreated', 'customer', BOTH.id, 1)),
  ]);
  for (const answer of answers) expect(answer.status).toBe(200);
  for (const received of harness.segment.received) {
    const expected = received.writeKey === US ? 'us-webshop' : 'de-webshop';
    for (const event of received.events) {
      if (event.type === 'track' && event.properties?.order_id) expect(event.properties.store).toBe(expected);
    }
  }
});
