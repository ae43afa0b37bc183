import request from 'supertest';
import cloudEventFixture from '../fixtures/transport/cloudevent-order-created.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import taxIncludedOrder from '../fixtures/orders/order-tax-included.json';
import { useHarness } from '../support/harness';
import { cloudEvent, messageNotification, pubSubEnvelope } from '../support/notifications';

/** CloudEvents posted directly, and inside Pub/Sub, through the HTTP endpoint. */
describe('CloudEvents over HTTP', () => {
  const harness = useHarness({ env: { LOCALE: 'en' } }, (h) => h.seed('order', taxExcludedOrder));

  const post = (body: object) =>
    request(harness.app).post('/').set('content-type', 'application/cloudevents+json').send(JSON.stringify(body));

  it('tracks Order Completed for an order ResourceCreated CloudEvent posted directly', async () => {
    const res = await post(cloudEventFixture);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    expect(harness.segment.events()).toMatchObject([
      { type: 'track', event: 'Order Completed', properties: { order_id: taxExcludedOrder.id } },
    ]);
    const line = harness.logs.find((entry) => entry.deliveryId === cloudEventFixture.id);
    expect(line).toMatchObject({ transport: 'cloudevents', outcome: 'delivered', resourceId: taxExcludedOrder.id });
  });

  it('delivers an OrderCreated message CloudEvent, direct and inside Pub/Sub, with the same messageId', async () => {
    const carried = { ...taxIncludedOrder, id: '2f3e4d5c-6b7a-4899-8a0b-1c2d3e4f5a6b', discountCodes: [] };
    // Unauthenticated deliveries: the order is read from commercetools, which must hold it.
    await harness.seed('order', carried);
    const event = cloudEvent(messageNotification('order', carried.id, 'OrderCreated', { order: carried }));

    const direct = await post(event);
    expect(direct.body).toEqual({ status: 'delivered', events: 1 });
    const viaPubSub = await request(harness.app).post('/').send(pubSubEnvelope(event));
    expect(viaPubSub.body).toEqual({ status: 'delivered', events: 1 });

    const events = harness.segment.events();
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ event: 'Order Completed', properties: { order_id: carried.id } });
    expect(events[1]?.messageId).toBe(events[0]?.messageId);
  });

  it('answers 400 to a CloudEvent it cannot read and sends nothing', async () => {
    const res = await post({ ...cloudEventFixture, specversion: '0.3' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'bad-request' });
    expect(harness.segment.received).toHaveLength(0);
  });
});
