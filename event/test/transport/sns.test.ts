import { createDecoder, decodeDelivery } from '../../src/transport/decode';
import type { Decoded } from '../../src/transport/notification';
import { createSnsVerifier, isAllowedSnsUrl, type SnsVerifierOptions } from '../../src/transport/sns';
import { SNS_FRESH_FOR_MS } from '../../src/transport/sns-freshness';
import cloudEventFixture from '../fixtures/transport/cloudevent-order-created.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import { rejectionOf } from '../support/errors';
import { changeNotification } from '../support/notifications';
import {
  CERT_URL,
  createSnsStandIn,
  makeCertificate,
  signSnsBody,
  SUBSCRIBE_URL,
  TOPIC_ARN,
  type SnsBody,
  type SnsStandIn,
} from '../support/sns';

let sns: SnsStandIn;
beforeAll(() => {
  sns = createSnsStandIn();
});
beforeEach(() => sns.reset());

const orderCreated = () => changeNotification('ResourceCreated', 'order', taxExcludedOrder.id);
const decoderWith = (options: SnsVerifierOptions = {}) => sns.decoder(options);

async function notificationOf(decoded: Promise<Decoded>) {
  const result = await decoded;
  if (result.kind !== 'notification') throw new Error(`expected a notification, got ${result.status}`);
  return result;
}

describe('SNS notifications', () => {
  it.each(['1', '2'] as const)('accepts a notification signed with SignatureVersion %s', async (signatureVersion) => {
    const body = sns.notification(orderCreated(), { signatureVersion });
    const decoded = await notificationOf(decoderWith()(body));
    expect(decoded.notification).toEqual(orderCreated());
    expect(decoded.delivery).toEqual({ transport: 'sns', deliveryId: body.MessageId });
    expect(sns.fetched).toEqual([CERT_URL]);
  });

  it('signs the Subject when there is one', async () => {
    const body = sns.notification(orderCreated(), { subject: 'commercetools' });
    await expect(decoderWith()(body)).resolves.toMatchObject({ kind: 'notification' });
    const error = await rejectionOf(decoderWith()({ ...body, Subject: 'changed' }));
    expect(error.kind).toBe('unauthorized');
  });

  it('reads a CloudEvent carried in the Message', async () => {
    const decoded = await notificationOf(decoderWith()(sns.notification(cloudEventFixture)));
    expect(decoded.notification).toEqual(cloudEventFixture.data);
    expect(decoded.delivery.transport).toBe('sns');
  });

  it('fetches the signing certificate once for many messages', async () => {
    const decode = decoderWith();
    for (let i = 0; i < 3; i += 1) await decode(sns.notification(orderCreated()));
    expect(sns.fetched).toEqual([CERT_URL]);
  });

  it('keeps a bounded number of certificates', async () => {
    const otherUrl = CERT_URL.replace('.pem', '-next.pem');
    const fetchText = async (url: string) => sns.fetchText(url === otherUrl ? CERT_URL : url);
    const decode = createDecoder({ sns: createSnsVerifier({ fetchText, certificateCacheSize: 1 }) });
    for (const url of [CERT_URL, otherUrl, CERT_URL])
      await decode(sns.notification(orderCreated(), { signingCertUrl: url }));
    expect(sns.fetched).toHaveLength(3);
  });

  it.each([
    [
      'Message',
      (body: SnsBody) => ({
        ...body,
        Message: JSON.stringify(changeNotification('ResourceCreated', 'order', '00000000-0000-4000-8000-00000000beef')),
      }),
    ],
    ['MessageId', (body: SnsBody) => ({ ...body, MessageId: 'another-id' })],
    ['Timestamp', (body: SnsBody) => ({ ...body, Timestamp: '2026-11-24T10:00:00.123Z' })],
    ['TopicArn', (body: SnsBody) => ({ ...body, TopicArn: `${TOPIC_ARN}-other` })],
    [
      'Type',
      (body: SnsBody) => ({
        ...body,
        Type: 'SubscriptionConfirmation' as const,
        SubscribeURL: SUBSCRIBE_URL,
        Token: 'x',
      }),
    ],
    ['SignatureVersion (a v2 signature sent as v1)', (body: SnsBody) => ({ ...body, SignatureVersion: '1' })],
    ['Signature', (body: SnsBody) => ({ ...body, Signature: Buffer.from('not the signature').toString('base64') })],
  ])('refuses a notification whose %s was changed after signing', async (_field, tamper) => {
    const error = await rejectionOf(decoderWith()(tamper(sns.notification(orderCreated()))));
    expect(error.kind).toBe('unauthorized');
  });

  it('refuses a message signed with a key that is not the certificate’s', async () => {
    const forger = makeCertificate();
    const forged = signSnsBody(sns.notification(orderCreated()), forger.keyPem);
    expect((await rejectionOf(decoderWith()(forged))).publicMessage).toBe('invalid SNS signature');
  });

  it.each([
    ['a look-alike host', 'https://sns.eu-west-1.amazonaws.com.evil.example/SimpleNotificationService-1.pem'],
    ['a look-alike host prefix', 'https://evilsns.eu-west-1.amazonaws.com/SimpleNotificationService-1.pem'],
    ['another Amazon service', 'https://s3.eu-west-1.amazonaws.com/SimpleNotificationService-1.pem'],
    ['plain http', CERT_URL.replace('https://', 'http://')],
    ['a path not ending in .pem', CERT_URL.replace('.pem', '.txt')],
    ['.pem only in the query', `${CERT_URL.replace('.pem', '')}?file=x.pem`],
    ['another port', CERT_URL.replace('amazonaws.com/', 'amazonaws.com:8443/')],
    ['credentials in the URL', CERT_URL.replace('https://', 'https://user:pass@')],
    ['not a URL', 'sns.eu-west-1.amazonaws.com/x.pem'],
  ])('refuses a SigningCertURL with %s and never fetches it', async (_label, signingCertUrl) => {
    const error = await rejectionOf(decoderWith()(sns.notification(orderCreated(), { signingCertUrl })));
    expect(error.kind).toBe('unauthorized');
    expect(sns.fetched).toEqual([]);
  });

  it('allows the SNS hosts of the China regions', () => {
    expect(
      isAllowedSnsUrl('https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-1.pem', 'certificate'),
    ).toBe(true);
    expect(isAllowedSnsUrl('https://sns.cn-north-1.amazonaws.com.cn.evil.example/x.pem', 'certificate')).toBe(false);
  });

  it.each([
    ['an unsupported SignatureVersion', (body: SnsBody) => ({ ...body, SignatureVersion: '3' })],
    ['no Signature', (body: SnsBody) => ({ ...body, Signature: undefined })],
    ['no SigningCertURL', (body: SnsBody) => ({ ...body, SigningCertURL: undefined })],
    ['a Signature that is not base64', (body: SnsBody) => ({ ...body, Signature: '%%%' })],
  ])('refuses %s as unauthorized', async (_label, change) => {
    expect((await rejectionOf(decoderWith()(change(sns.notification(orderCreated()))))).kind).toBe('unauthorized');
  });

  it('marks a notification authenticated only when it verified from the configured topic', async () => {
    const fromTopic = await notificationOf(decoderWith({ topicArn: TOPIC_ARN })(sns.notification(orderCreated())));
    expect(fromTopic.delivery).toEqual({ transport: 'sns', deliveryId: expect.any(String), authenticated: true });
    // Without a topic, a signature only proves some AWS account signed it: not who.
    const anyTopic = await notificationOf(decoderWith()(sns.notification(orderCreated())));
    expect(anyTopic.delivery).not.toHaveProperty('authenticated');
  });

  it('treats a signature older than an hour as no credential, without refusing the message', async () => {
    const decode = decoderWith({ topicArn: TOPIC_ARN });
    const stale = new Date(Date.now() - SNS_FRESH_FOR_MS - 60_000).toISOString();
    const old = await notificationOf(decode(sns.notification(orderCreated(), { timestamp: stale })));
    expect(old.delivery).toEqual({ transport: 'sns', deliveryId: expect.any(String) });
    const recent = new Date(Date.now() - SNS_FRESH_FOR_MS + 60_000).toISOString();
    const fresh = await notificationOf(decode(sns.notification(orderCreated(), { timestamp: recent })));
    expect(fresh.delivery).toMatchObject({ authenticated: true });
  });

  it('treats a copy of a message this instance acknowledged as no credential; SNS retries of an unacknowledged one stay authenticated', async () => {
    const decode = decoderWith({ topicArn: TOPIC_ARN });
    const body = sns.notification(orderCreated());
    const first = await notificationOf(decode(body));
    // Not acknowledged yet (say it was answered 503): SNS's retry is the same message, still believed.
    const retry = await notificationOf(decode(body));
    expect(retry.delivery).toMatchObject({ authenticated: true });
    retry.acknowledge?.();
    const replay = await notificationOf(decode(body));
    expect(replay.delivery).not.toHaveProperty('authenticated');
    expect(first.delivery.deliveryId).toBe(replay.delivery.deliveryId);
  });

  it('refuses messages from another topic when a topic is configured, before fetching anything', async () => {
    const other = sns.notification(orderCreated(), { topicArn: 'arn:aws:sns:eu-west-1:210987654321:someone-else' });
    const error = await rejectionOf(decoderWith({ topicArn: TOPIC_ARN })(other));
    expect(error).toMatchObject({ kind: 'unauthorized', publicMessage: 'SNS message from another topic' });
    expect(sns.fetched).toEqual([]);
    await expect(decoderWith({ topicArn: TOPIC_ARN })(sns.notification(orderCreated()))).resolves.toMatchObject({
      kind: 'notification',
    });
  });

  it('answers a missing certificate with unauthorized, and an unreachable one with upstream-unavailable, and retries it', async () => {
    const missing = await rejectionOf(
      decoderWith()(sns.notification(orderCreated(), { signingCertUrl: CERT_URL.replace('.pem', '-gone.pem') })),
    );
    expect(missing.kind).toBe('unauthorized');

    let down = true;
    const fetchText = async (url: string) => {
      if (down) throw new TypeError('fetch failed');
      return sns.fetchText(url);
    };
    const decode = createDecoder({ sns: createSnsVerifier({ fetchText }) });
    expect((await rejectionOf(decode(sns.notification(orderCreated())))).kind).toBe('upstream-unavailable');
    down = false;
    await expect(decode(sns.notification(orderCreated()))).resolves.toMatchObject({ kind: 'notification' });
  });

  it('refuses a certificate URL that serves something else than a certificate', async () => {
    const decode = createDecoder({ sns: createSnsVerifier({ fetchText: async () => '<html>hello</html>' }) });
    expect((await rejectionOf(decode(sns.notification(orderCreated())))).kind).toBe('unauthorized');
  });

  it.each([
    ['a Message that is not JSON', () => sns.notification('hello'), 'Message does not hold JSON'],
    ['a Message that is not a notification', () => sns.notification({ hello: 'world' }), 'notificationType'],
    [
      'a Message nested too deep',
      () => sns.notification({ ...orderCreated(), deep: JSON.parse('['.repeat(80) + ']'.repeat(80)) }),
      'deeper',
    ],
    ['an unknown Type', () => ({ ...sns.notification(orderCreated()), Type: 'Surprise' }), 'Type'],
    ['no MessageId', () => ({ ...sns.notification(orderCreated()), MessageId: undefined }), 'MessageId'],
  ])('answers %s with bad-request', async (_label, body, mentions) => {
    const error = await rejectionOf(decoderWith()(body()));
    expect(error.kind).toBe('bad-request');
    expect(error.publicMessage).toContain(mentions);
  });

  it('never decodes an SNS message without verifying it', () => {
    expect(() => decodeDelivery(sns.notification(orderCreated()))).toThrow(
      expect.objectContaining({ kind: 'unauthorized' }),
    );
  });
});

describe('SNS subscription control messages', () => {
  it('confirms a verified subscription by GETting its SubscribeURL, when the app runs it', async () => {
    const decoded = await decoderWith({ topicArn: TOPIC_ARN })(sns.subscriptionConfirmation());
    expect(decoded).toMatchObject({ kind: 'control', transport: 'sns', status: 'subscription-confirmed' });
    expect(sns.fetched).toEqual([CERT_URL]);
    await (decoded.kind === 'control' ? decoded.run?.() : undefined);
    expect(sns.fetched).toEqual([CERT_URL, SUBSCRIBE_URL]);
  });

  it('turns a failed confirmation into upstream-unavailable, so SNS asks again', async () => {
    sns.failSubscribe = true;
    const decoded = await decoderWith()(sns.subscriptionConfirmation());
    const error = await rejectionOf(decoded.kind === 'control' && decoded.run ? decoded.run() : Promise.resolve());
    expect(error.kind).toBe('upstream-unavailable');
  });

  it('never confirms a subscription to another topic', async () => {
    const other = sns.subscriptionConfirmation({ topicArn: 'arn:aws:sns:eu-west-1:210987654321:someone-else' });
    expect((await rejectionOf(decoderWith({ topicArn: TOPIC_ARN })(other))).kind).toBe('unauthorized');
    expect(sns.fetched).toEqual([]);
  });

  it('never confirms through a SubscribeURL off Amazon’s SNS hosts', async () => {
    const body = sns.sign({
      ...sns.subscriptionConfirmation(),
      SubscribeURL: 'https://evil.example/?Action=ConfirmSubscription',
    });
    expect((await rejectionOf(decoderWith()(body))).kind).toBe('unauthorized');
    expect(sns.fetched).toEqual([CERT_URL]);
  });

  it('refuses a confirmation whose SubscribeURL or Token was changed after signing', async () => {
    const body = sns.subscriptionConfirmation();
    expect((await rejectionOf(decoderWith()({ ...body, Token: 'other' }))).kind).toBe('unauthorized');
    const moved = { ...body, SubscribeURL: SUBSCRIBE_URL.replace('eu-west-1', 'us-east-1') };
    expect((await rejectionOf(decoderWith()(moved))).kind).toBe('unauthorized');
  });

  it('ignores an unsubscribe confirmation without resubscribing', async () => {
    const decoded = await decoderWith()(sns.unsubscribeConfirmation());
    expect(decoded).toEqual({ kind: 'control', transport: 'sns', status: 'unsubscribe-ignored' });
    expect(sns.fetched).toEqual([CERT_URL]);
  });
});
