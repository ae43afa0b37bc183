import { decodeDelivery } from '../../src/transport/decode';
import cloudEventFixture from '../fixtures/transport/cloudevent-order-created.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import { PROJECT_KEY } from '../support/environment';
import { thrownBy } from '../support/errors';
import { cloudEvent, messageNotification, pubSubEnvelope } from '../support/notifications';

const rejection = (body: unknown) => thrownBy(() => decodeDelivery(body));

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
