import request from 'supertest';
import { ConnectorError } from '../../src/errors';
import { decodeDelivery } from '../../src/transport/decode';
import cloudEventFixture from '../fixtures/transport/cloudevent-order-created.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import taxIncludedOrder from '../fixtures/orders/order-tax-included.json';
import { messageNotification, PROJECT_KEY, pubSubEnvelope, startHarness, type Harness } from '../support/harness';

/** A commercetools CloudEvent (format CloudEvents 1.0) carrying `notification`, as the platform builds it. */
function cloudEvent(
  notification: Record<string, unknown> & { resource: { typeId: string; id: string } },
  fields: object = {},
) {
  const kind =
    notification.notificationType === 'Message'
      ? `message.${String(notification.type)}`
      : `change.${String(notification.notificationType)}`;
  return {
    specversion: '1.0',
    id: 'e6a0c4b1-3f2d-4c8e-9a7b-5d1e0f2a3b4c',
    type: `com.commercetools.${notification.resource.typeId}.${kind}`,
    source: `/${PROJECT_KEY}/${notification.resource.typeId}s`,
    subject: notification.resource.id,
    time: '2026-11-23T10:15:00.000Z',
    ...(notification.notificationType === 'Message'
      ? {
          sequence: String(notification.sequenceNumber),
          sequencetype: 'Integer',
          dataref: `/${PROJECT_KEY}/messages/${String(notification.id)}`,
        }
      : {}),
    data: notification,
    ...fields,
  };
}

function rejection(body: unknown): ConnectorError {
  try {
    decodeDelivery(body);
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const stateChanged = () =>
  messageNotification('order', taxExcludedOrder.id, 'OrderStateChanged', {
    orderState: 'Cancelled',
    oldOrderState: 'Open',
  });

describe('CloudEvents decoding', () => {
  it('takes the notification from data and names the CloudEvent id as the delivery', () => {
    const decoded = decodeDelivery(cloudEventFixture);
    expect(decoded.delivery).toEqual({ transport: 'cloudevents', deliveryId: cloudEventFixture.id });
    expect(decoded.notification).toEqual(cloudEventFixture.data);
  });

  it('decodes a message event with the message fields kept', () => {
    const message = stateChanged();
    expect(decodeDelivery(cloudEvent(message)).notification).toEqual(message);
  });

  it('completes a bare message payload from the envelope: type, source, subject and sequence', () => {
    const { notificationType: _n, projectKey: _p, resource: _r, sequenceNumber, ...bare } = stateChanged();
    const event = cloudEvent(
      { ...stateChanged(), resource: { typeId: 'order', id: taxExcludedOrder.id } },
      { data: bare, sequence: String(sequenceNumber) },
    );
    expect(decodeDelivery(event).notification).toMatchObject({
      notificationType: 'Message',
      type: 'OrderStateChanged',
      projectKey: PROJECT_KEY,
      resource: { typeId: 'order', id: taxExcludedOrder.id },
      sequenceNumber,
      orderState: 'Cancelled',
    });
  });

  it('completes a bare change payload, reading the project key from an absolute source too', () => {
    const event = {
      ...cloudEventFixture,
      type: 'com.commercetools.customer.change.ResourceUpdated',
      source: `https://api.europe-west1.gcp.commercetools.com/${PROJECT_KEY}/customers`,
      subject: 'c0ffee00-0000-4000-8000-000000000001',
      data: { version: 4, oldVersion: 3, modifiedAt: '2026-11-23T10:00:00.000Z' },
    };
    expect(decodeDelivery(event).notification).toEqual({
      notificationType: 'ResourceUpdated',
      projectKey: PROJECT_KEY,
      resource: { typeId: 'customer', id: 'c0ffee00-0000-4000-8000-000000000001' },
      version: 4,
      oldVersion: 3,
      modifiedAt: '2026-11-23T10:00:00.000Z',
    });
  });

  it('decodes a CloudEvent inside a Pub/Sub push envelope (Connect with the CloudEvents format)', () => {
    const decoded = decodeDelivery(pubSubEnvelope(cloudEventFixture, { messageId: '77', deliveryAttempt: 2 }));
    expect(decoded.delivery).toEqual({ transport: 'pubsub', deliveryId: '77', deliveryAttempt: 2 });
    expect(decoded.notification).toEqual(cloudEventFixture.data);
  });

  it.each([
    ['another specversion', { ...cloudEventFixture, specversion: '0.3' }, 'specversion'],
    ['no id', { ...cloudEventFixture, id: undefined }, 'id'],
    ['no source', { ...cloudEventFixture, source: undefined }, 'source'],
    ['no data', { ...cloudEventFixture, data: undefined }, 'data'],
    ['data that is an array', { ...cloudEventFixture, data: [cloudEventFixture.data] }, 'data'],
    ['data that is a string', { ...cloudEventFixture, data: JSON.stringify(cloudEventFixture.data) }, 'data'],
    ['a sequence that is not a number', { ...cloudEventFixture, sequence: 'first' }, 'sequence'],
    [
      'bare data under a type that is not commercetools’',
      { ...cloudEventFixture, type: 'com.example.order.created', data: { version: 1 } },
      'type',
    ],
    [
      'bare data under an unknown change',
      { ...cloudEventFixture, type: 'com.commercetools.order.change.ResourceExploded', data: { version: 1 } },
      'notificationType',
    ],
    [
      'bare message data without its fields',
      { ...cloudEventFixture, type: 'com.commercetools.order.message.OrderCreated', data: { orderState: 'Open' } },
      'createdAt',
    ],
    [
      'data that is not a valid notification',
      { ...cloudEventFixture, data: { ...cloudEventFixture.data, version: -1 } },
      'version',
    ],
  ])('rejects %s as a bad request naming the field', (_label, body, field) => {
    const error = rejection(body);
    expect(error.kind).toBe('bad-request');
    expect(error.publicMessage).toContain(field);
  });

  it('does not echo values in its error messages', () => {
    const error = rejection({
      ...cloudEventFixture,
      data: { ...cloudEventFixture.data, modifiedAt: 'jane.doe@example.com' },
    });
    expect(error.publicMessage).toContain('modifiedAt');
    expect(error.publicMessage).not.toContain('jane.doe');
  });
});

describe('CloudEvents over HTTP', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ env: { LOCALE: 'en' } });
    await harness.seed('order', taxExcludedOrder);
  });
  afterAll(() => harness.close());
  beforeEach(() => harness.segment.reset());

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
