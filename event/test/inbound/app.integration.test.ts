import { createServer } from 'node:net';
import request from 'supertest';
import customerFull from '../fixtures/customers/customer-full.json';
import orderTaxExcluded from '../fixtures/orders/order-tax-excluded.json';
import { type Harness, startHarness } from '../support/harness';
import { changeNotification, messageNotification, pubSubEnvelope } from '../support/notifications';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('delivery semantics', () => {
  let harness: Harness;
  // A stand-in of its own for each test: a failure answered at the deadline can leave a batch that
  // analytics-node retries later, which must not land in the next test's Segment.
  beforeEach(async () => {
    harness = await startHarness({ segmentLimits: { maxRetries: 1, httpRequestTimeoutMs: 500 }, deadlineMs: 4_000 });
    await harness.seed('customer', customerFull);
  });
  afterEach(() => harness.close());

  const notification = pubSubEnvelope(changeNotification('ResourceUpdated', 'customer', customerFull.id, 7));

  it.each([
    ['answers 500', { kind: 'status', status: 500 }],
    ['answers 503', { kind: 'status', status: 503 }],
    ['answers 429 without Retry-After', { kind: 'status', status: 429 }],
    ['answers 429 with Retry-After', { kind: 'status', status: 429, headers: { 'retry-after': '1' } }],
    ['answers 408', { kind: 'status', status: 408 }],
    ['resets the connection', { kind: 'reset' }],
    ['never answers', { kind: 'hang' }],
  ] as const)(
    'answers 503 when Segment %s, then delivers the same messageId once it recovers',
    async (_label, behaviour) => {
      harness.segment.behave(behaviour);
      const failed = await request(harness.app).post('/').send(notification);
      expect(failed.status).toBe(503);
      expect(failed.body.error).toBe('upstream-unavailable');
      expect(harness.segment.accepted).toHaveLength(0);
      const attempted = harness.segment.received.flatMap((r) => r.events.map((e) => e.messageId));

      harness.segment.behave({ kind: 'accept' });
      const retried = await request(harness.app).post('/').send(notification);
      expect(retried.status).toBe(200);
      const delivered = harness.segment.events().map((event) => event.messageId);
      expect(delivered).toHaveLength(1);
      expect(attempted).toContain(delivered[0]);
    },
  );

  it.each([400, 403, 413])(
    'acknowledges a notification Segment refuses for good (%i), even sent alone, as segment-rejected, logged as an error',
    async (status) => {
      harness.segment.behave({ kind: 'status', status });
      const res = await request(harness.app).post('/').send(notification);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'skipped', reason: 'segment-rejected' });
      // Once as sent, once more alone; never retried beyond that.
      const offered = harness.segment.received.map((r) => r.events.map((e) => e.messageId));
      expect(offered).toHaveLength(2);
      expect(offered[1]).toEqual(offered[0]);
      expect(harness.logs.at(-1)).toMatchObject({
        level: 'error',
        outcome: 'skipped',
        reason: 'segment-rejected',
        route: 'customer/ResourceUpdated',
        resourceId: customerFull.id,
        messageIds: offered[0],
        segmentMessage: expect.stringContaining(String(status)),
      });
    },
  );

  it('logs one line per notification with ids and outcome, and no personal data or secrets', async () => {
    await request(harness.app).post('/').send(notification).expect(200);
    const line = harness.logs.at(-1);
    expect(line).toMatchObject({
      level: 'info',
      outcome: 'delivered',
      resourceId: customerFull.id,
      route: 'customer/ResourceUpdated',
      transport: 'pubsub',
    });
    expect(typeof line?.durationMs).toBe('number');
    const text = harness.logText();
    for (const secret of [
      customerFull.email,
      customerFull.firstName,
      customerFull.lastName,
      'connector-secret-value',
      'test-write-key',
    ]) {
      expect(text).not.toContain(secret);
    }
    for (const address of customerFull.addresses) expect(text).not.toContain(address.streetName);
  });
});

describe('commercetools unavailable', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ commercetoolsUrl: `http://127.0.0.1:${await closedPort()}` });
  });
  afterAll(() => harness.close());

  it('answers 503 quickly so Pub/Sub redelivers, and sends nothing', async () => {
    const res = await request(harness.app)
      .post('/')
      .send(pubSubEnvelope(changeNotification('ResourceCreated', 'order', orderTaxExcluded.id)));
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'upstream-unavailable', message: expect.stringContaining('commercetools') });
    expect(harness.segment.received).toHaveLength(0);
    expect(harness.logs.at(-1)).toMatchObject({
      level: 'error',
      outcome: 'upstream-unavailable',
      resourceId: orderTaxExcluded.id,
    });
  });
});

describe('malformed requests', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  const base64 = (value: string) => Buffer.from(value).toString('base64');

  it.each([
    ['a body that is not JSON', '{"message":', 400],
    ['a JSON array', '[]', 400],
    ['a JSON string', '"hello"', 400],
    ['an envelope without data', JSON.stringify({ message: { messageId: '1' } }), 400],
    ['data that is not base64', JSON.stringify({ message: { data: '%%%not-base64%%%' } }), 400],
    ['empty data', JSON.stringify({ message: { data: '' } }), 400],
    ['base64 data that is not JSON', JSON.stringify({ message: { data: base64('not json') } }), 400],
    ['data that is not a notification', JSON.stringify({ message: { data: base64('{"hello":"world"}') } }), 400],
    [
      'a notification without a resource',
      JSON.stringify({ notificationType: 'ResourceCreated', projectKey: 'test-project' }),
      400,
    ],
    [
      'a message without its fields',
      JSON.stringify({
        notificationType: 'Message',
        projectKey: 'test-project',
        resource: { typeId: 'order', id: 'x' },
      }),
      400,
    ],
    [
      'an unknown notification type',
      JSON.stringify({
        notificationType: 'Teleported',
        projectKey: 'test-project',
        resource: { typeId: 'order', id: 'x' },
      }),
      400,
    ],
  ])('rejects %s with a JSON error and stays healthy', async (_label, body, status) => {
    const res = await request(harness.app).post('/').set('content-type', 'application/json').send(body);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(typeof res.body.error).toBe('string');
    expect(typeof res.body.message).toBe('string');
    const health = await request(harness.app).get('/health');
    expect(health.status).toBe(200);
    expect(harness.segment.received).toHaveLength(0);
  });

  it('accepts a notification posted directly, without a Pub/Sub envelope or content type', async () => {
    const res = await request(harness.app)
      .post('/')
      .set('content-type', 'text/plain')
      .send(
        JSON.stringify(changeNotification('ResourceCreated', 'subscription', 'f0f0f0f0-0000-4000-8000-000000000000')),
      );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'skipped', reason: 'unhandled-type' });
  });

  it('ignores notifications from another project', async () => {
    const notification = {
      ...changeNotification('ResourceCreated', 'order', orderTaxExcluded.id),
      projectKey: 'someone-else',
    };
    const res = await request(harness.app).post('/').send(pubSubEnvelope(notification));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'skipped', reason: 'other-project' });
  });

  it('does not reveal internals in error bodies', async () => {
    const res = await request(harness.app).post('/').set('content-type', 'application/json').send('{"message":');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts|node_modules|stack/i);
  });

  it('answers GET /health with a small JSON body', async () => {
    const res = await request(harness.app).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });
});

describe('nothing a sender chose comes back', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  const email = 'jane.doe@example.com';
  const longKey = `k${'x'.repeat(600_000)}`;
  const data = Buffer.from(
    JSON.stringify(changeNotification('ResourceCreated', 'order', orderTaxExcluded.id)),
  ).toString('base64');
  const echoed = (text: string) => text.includes(email) || text.includes('x'.repeat(60));

  it.each([
    ['an email', email],
    ['a 600 KB key', longKey],
  ])('answers a record keyed by %s with a short message that names the schema path only', async (_label, key) => {
    const res = await request(harness.app)
      .post('/')
      .send({ message: { data, attributes: { [key]: 5 } } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'bad-request',
      message: 'invalid Pub/Sub push envelope (message.attributes.*: Invalid input: expected string, received number)',
    });
    expect(echoed(harness.logText())).toBe(false);
  });

  it.each([
    ['resource type', changeNotification('ResourceCreated', email, orderTaxExcluded.id)],
    ['message type', messageNotification('order', orderTaxExcluded.id, email, {})],
    ['resource type of a message', messageNotification(longKey.slice(0, 64), orderTaxExcluded.id, 'OrderCreated', {})],
  ])('logs a notification of an unknown %s under the route `other`', async (_label, notification) => {
    const res = await request(harness.app)
      .post('/')
      .send(pubSubEnvelope(notification, { messageId: email }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'skipped', reason: 'unhandled-type' });
    expect(harness.logs.at(-1)).toMatchObject({ route: 'other', outcome: 'skipped', reason: 'unhandled-type' });
    // Nor the delivery id the envelope claimed: it is no id.
    expect(harness.logs.at(-1)).not.toHaveProperty('deliveryId');
    expect(echoed(harness.logText())).toBe(false);
  });
});
