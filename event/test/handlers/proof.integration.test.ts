import request from 'supertest';
import { STAND_IN_NOW } from '../support/environment';
import { seedOrders, useHarness, withHarness, type Harness } from '../support/harness';
import { messageNotification, pubSubEnvelope } from '../support/notifications';
import { BALANCE_DUE, CANCELLED, DELIVERED, OPEN, orderEventId } from '../support/resources/order-states';

/**
 * Claims from unauthenticated deliveries (as every Pub/Sub push on Connect is), proven by
 * commercetools before anything reaches Segment: by its Messages API when the project keeps
 * messages, by the resource's current state when it does not.
 */

const seeded = (harness: Harness) => seedOrders(harness, OPEN, CANCELLED, DELIVERED, BALANCE_DUE);

const postTo = (harness: Harness, body: object) => request(harness.app).post('/').send(pubSubEnvelope(body));

describe('in a project without messages: state claims proven by the resource', () => {
  const harness = useHarness({}, seeded);

  it.each([
    ['Cancelled for an open order', OPEN, 'OrderStateChanged', { orderState: 'Cancelled' }],
    ['Paid for an order with a balance due', BALANCE_DUE, 'OrderPaymentStateChanged', { paymentState: 'Paid' }],
    ['Shipped for an order still pending', OPEN, 'OrderShipmentStateChanged', { shipmentState: 'Shipped' }],
    ['Delivered for an order still pending', OPEN, 'OrderShipmentStateChanged', { shipmentState: 'Delivered' }],
  ])('sends nothing for a forged %s, and warns', async (_name, target, type, fields) => {
    const res = await postTo(harness, messageNotification('order', target.id, type, fields));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'skipped', reason: 'unproven' });
    expect(harness.segment.received).toHaveLength(0);
    expect(harness.logs.at(-1)).toMatchObject({ level: 'warn', reason: 'unproven', proof: 'state' });
  });

  it('sends one event for a real cancellation and its forged copies, keyed by the order and dated by commercetools', async () => {
    const copies = [
      { id: 'f0f0f0f0-0000-4000-8000-000000000001', createdAt: '2026-11-23T10:15:00.000Z' },
      { id: 'f0f0f0f0-0000-4000-8000-000000000002', createdAt: '2031-01-01T00:00:00.000Z' },
      { id: 'f0f0f0f0-0000-4000-8000-000000000003', createdAt: '1999-01-01T00:00:00.000Z' },
    ];
    for (const copy of copies) {
      const res = await postTo(
        harness,
        messageNotification('order', CANCELLED.id, 'OrderStateChanged', { orderState: 'Cancelled' }, copy),
      );
      expect(res.body).toEqual({ status: 'delivered', events: 1 });
    }
    const events = harness.segment.events();
    expect(new Set(events.map((event) => event.messageId))).toEqual(
      new Set([orderEventId(CANCELLED.id, 'order-cancelled', 'reached-Cancelled')]),
    );
    expect(new Set(events.map((event) => event.timestamp))).toEqual(new Set([CANCELLED.lastModifiedAt]));
  });

  it('takes a delivered order as proof that it shipped', async () => {
    const res = await postTo(
      harness,
      messageNotification('order', DELIVERED.id, 'OrderShipmentStateChanged', { shipmentState: 'Shipped' }),
    );
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    expect(harness.segment.events()[0]).toMatchObject({
      event: 'Order Shipped',
      messageId: orderEventId(DELIVERED.id, 'order-shipped', 'reached-Shipped'),
      timestamp: DELIVERED.lastModifiedAt,
    });
  });

  it('sends nothing for a claim about an order commercetools does not hold', async () => {
    const res = await postTo(
      harness,
      messageNotification('order', 'c1a1c1a1-0000-4000-8000-0000000000ff', 'OrderStateChanged', {
        orderState: 'Cancelled',
      }),
    );
    expect(res.body).toEqual({ status: 'skipped', reason: 'not-found' });
  });
});

describe("in a project that keeps messages: claims proven by commercetools' Messages API", () => {
  const harness = useHarness({ messages: true }, seeded);

  it('sends nothing for a message the Messages API does not hold, even about a cancelled order', async () => {
    for (const target of [OPEN, CANCELLED]) {
      const res = await postTo(
        harness,
        messageNotification('order', target.id, 'OrderStateChanged', { orderState: 'Cancelled' }),
      );
      expect(res.body).toEqual({ status: 'skipped', reason: 'unproven' });
    }
    expect(harness.segment.received).toHaveLength(0);
    expect(harness.logs.at(-1)).toMatchObject({ level: 'warn', reason: 'unproven' });
  });

  it('sends a real message once, with its stored date, whatever date or state a copy under its id claims', async () => {
    const real = await harness.publish(
      messageNotification(
        'order',
        CANCELLED.id,
        'OrderStateChanged',
        { orderState: 'Cancelled', oldOrderState: 'Open' },
        { createdAt: '2026-11-23T09:00:00.000Z' },
      ),
    );
    const tampered = { ...real, createdAt: '2031-01-01T00:00:00.000Z', lastModifiedAt: '2031-01-01T00:00:00.000Z' };
    for (const body of [real, real, tampered]) {
      expect((await postTo(harness, body)).body).toEqual({ status: 'delivered', events: 1 });
    }
    const forgedElsewhere = { ...real, id: 'f0f0f0f0-0000-4000-8000-0000000000aa' };
    expect((await postTo(harness, forgedElsewhere)).body).toEqual({ status: 'skipped', reason: 'unproven' });
    const events = harness.segment.events();
    expect(new Set(events.map((event) => event.messageId))).toEqual(
      new Set([orderEventId(CANCELLED.id, 'order-cancelled', real.id)]),
    );
    expect(new Set(events.map((event) => event.timestamp))).toEqual(new Set(['2026-11-23T09:00:00.000Z']));
    expect(harness.logs.at(-2)).toMatchObject({ outcome: 'delivered', proof: 'messages-api' });
  });

  it('believes the stored state, not the claimed one, under a real message id', async () => {
    const confirmed = await harness.publish(
      messageNotification('order', OPEN.id, 'OrderStateChanged', { orderState: 'Confirmed', oldOrderState: 'Open' }),
    );
    const res = await postTo(harness, { ...confirmed, orderState: 'Cancelled' });
    expect(res.body).toEqual({ status: 'skipped', reason: 'no-event' });
    expect(harness.segment.received).toHaveLength(0);
  });

  it('sends nothing when the id names a message of another type or about another resource', async () => {
    const paid = await harness.publish(
      messageNotification('order', OPEN.id, 'OrderPaymentStateChanged', { paymentState: 'Paid' }),
    );
    const asCancellation = { ...paid, type: 'OrderStateChanged', orderState: 'Cancelled' };
    expect((await postTo(harness, asCancellation)).body).toEqual({ status: 'skipped', reason: 'unproven' });
    const otherOrder = { ...paid, resource: { typeId: 'order', id: CANCELLED.id } };
    expect((await postTo(harness, otherOrder)).body).toEqual({ status: 'skipped', reason: 'unproven' });
    expect(harness.segment.received).toHaveLength(0);
  });

  it('answers 503 for a message created moments ago that the Messages API does not hold yet, so it comes back', async () => {
    const fresh = messageNotification(
      'order',
      CANCELLED.id,
      'OrderStateChanged',
      { orderState: 'Cancelled' },
      { createdAt: new Date().toISOString() },
    );
    const res = await postTo(harness, fresh);
    expect(res.status).toBe(503);
    expect(harness.segment.received).toHaveLength(0);
  });
});

describe('message retention', () => {
  it('sends nothing for a message older than the project keeps messages: commercetools no longer holds it', async () => {
    let now = STAND_IN_NOW;
    await withHarness({ messages: true, now: () => now }, async (harness) => {
      await seeded(harness);
      const real = await harness.publish(
        messageNotification('order', CANCELLED.id, 'OrderStateChanged', { orderState: 'Cancelled' }),
      );
      expect((await postTo(harness, real)).body).toEqual({ status: 'delivered', events: 1 });
      now += 16 * 24 * 60 * 60 * 1000;
      expect((await postTo(harness, real)).body).toEqual({ status: 'skipped', reason: 'unproven' });
    });
  });
});

describe("the project's settings", () => {
  it('are used as last read: messages enabled later prove messages from the next read on', async () => {
    await withHarness({}, async (harness) => {
      await seeded(harness);
      const forged = () => messageNotification('order', CANCELLED.id, 'OrderStateChanged', { orderState: 'Cancelled' });
      expect((await postTo(harness, forged())).body).toEqual({ status: 'delivered', events: 1 });
      expect(harness.logs.at(-1)).toMatchObject({ proof: 'state' });

      await harness.commercetools.setMessages({ enabled: true });
      // The hourly refresh (its interval is tested in test/commercetools/project.integration.test.ts).
      await harness.pipeline.project.refresh();
      expect((await postTo(harness, forged())).body).toEqual({ status: 'skipped', reason: 'unproven' });
    });
  });
});
