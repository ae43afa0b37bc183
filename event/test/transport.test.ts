import { ConnectorError } from '../src/errors';
import { decodeDelivery } from '../src/transport/decode';

const notification = {
  notificationType: 'Message',
  projectKey: 'shop',
  id: '2b5b7a37-6c4e-4f7f-b1e1-1f1c0e3a9d11',
  version: 1,
  sequenceNumber: 3,
  resource: { typeId: 'order', id: '9c1f4e2a-1b7d-4c55-8d0e-6a7b8c9d0e1f' },
  resourceVersion: 3,
  type: 'OrderStateChanged',
  orderState: 'Cancelled',
  createdAt: '2026-11-20T08:15:00.000Z',
  lastModifiedAt: '2026-11-20T08:15:00.000Z',
};

const envelope = (data: string, extra: object = {}) => ({ message: { data, messageId: '42', attributes: {} }, ...extra });
const base64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');

function rejection(body: unknown): ConnectorError {
  try {
    decodeDelivery(body);
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('decodeDelivery', () => {
  it('decodes a Pub/Sub push envelope and keeps message fields', () => {
    const decoded = decodeDelivery(envelope(base64(notification), { deliveryAttempt: 4 }));
    expect(decoded.delivery).toEqual({ transport: 'pubsub', deliveryId: '42', deliveryAttempt: 4 });
    expect(decoded.notification).toMatchObject({ notificationType: 'Message', type: 'OrderStateChanged', orderState: 'Cancelled' });
  });

  it('accepts a notification posted directly', () => {
    const change = { notificationType: 'ResourceUpdated', projectKey: 'shop', resource: { typeId: 'customer', id: 'c1' }, version: 4, oldVersion: 3, modifiedAt: '2026-11-20T08:15:00Z' };
    expect(decodeDelivery(change)).toEqual({ notification: change, delivery: { transport: 'direct' } });
  });

  it.each([
    ['null', null],
    ['an array', [notification]],
    ['a number', 5],
    ['data that is not a string', envelope(42 as never)],
    ['data with characters outside base64', envelope('!!!!')],
    ['base64 with bad padding', envelope('abc')],
    ['data that decodes to text', envelope(base64('hello'))],
    ['a notification with a bad date', { ...notification, createdAt: 'yesterday' }],
    ['a notification with a negative version', { ...notification, version: -1 }],
    ['a notification with an empty resource id', { ...notification, resource: { typeId: 'order', id: '' } }],
  ])('rejects %s as a bad request', (_label, body) => {
    expect(rejection(body).kind).toBe('bad-request');
  });

  it('does not echo payload values in its error message', () => {
    const error = rejection({ notificationType: 'ResourceCreated', projectKey: 'shop', resource: { typeId: 'order', id: 'x' }, modifiedAt: 'jane.doe@example.com' });
    expect(error.publicMessage).toContain('modifiedAt');
    expect(error.publicMessage).not.toContain('jane.doe');
  });
});
