import request from 'supertest';
import { SNS_FRESH_FOR_MS } from '../../src/transport/sns-freshness';
import cloudEventFixture from '../fixtures/transport/cloudevent-order-created.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import { useHarness } from '../support/harness';
import { changeNotification, messageNotification } from '../support/notifications';
import { createSnsStandIn, SUBSCRIBE_URL, TOPIC_ARN } from '../support/sns';

/** SNS deliveries through the HTTP endpoint, signed by a stand-in for Amazon SNS. */
const sns = createSnsStandIn();
beforeEach(() => sns.reset());

const orderCreated = () => changeNotification('ResourceCreated', 'order', taxExcludedOrder.id);

describe('SNS over HTTP', () => {
  const harness = useHarness({ env: { LOCALE: 'en' }, decode: sns.decoder({ topicArn: TOPIC_ARN }) }, (h) =>
    h.seed('order', taxExcludedOrder),
  );

  // SNS posts JSON as text/plain.
  const post = (body: object) =>
    request(harness.app).post('/').set('content-type', 'text/plain; charset=UTF-8').send(JSON.stringify(body));

  it('tracks Order Completed for an order ResourceCreated notification', async () => {
    const body = sns.notification(orderCreated());
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    expect(harness.segment.events()).toMatchObject([
      {
        type: 'track',
        event: 'Order Completed',
        userId: taxExcludedOrder.customerId,
        properties: { order_id: taxExcludedOrder.id },
      },
    ]);
    const line = harness.logs.find((entry) => entry.deliveryId === body.MessageId);
    expect(line).toMatchObject({ transport: 'sns', outcome: 'delivered', resourceId: taxExcludedOrder.id });
  });

  it('reads the resource for a stale or replayed signed message instead of believing what it carries', async () => {
    // Not in the stand-in: believed as carried, it would be sent; read, it is not found.
    const carried = { ...taxExcludedOrder, id: '3a4b5c6d-7e8f-4a0b-9c1d-00000000ffff', discountCodes: [] };
    const message = messageNotification('order', carried.id, 'OrderCreated', { order: carried });
    const stale = new Date(Date.now() - 2 * SNS_FRESH_FOR_MS).toISOString();
    const old = await post(sns.notification(message, { timestamp: stale }));
    expect(old.body).toEqual({ status: 'skipped', reason: 'not-found' });
    expect(harness.logs.at(-1)).toMatchObject({ source: 'read', transport: 'sns' });

    const captured = sns.notification(message);
    expect((await post(captured)).body).toEqual({ status: 'delivered', events: 1 });
    const replayed = await post(captured);
    expect(replayed.body).toEqual({ status: 'skipped', reason: 'not-found' });
    expect(harness.logs.at(-1)).toMatchObject({ source: 'read', transport: 'sns' });
    expect(harness.segment.events()).toHaveLength(1);
  });

  it('delivers an order message carried as a CloudEvent', async () => {
    const message = messageNotification('order', taxExcludedOrder.id, 'OrderStateChanged', {
      orderState: 'Cancelled',
      oldOrderState: 'Open',
    });
    const event = {
      ...cloudEventFixture,
      id: 'b1c2d3e4-0000-4000-8000-000000000001',
      type: 'com.commercetools.order.message.OrderStateChanged',
      data: message,
    };
    const res = await post(sns.notification(event));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    expect(harness.segment.events()).toMatchObject([
      { type: 'track', event: 'Order Cancelled', properties: { order_id: taxExcludedOrder.id } },
    ]);
  });

  it('uses the order an OrderCreated message carries as is, from the configured topic: no read', async () => {
    // Not in the stand-in: only the carried copy can produce the event.
    const carried = { ...taxExcludedOrder, id: '3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d', discountCodes: [] };
    const res = await post(
      sns.notification(messageNotification('order', carried.id, 'OrderCreated', { order: carried })),
    );
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    expect(harness.segment.events()).toMatchObject([
      { event: 'Order Completed', properties: { order_id: carried.id } },
    ]);
    expect(harness.logs.at(-1)).toMatchObject({ source: 'carried', transport: 'sns' });
  });

  it('answers 401 to a forged message and sends nothing to Segment', async () => {
    const forged = {
      ...sns.notification(orderCreated()),
      Message: JSON.stringify(changeNotification('ResourceCreated', 'order', taxExcludedOrder.id, 2)),
    };
    const res = await post(forged);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'unauthorized', message: 'invalid SNS signature' });
    expect(harness.segment.received).toHaveLength(0);
  });

  it('confirms a subscription and answers 200', async () => {
    const res = await post(sns.subscriptionConfirmation());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'subscription-confirmed' });
    expect(sns.fetched).toContain(SUBSCRIBE_URL);
    expect(harness.logs.at(-1)).toMatchObject({ transport: 'sns', outcome: 'subscription-confirmed' });
  });

  it('answers 503 when the confirmation cannot reach Amazon', async () => {
    sns.failSubscribe = true;
    const res = await post(sns.subscriptionConfirmation());
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'upstream-unavailable' });
  });

  it('acknowledges an unsubscribe confirmation without resubscribing', async () => {
    const res = await post(sns.unsubscribeConfirmation());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'unsubscribe-ignored' });
    expect(sns.fetched).not.toContain(SUBSCRIBE_URL);
  });
});
