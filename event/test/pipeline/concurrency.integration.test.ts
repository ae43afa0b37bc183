import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import customerFull from '../fixtures/customers/customer-full.json';
import customerMinimal from '../fixtures/customers/customer-minimal.json';
import orderGuest from '../fixtures/orders/order-guest.json';
import orderHighPrecision from '../fixtures/orders/order-high-precision.json';
import orderJpy from '../fixtures/orders/order-jpy.json';
import orderKwd from '../fixtures/orders/order-kwd.json';
import orderMultipleShipping from '../fixtures/orders/order-multiple-shipping.json';
import orderNoTax from '../fixtures/orders/order-no-tax.json';
import orderTaxExcluded from '../fixtures/orders/order-tax-excluded.json';
import orderTaxIncluded from '../fixtures/orders/order-tax-included.json';
import { type Harness, startHarness } from '../support/harness';
import { changeNotification, messageNotification, pubSubEnvelope } from '../support/notifications';
import { seededRandom, shuffled } from '../support/random';
import type { CapturedEvent } from '../../src/dev/segment-capture';

/**
 * 1,000 distinct notifications about 400 resources, 20 % of them delivered twice (some through
 * the alternative route commercetools offers), shuffled and posted 64 at a time: every answer is
 * 200 and Segment holds exactly one messageId per logical event, none missing. Duplicates may
 * reach Segment, but only under the messageId of the first, so Segment drops them.
 */

const ORDERS = 200;
const CUSTOMERS = 200;
const IN_FLIGHT = 64;
const DUPLICATE_SHARE = 0.2;

jest.setTimeout(60_000);

type Json = Record<string, unknown>;

const ORDER_FIXTURES: Json[] = [
  orderGuest,
  orderHighPrecision,
  orderJpy,
  orderKwd,
  orderMultipleShipping,
  orderNoTax,
  orderTaxExcluded,
  orderTaxIncluded,
];
const CUSTOMER_FIXTURES: Json[] = [customerFull, customerMinimal];

/** What Segment should end up holding: one key per logical event. */
const trackKey = (event: string, orderId: string, timestamp: string) =>
  `${event}|${orderId}|${new Date(timestamp).toISOString()}`;
const identifyKey = (who: string) => `identify|${who}`;

function keyOf(event: CapturedEvent): string {
  if (event.type === 'identify') return identifyKey(String(event.userId ?? event.anonymousId));
  return trackKey(String(event.event), String(event.properties?.order_id), String(event.timestamp));
}

let harness: Harness;
let server: Server;
let baseUrl: string;
const expected = new Set<string>();
const deliveries: object[] = [];
/** Fixes the order of arrival (not the interleaving, which timing decides); CONCURRENCY_SEED varies it. */
const seed = Number(process.env.CONCURRENCY_SEED ?? 20_261_123);

beforeAll(async () => {
  harness = await startHarness({
    // The messages are commercetools' own: its Messages API holds them, so they are proven.
    messages: true,
    // Generous bounds: this test is about what arrives, not about how fast.
    deadlineMs: 20_000,
    commercetoolsLimits: { timeoutMs: 10_000 },
    segmentLimits: { httpRequestTimeoutMs: 10_000 },
  });
  for (const { discountCode } of orderTaxExcluded.discountCodes) await harness.seed('discount-code', discountCode.obj);

  const distinct: object[] = [];
  const createdMessages: object[] = [];
  const at = (i: number) => new Date(Date.UTC(2026, 10, 23, 12, 0, 0) + i * 1_000).toISOString();
  let clock = 0;

  for (let i = 0; i < ORDERS; i += 1) {
    const order = structuredClone(ORDER_FIXTURES[i % ORDER_FIXTURES.length]!) as Json;
    order.id = randomUUID();
    order.orderNumber = `CC-${String(i).padStart(5, '0')}`;
    const guest = order.customerId === undefined;
    if (guest) {
      order.anonymousId = randomUUID();
      order.customerEmail = `guest-${i}@example.com`;
      expected.add(identifyKey(order.anonymousId as string));
    }
    await harness.seed('order', order);
    const id = order.id as string;

    distinct.push(changeNotification('ResourceCreated', 'order', id));
    expected.add(trackKey('Order Completed', id, order.createdAt as string));
    createdMessages.push(
      await harness.publish(
        messageNotification('order', id, 'OrderCreated', { order }, { id: randomUUID(), createdAt: at((clock += 1)) }),
      ),
    );

    for (const [type, fields, event] of [
      ['OrderStateChanged', { orderState: 'Cancelled', oldOrderState: 'Open' }, 'Order Cancelled'],
      ['OrderPaymentStateChanged', { paymentState: 'Paid', oldPaymentState: 'Pending' }, 'Order Paid'],
      ['OrderShipmentStateChanged', { shipmentState: 'Shipped', oldShipmentState: 'Ready' }, 'Order Shipped'],
    ] as const) {
      const createdAt = at((clock += 1));
      distinct.push(
        await harness.publish(messageNotification('order', id, type, fields, { id: randomUUID(), createdAt })),
      );
      expected.add(trackKey(event, id, createdAt));
    }
  }

  for (let i = 0; i < CUSTOMERS; i += 1) {
    const customer = structuredClone(CUSTOMER_FIXTURES[i % CUSTOMER_FIXTURES.length]!) as Json;
    customer.id = randomUUID();
    customer.email = `customer-${i}@example.com`;
    customer.lowercaseEmail = customer.email;
    customer.customerNumber = `C-${i}`;
    await harness.seed('customer', customer);
    distinct.push(changeNotification('ResourceUpdated', 'customer', customer.id as string, customer.version as number));
    expected.add(identifyKey(customer.id as string));
  }
  expect(distinct).toHaveLength(ORDERS * 4 + CUSTOMERS);

  const next = seededRandom(seed);
  // Pub/Sub redeliveries (same notification, new delivery), and OrderCreated messages standing
  // for the ResourceCreated change of the same order (the same messageIds by design).
  const duplicates = shuffled(distinct, next)
    .slice(0, Math.round(distinct.length * DUPLICATE_SHARE))
    .map((notification, i) =>
      i % 4 === 0
        ? { notification: createdMessages[Math.floor(next() * createdMessages.length)]!, attempt: 1 }
        : { notification, attempt: 2 },
    );
  const all = [...distinct.map((notification) => ({ notification, attempt: 1 })), ...duplicates];
  for (const [i, { notification, attempt }] of shuffled(all, next).entries()) {
    deliveries.push(pubSubEnvelope(notification, { messageId: `pubsub-${i}`, deliveryAttempt: attempt }));
  }

  server = harness.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  // One request first, so the app holds its commercetools token before the burst.
  await fetch(baseUrl, {
    method: 'POST',
    body: JSON.stringify(changeNotification('ResourceCreated', 'customer', randomUUID())),
  });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await harness.close();
});

it(`delivers ${ORDERS * 4 + CUSTOMERS} notifications plus duplicates, ${IN_FLIGHT} in flight, as one messageId per logical event`, async () => {
  const answers: { status: number; body: Json }[] = [];
  let cursor = 0;
  const worker = async () => {
    while (cursor < deliveries.length) {
      const body = deliveries[cursor++]!;
      const res = await fetch(baseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      answers.push({ status: res.status, body: (await res.json()) as Json });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));

  expect(answers).toHaveLength(ORDERS * 4 + CUSTOMERS + Math.round((ORDERS * 4 + CUSTOMERS) * DUPLICATE_SHARE));
  const notOk = answers.filter((answer) => answer.status !== 200 || answer.body.status !== 'delivered');
  expect(notOk).toEqual([]);

  // Everything offered was accepted: the stand-in refuses nothing here.
  const events = harness.segment.events();
  expect(events).toHaveLength(harness.segment.received.flatMap((r) => r.events).length);

  const keysById = new Map<string, Set<string>>();
  const idsByKey = new Map<string, Set<string>>();
  for (const event of events) {
    const key = keyOf(event);
    keysById.set(event.messageId, (keysById.get(event.messageId) ?? new Set()).add(key));
    idsByKey.set(key, (idsByKey.get(key) ?? new Set()).add(event.messageId));
  }
  // A messageId never stands for two events, and an event never got two messageIds.
  expect([...keysById].filter(([, keys]) => keys.size > 1)).toEqual([]);
  expect([...idsByKey].filter(([, ids]) => ids.size > 1)).toEqual([]);
  // Exactly the expected events, none missing, none extra.
  expect(new Set(idsByKey.keys())).toEqual(expected);
  expect(keysById.size).toBe(expected.size);
  // Duplicates did reach Segment, each under the messageId of its original.
  expect(events.length).toBeGreaterThan(expected.size);
});
