import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { ConnectorError } from '../../src/errors';
import { createDecoder } from '../../src/transport/decode';
import customerFull from '../fixtures/customers/customer-full.json';
import guestOrder from '../fixtures/orders/order-guest.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import { PROJECT_KEY } from '../support/environment';
import { type Harness, startHarness } from '../support/harness';

/**
 * Whatever arrives, the app answers: a 4xx with a JSON error {error, message}, or a 200 with a
 * JSON outcome for a valid notification; never a 5xx, never a crash. The decoder on its own
 * either returns what it decoded or rejects with a bad-request ConnectorError, nothing else.
 * fast-check prints the seed and the shrunk counterexample of any failure, to replay it.
 */

jest.setTimeout(60_000);

const HTTP_RUNS = 100;
const DECODER_RUNS = 400;

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

/** Ids the stand-in holds, so some fuzzed notifications go all the way to Segment. */
const SEEDED_IDS = [customerFull.id, taxExcludedOrder.id, guestOrder.id];

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

const fuzz: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    -1,
    1.5,
    2 ** 53,
    null,
    true,
    [],
    {},
    'x'.repeat(300),
    '2026-13-45T99:99:99Z',
    '__proto__',
  ),
);
/** Mostly a plausible value, sometimes anything. */
const plausible = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 5, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: fuzz });

/** commercetools ids and keys: letters, digits, `-` and `_`. */
const ctIdentifier = fc.oneof(fc.uuid(), fc.constantFrom(...SEEDED_IDS), fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/));
const identifier = fc.oneof(ctIdentifier, fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }));
const isoDate = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString());
const typeId = fc.constantFrom('order', 'customer', 'payment', 'cart', 'product', 'subscription');
const projectKey = fc.constantFrom(PROJECT_KEY, PROJECT_KEY, PROJECT_KEY, 'another-project');
const state = fc.constantFrom(
  'Open',
  'Confirmed',
  'Complete',
  'Cancelled',
  'Paid',
  'Pending',
  'Failed',
  'Shipped',
  'Delivered',
  'Ready',
  'Success',
  'Failure',
  'Initial',
);
const money = fc.record({
  type: fc.constantFrom('centPrecision', 'highPrecision'),
  currencyCode: fc.constantFrom('EUR', 'USD', 'JPY', 'KWD'),
  centAmount: fc.integer({ min: 0, max: 1_000_000 }),
  fractionDigits: fc.integer({ min: 0, max: 4 }),
});

/** Change notifications, as commercetools sends them. */
const validChange = fc.record(
  {
    notificationType: fc.constantFrom('ResourceCreated', 'ResourceUpdated', 'ResourceDeleted'),
    projectKey,
    resource: fc.record({ typeId, id: ctIdentifier }),
    resourceUserProvidedIdentifiers: fc.constant({}),
    version: fc.nat(),
    modifiedAt: isoDate,
  },
  { requiredKeys: ['notificationType', 'projectKey', 'resource'] },
);

/** Each handled message type with its own fields (and its resource type, mostly), plus unhandled ones. */
const messageSpecifics: fc.Arbitrary<{ typeId: string; fields: Record<string, unknown> }> = fc.oneof(
  fc
    .record({ type: fc.constant('OrderStateChanged'), orderState: state, oldOrderState: state })
    .map((fields) => ({ typeId: 'order', fields })),
  fc
    .record({ type: fc.constant('OrderPaymentStateChanged'), paymentState: state })
    .map((fields) => ({ typeId: 'order', fields })),
  fc
    .record({ type: fc.constant('OrderShipmentStateChanged'), shipmentState: state })
    .map((fields) => ({ typeId: 'order', fields })),
  fc
    .record({ type: fc.constant('OrderCreated'), order: fc.constantFrom<object>(taxExcludedOrder, guestOrder) })
    .map((fields) => ({ typeId: 'order', fields })),
  fc
    .record({ type: fc.constant('CustomerCreated'), customer: fc.constant<object>(customerFull) })
    .map((fields) => ({ typeId: 'customer', fields })),
  fc
    .record({
      type: fc.constant('PaymentTransactionAdded'),
      transaction: fc.record({ id: ctIdentifier, type: fc.constantFrom('Refund', 'Charge'), state, amount: money }),
    })
    .map((fields) => ({ typeId: 'payment', fields })),
  fc
    .record({ type: fc.constant('PaymentTransactionStateChanged'), transactionId: ctIdentifier, state })
    .map((fields) => ({ typeId: 'payment', fields })),
  fc.record({ type: fc.stringMatching(/^[A-Z][A-Za-z]{0,30}$/) }).map((fields) => ({ typeId: 'product', fields })),
);

/** Message notifications, as commercetools sends them. */
const validMessage = fc
  .tuple(
    fc.record({
      notificationType: fc.constant('Message'),
      projectKey,
      resource: fc.record({ typeId, id: ctIdentifier }),
      id: ctIdentifier,
      version: fc.nat(),
      sequenceNumber: fc.nat(),
      resourceVersion: fc.nat(),
      createdAt: isoDate,
      lastModifiedAt: isoDate,
    }),
    messageSpecifics,
    fc.boolean(),
  )
  .map(([common, { typeId: matching, fields }, keepTypeId]) => ({
    ...common,
    ...fields,
    resource: { ...common.resource, typeId: keepTypeId ? common.resource.typeId : matching },
  }));

/** Valid by commercetools' own definitions: every required field, in its documented shape. */
const validNotification: fc.Arbitrary<Record<string, unknown>> = fc.oneof(validChange, validMessage);

const MUTABLE_KEYS = [
  'notificationType',
  'projectKey',
  'resource',
  'resource.typeId',
  'resource.id',
  'resourceUserProvidedIdentifiers',
  'version',
  'oldVersion',
  'modifiedAt',
  'id',
  'type',
  'sequenceNumber',
  'resourceVersion',
  'createdAt',
  'lastModifiedAt',
  'orderState',
  'paymentState',
  'shipmentState',
  'transaction',
  'transactionId',
  'state',
  'order',
  'customer',
  'dataErasure',
];
const mutation = fc.record({ key: fc.constantFrom(...MUTABLE_KEYS), drop: fc.boolean(), value: fuzz });

/** A valid notification with up to three fields dropped or replaced by anything (or none). */
const nearNotification: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(validNotification, fc.array(mutation, { maxLength: 3 }))
  .map(([notification, mutations]) => {
    const result: Record<string, unknown> = structuredClone(notification);
    for (const { key, drop, value } of mutations) {
      const [head, nested] = key.split('.') as [string, string | undefined];
      const target = nested ? result[head] : result;
      if (typeof target !== 'object' || target === null) continue;
      const field = nested ?? head;
      if (drop) delete (target as Record<string, unknown>)[field];
      else (target as Record<string, unknown>)[field] = value;
    }
    return result;
  });

/** A structured CloudEvent around a (near-)notification, or around a bare payload. */
const nearCloudEvent = fc.record(
  {
    specversion: plausible(fc.constant('1.0')),
    id: plausible(identifier),
    type: plausible(
      fc.oneof(
        fc
          .tuple(
            typeId,
            fc.constantFrom('change', 'message'),
            fc.constantFrom('ResourceCreated', 'ResourceUpdated', 'OrderStateChanged', 'OrderCreated'),
          )
          .map(([t, kind, name]) => `com.commercetools.${t}.${kind}.${name}`),
        fc.string({ maxLength: 30 }),
      ),
    ),
    source: plausible(
      fc.constantFrom(`/${PROJECT_KEY}/orders`, `/${PROJECT_KEY}/customers`, 'https://example.com/x', '::', '/'),
    ),
    subject: plausible(identifier),
    time: plausible(isoDate),
    sequence: plausible(fc.oneof(fc.nat().map(String), fc.nat())),
    // The Platform notification, or only the message's or change's own fields.
    data: plausible(
      fc.oneof(
        nearNotification,
        validNotification,
        validMessage.map(({ notificationType: _n, projectKey: _p, resource: _r, ...bare }) => bare),
      ),
    ),
  },
  { requiredKeys: ['specversion'] },
);

/** What Pub/Sub's message.data may hold: nothing useful, random bytes, random JSON, or a (near-)notification. */
const pubSubData = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.base64String({ maxLength: 80 }),
  fc.uint8Array({ maxLength: 60 }).map((bytes) => Buffer.from(bytes).toString('base64')),
  fc.jsonValue({ maxDepth: 3 }).map((value) => b64(JSON.stringify(value))),
  nearNotification.map((value) => b64(JSON.stringify(value))),
  validNotification.map((value) => b64(JSON.stringify(value))),
  nearCloudEvent.map((value) => b64(JSON.stringify(value))),
  fuzz,
);

const pubSubEnvelope = fc.record(
  {
    message: plausible(
      fc.record(
        {
          data: pubSubData,
          attributes: plausible(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }))),
          messageId: plausible(fc.string({ maxLength: 20 })),
          publishTime: plausible(isoDate),
        },
        { requiredKeys: [] },
      ),
    ),
    subscription: plausible(fc.constant('projects/p/subscriptions/s')),
    deliveryAttempt: plausible(fc.integer({ min: -2, max: 20 })),
  },
  { requiredKeys: ['message'] },
);

/** Any body the decoder may be handed, once parsed as JSON. */
const anyBody: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  nearNotification,
  validNotification,
  pubSubEnvelope,
  nearCloudEvent,
);

/**
 * SNS messages (an object with `Type` and `TopicArn`) are authenticated, not only decoded: their
 * answers (401, or 503 while Amazon's certificate cannot be fetched) are the transport tests'
 * business. fuzz can only produce one by chance; such a body is not counted.
 */
const isSnsShaped = (value: unknown) =>
  typeof value === 'object' && value !== null && 'Type' in value && 'TopicArn' in value;

// ---------------------------------------------------------------------------------------------
// The decoder on its own
// ---------------------------------------------------------------------------------------------

describe('the decoder', () => {
  const decode = createDecoder();

  async function outcomeOf(body: unknown): Promise<{ value: Awaited<ReturnType<typeof decode>> } | { error: unknown }> {
    try {
      return { value: await decode(body) };
    } catch (error) {
      return { error };
    }
  }

  it('either decodes a body or rejects it with a bad-request ConnectorError, never anything else', async () => {
    await fc.assert(
      fc.asyncProperty(anyBody, async (body) => {
        fc.pre(!isSnsShaped(body));
        const outcome = await outcomeOf(body);
        if ('error' in outcome) {
          expect(outcome.error).toBeInstanceOf(ConnectorError);
          expect((outcome.error as ConnectorError).kind).toBe('bad-request');
          expect(typeof (outcome.error as ConnectorError).publicMessage).toBe('string');
        } else {
          expect(['notification', 'control']).toContain(outcome.value.kind);
        }
      }),
      { numRuns: DECODER_RUNS },
    );
  });

  it('decodes every valid notification, posted as is or in a Pub/Sub envelope, to the same notification', async () => {
    await fc.assert(
      fc.asyncProperty(
        validNotification,
        fc.string({ minLength: 1, maxLength: 20 }),
        async (notification, deliveryId) => {
          const direct = await decode(notification);
          const wrapped = await decode({ message: { data: b64(JSON.stringify(notification)), messageId: deliveryId } });
          expect(direct).toMatchObject({ kind: 'notification', notification });
          expect(wrapped).toMatchObject({
            kind: 'notification',
            notification,
            delivery: { transport: 'pubsub', deliveryId },
          });
        },
      ),
      { numRuns: DECODER_RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Through HTTP
// ---------------------------------------------------------------------------------------------

describe('the HTTP endpoint', () => {
  let harness: Harness;
  let server: Server;
  let url: string;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);

  beforeAll(async () => {
    harness = await startHarness();
    await harness.seed('customer', customerFull);
    await harness.seed('order', taxExcludedOrder);
    await harness.seed('order', guestOrder);
    for (const { discountCode } of taxExcludedOrder.discountCodes)
      await harness.seed('discount-code', discountCode.obj);
    server = harness.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await harness.close();
  });
  afterEach(async () => {
    // Never crashed: still healthy, and nothing escaped a handler.
    const health = await fetch(`${url}health`);
    expect(health.status).toBe(200);
    expect(unhandled).toEqual([]);
  });

  interface Answer {
    status: number;
    contentType: string;
    body: unknown;
  }

  async function post(
    body: string | Uint8Array,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ): Promise<Answer> {
    const res = await fetch(url, { method: 'POST', headers, body });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: parsed };
  }

  /** The contract: a JSON 4xx error, or a JSON 200 outcome whose events Segment holds. */
  async function expectAnswered(answer: Answer, acceptedBefore: number): Promise<void> {
    expect(answer.contentType).toMatch(/^application\/json/);
    const body = answer.body as Record<string, unknown>;
    if (answer.status === 200) {
      expect(['delivered', 'skipped', 'deletion-requested']).toContain(body.status);
      const sent = body.status === 'delivered' ? (body.events as number) : 0;
      expect(harness.segment.events().length - acceptedBefore).toBe(sent);
    } else {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(body).toEqual({ error: expect.any(String), message: expect.any(String) });
      expect(harness.segment.events().length).toBe(acceptedBefore);
    }
  }

  /** A 200 only for what the decoder accepts. */
  const decode = createDecoder();
  async function expectDecodable(text: string, answer: Answer): Promise<void> {
    if (answer.status !== 200) return;
    await expect(decode(JSON.parse(text))).resolves.toMatchObject({ kind: 'notification' });
  }

  const property = (arbitrary: fc.Arbitrary<unknown>) =>
    fc.asyncProperty(arbitrary, async (value) => {
      fc.pre(!isSnsShaped(value));
      const text = JSON.stringify(value) ?? 'null';
      const before = harness.segment.events().length;
      const answer = await post(text);
      await expectAnswered(answer, before);
      await expectDecodable(text, answer);
    });

  it('answers any JSON value with a JSON 4xx error or a JSON 200 outcome', async () => {
    await fc.assert(property(fc.jsonValue({ maxDepth: 4 })), { numRuns: HTTP_RUNS });
  });

  it('answers objects shaped almost like notifications the same way', async () => {
    await fc.assert(property(nearNotification), { numRuns: HTTP_RUNS });
  });

  it('answers valid notifications with 200', async () => {
    await fc.assert(
      fc.asyncProperty(validNotification, async (notification) => {
        const before = harness.segment.events().length;
        const answer = await post(JSON.stringify(notification));
        await expectAnswered(answer, before);
        expect(answer.status).toBe(200);
      }),
      { numRuns: HTTP_RUNS },
    );
  });

  // docs/delivery.md, "Acknowledge or retry": a request that is "not a commercetools notification"
  // is a malformed request, answered 400. That includes an order or customer carried by an
  // OrderCreated / CustomerCreated message whose mapped fields are not what commercetools sends
  // (src/transport/resources.ts): refused at the edge, never a mapper crash (500).
  const carrying = (typeId: string, type: string, fields: object) => ({
    notificationType: 'Message',
    projectKey: PROJECT_KEY,
    resource: { typeId, id: taxExcludedOrder.id },
    id: 'a1b2c3d4-0000-4000-8000-000000000001',
    version: 1,
    sequenceNumber: 1,
    resourceVersion: 1,
    type,
    createdAt: '2026-11-23T10:15:00.000Z',
    ...fields,
  });
  it.each([
    [
      'an order whose lineItems is not a list',
      carrying('order', 'OrderCreated', { order: { ...taxExcludedOrder, discountCodes: [], lineItems: 'x' } }),
    ],
    [
      'an order whose totalPrice is null',
      carrying('order', 'OrderCreated', { order: { ...taxExcludedOrder, discountCodes: [], totalPrice: null } }),
    ],
    [
      'a customer with only an id and a version',
      carrying('customer', 'CustomerCreated', { customer: { id: customerFull.id, version: 1 } }),
    ],
    [
      'a customer whose addresses is not a list',
      carrying('customer', 'CustomerCreated', { customer: { ...customerFull, addresses: {} } }),
    ],
  ])('answers a message carrying %s with a JSON 4xx (or 200), not 500', async (_label, notification) => {
    const before = harness.segment.events().length;
    await expectAnswered(await post(JSON.stringify(notification)), before);
  });

  it('answers Pub/Sub envelopes whatever their message.data holds', async () => {
    await fc.assert(property(pubSubEnvelope), { numRuns: HTTP_RUNS });
  });

  it('answers CloudEvents-shaped bodies the same way', async () => {
    await fc.assert(property(nearCloudEvent), { numRuns: HTTP_RUNS });
  });

  it('answers arbitrary text and bytes, under any content type and encoding, with a JSON 4xx or 200', async () => {
    const contentType = fc.constantFrom(
      undefined,
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'text/plain',
      'text/plain; charset=latin1',
      'application/octet-stream',
      'multipart/form-data; boundary=x',
    );
    const encoding = fc.constantFrom(undefined, 'identity', 'gzip', 'deflate', 'br', 'x-unknown');
    const body = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }).map((text) => Buffer.from(text, 'utf8')),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      anyBody.map((value) => Buffer.from(JSON.stringify(value) ?? '', 'utf8')),
    );
    await fc.assert(
      fc.asyncProperty(body, contentType, encoding, async (bytes, type, contentEncoding) => {
        const headers: Record<string, string> = {
          ...(type ? { 'content-type': type } : {}),
          ...(contentEncoding ? { 'content-encoding': contentEncoding } : {}),
        };
        let parsed: unknown;
        try {
          parsed = JSON.parse(bytes.toString('utf8'));
        } catch {
          parsed = undefined;
        }
        fc.pre(!isSnsShaped(parsed));
        const before = harness.segment.events().length;
        const answer = await post(new Uint8Array(bytes), headers);
        await expectAnswered(answer, before);
      }),
      { numRuns: HTTP_RUNS },
    );
  });
});
