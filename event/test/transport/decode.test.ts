import { ConnectorError } from '../../src/errors';
import { createDecoder, decodeDelivery } from '../../src/transport/decode';
import { thrownBy } from '../support/errors';

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

const envelope = (data: string, extra: object = {}) => ({
  message: { data, messageId: '42', attributes: {} },
  ...extra,
});
const base64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');

const rejection = (body: unknown) => thrownBy(() => decodeDelivery(body));

describe('decodeDelivery', () => {
  it('decodes a Pub/Sub push envelope and keeps message fields', () => {
    const decoded = decodeDelivery(envelope(base64(notification), { deliveryAttempt: 4 }));
    expect(decoded.delivery).toEqual({ transport: 'pubsub', deliveryId: '42', deliveryAttempt: 4 });
    expect(decoded.notification).toMatchObject({
      notificationType: 'Message',
      type: 'OrderStateChanged',
      orderState: 'Cancelled',
    });
  });

  it('decodes data of Pub/Sub’s largest size, 10 MB (13.4 MB as base64)', () => {
    const largest = envelope(base64({ ...notification, padding: 'p'.repeat(10_000_000) }));
    expect(decodeDelivery(largest).notification).toMatchObject({ type: 'OrderStateChanged' });
  });

  it('accepts a notification posted directly', () => {
    const change = {
      notificationType: 'ResourceUpdated',
      projectKey: 'shop',
      resource: { typeId: 'customer', id: 'c1' },
      version: 4,
      oldVersion: 3,
      modifiedAt: '2026-11-20T08:15:00Z',
    };
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
    const error = rejection({
      notificationType: 'ResourceCreated',
      projectKey: 'shop',
      resource: { typeId: 'order', id: 'x' },
      modifiedAt: 'jane.doe@example.com',
    });
    expect(error.publicMessage).toContain('modifiedAt');
    expect(error.publicMessage).not.toContain('jane.doe');
  });
});

/** `levels` arrays nested inside each other: `[[[]]]` is 3 levels. */
const nested = (levels: number): unknown => JSON.parse('['.repeat(levels) + ']'.repeat(levels));

describe('createDecoder', () => {
  const decode = createDecoder();

  it('answers notifications as such, from Pub/Sub and posted directly', async () => {
    await expect(decode(envelope(base64(notification)))).resolves.toEqual({
      kind: 'notification',
      notification,
      delivery: { transport: 'pubsub', deliveryId: '42' },
    });
    await expect(decode(notification)).resolves.toEqual({
      kind: 'notification',
      notification,
      delivery: { transport: 'direct' },
    });
  });

  it('refuses an SNS message whose certificate is not Amazon’s before any network access', async () => {
    const unsigned = {
      Type: 'Notification',
      MessageId: 'm1',
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:topic',
      Message: JSON.stringify(notification),
      Timestamp: '2026-11-20T08:15:00.000Z',
      SignatureVersion: '2',
      Signature: 'AAAA',
      SigningCertURL: 'http://127.0.0.1:9/cert.pem',
    };
    await expect(decode(unsigned)).rejects.toMatchObject({ kind: 'unauthorized' });
  });
});

describe('hostile JSON', () => {
  const decode = createDecoder({ limits: { maxKeys: 1_000 } });

  it('accepts a notification nested up to the depth limit', async () => {
    // The notification object is level 1, so 63 more levels fit.
    await expect(createDecoder()({ ...notification, extra: nested(63) })).resolves.toMatchObject({
      kind: 'notification',
    });
  });

  it.each([
    [
      'a body nested deeper than 64 levels',
      () => ({ ...notification, extra: nested(64) }),
      'the body nests deeper than 64 levels',
    ],
    [
      'Pub/Sub data nested deeper than 64 levels',
      () => envelope(base64({ ...notification, extra: nested(200) })),
      'message.data nests deeper than 64 levels',
    ],
    [
      'a body with too many keys and items',
      () => ({ ...notification, extra: new Array(1_000).fill(0) }),
      'the body has more than 1000 keys and items',
    ],
    [
      'Pub/Sub data with too many keys',
      () =>
        envelope(
          base64({ ...notification, extra: Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`k${i}`, i])) }),
        ),
      'message.data has more than 1000 keys',
    ],
  ])('refuses %s as a bad request', async (_label, body, message) => {
    const error = await decode(body()).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ kind: 'bad-request' });
    expect((error as ConnectorError).publicMessage).toContain(message);
  });

  it('holds the default limit on keys too', () => {
    expect(rejection({ ...notification, extra: new Array(1_000_001).fill(0) }).publicMessage).toContain(
      'more than 1000000 keys',
    );
  });

  it('measures Pub/Sub data before parsing it: a document that would cost out of proportion is refused', async () => {
    const heavy = `{"extra":[${new Array(50_000).fill('{}').join(',')}]}`;
    const error = await createDecoder()(envelope(Buffer.from(heavy).toString('base64'))).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toMatchObject({
      kind: 'bad-request',
      publicMessage: 'message.data would cost more memory once parsed than its size allows',
    });
  });

  it('walks a deep document without overflowing the stack', () => {
    const deep = JSON.parse('{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000)) as unknown;
    expect(rejection(deep).publicMessage).toContain('deeper');
  });
});
