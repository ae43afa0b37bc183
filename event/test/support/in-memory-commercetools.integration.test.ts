import type { CommercetoolsReader } from '../../src/commercetools/reads';
import { createCommercetoolsApi } from '../../src/commercetools/client';
import { createCommercetoolsReader } from '../../src/commercetools/reads';
import { startCommercetoolsStandIn } from '../../src/dev/commercetools-stand-in';
import { createHttpAgent } from '../../src/outbound/agent';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import { PROJECT_KEY, STAND_IN_NOW } from './environment';
import { rejectionOf } from './errors';
import { startFaultProxy, type Fault } from './fault-proxy';
import { createInMemoryCommercetools, type HeldTypeId } from './in-memory-commercetools';
import { messageNotification } from './notifications';
import { registeredCustomer } from './resources/customers';

/**
 * The in-memory commercetools keeps the rules the handlers rely on: the same reads, run against the
 * HTTP reader over the commercetools stand-in and against the in-memory reader, give the same answers.
 */

/** A commercetools a reader reads from, and what a test does to it. */
interface World {
  reader: CommercetoolsReader;
  add(typeId: HeldTypeId, resource: object): Promise<void>;
  setMessages(setting: { enabled: boolean }): Promise<void>;
  publish(message: object): Promise<boolean>;
  /** The next `count` reads answer 503. */
  failNext(count: number): void;
  /** Moves the clock of message retention on. */
  advance(ms: number): void;
  close(): Promise<void>;
}

/** commercetools' answer when it cannot serve a request now. */
const UNAVAILABLE: Fault = {
  kind: 'status',
  status: 503,
  body: JSON.stringify({
    statusCode: 503,
    message: 'Service unavailable',
    errors: [{ code: 'ServiceUnavailable', message: 'Service unavailable' }],
  }),
};

async function overHttp(): Promise<World> {
  let now = STAND_IN_NOW;
  const standIn = await startCommercetoolsStandIn({ projectKey: PROJECT_KEY, now: () => now });
  const proxy = await startFaultProxy(standIn.url);
  const agent = createHttpAgent();
  const api = createCommercetoolsApi(
    { projectKey: PROJECT_KEY, clientId: 'client', clientSecret: 'secret', apiUrl: proxy.url, authUrl: proxy.url },
    { limits: { timeoutMs: 1_000, maxRetries: 0, retryDelayMs: 10 }, agent },
  );
  return {
    reader: createCommercetoolsReader(api),
    add: (typeId, resource) => standIn.add(typeId, resource),
    setMessages: (setting) => standIn.setMessages(setting),
    publish: (message) => standIn.publish(message),
    failNext: (count) => proxy.inject(UNAVAILABLE, { path: `/${PROJECT_KEY}/`, times: count }),
    advance(ms) {
      now += ms;
    },
    async close() {
      await agent.close();
      await proxy.close();
      await standIn.close();
    },
  };
}

async function inMemory(): Promise<World> {
  let now = STAND_IN_NOW;
  const commercetools = createInMemoryCommercetools({ now: () => now });
  return {
    reader: commercetools.reader,
    add: async (typeId, resource) => commercetools.add(typeId, resource),
    setMessages: async (setting) => commercetools.setMessages(setting),
    publish: async (message) => commercetools.publish(message),
    failNext: (count) => commercetools.failNext(count),
    advance(ms) {
      now += ms;
    },
    close: async () => undefined,
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;
const PAYMENT_ID = 'c0c0c0c0-0000-4000-8000-0000000000aa';
const MISSING = 'c0c0c0c0-0000-4000-8000-00000000dead';
const [code] = taxExcludedOrder.discountCodes;
/** The order as commercetools stores it: its discount code a reference, the code held on its own. */
const storedOrder = {
  ...taxExcludedOrder,
  paymentInfo: { payments: [{ typeId: 'payment', id: PAYMENT_ID }] },
  discountCodes: taxExcludedOrder.discountCodes.map(({ discountCode, state }) => ({
    state,
    discountCode: { typeId: discountCode.typeId, id: discountCode.id },
  })),
};
const cancelled = (createdAt: string) =>
  messageNotification('order', storedOrder.id, 'OrderStateChanged', { orderState: 'Cancelled' }, { createdAt });

describe.each([
  ['the HTTP reader over the commercetools stand-in', overHttp],
  ['the in-memory reader', inMemory],
])('%s', (_name, start) => {
  let world: World;
  beforeEach(async () => {
    world = await start();
    await world.add('discount-code', code?.discountCode.obj as object);
    await world.add('order', storedOrder);
    await world.add('customer', registeredCustomer('c0c0c0c0-0000-4000-8000-000000000001', 'Jane.Doe@Example.com'));
  });
  afterEach(() => world.close());

  it('answers undefined for what commercetools does not hold', async () => {
    const { reader } = world;
    const answers = await Promise.all([
      reader.getOrder(MISSING),
      reader.getCustomer(MISSING),
      reader.getPayment(MISSING),
      reader.getBusinessUnit(MISSING),
      reader.getQuoteRequest(MISSING),
      reader.getQuote(MISSING),
      reader.getMessage(MISSING),
      reader.findOrderByPaymentId(MISSING),
      reader.findMessage({ typeId: 'order', id: storedOrder.id }, 'OrderStateChanged'),
    ]);
    expect(answers).toEqual(answers.map(() => undefined));
  });

  it('reads an order, and finds it by its payment, with its discount codes expanded', async () => {
    for (const order of [
      await world.reader.getOrder(storedOrder.id),
      await world.reader.findOrderByPaymentId(PAYMENT_ID),
    ]) {
      expect(order?.id).toBe(storedOrder.id);
      expect(order?.discountCodes?.[0]?.discountCode.obj?.code).toBe('SAVE10');
    }
  });

  it('answers a copy: what a reader changes is not what commercetools holds', async () => {
    const order = await world.reader.getOrder(storedOrder.id);
    (order as { orderState: string }).orderState = 'Cancelled';
    expect((await world.reader.getOrder(storedOrder.id))?.orderState).toBe('Open');
  });

  it('finds registered emails whatever their letter case, in one query per 50 emails', async () => {
    expect(await world.reader.isEmailRegistered(' jane.doe@example.COM ')).toBe(true);
    expect(await world.reader.isEmailRegistered('john.doe@example.com')).toBe(false);
    const many = [...Array.from({ length: 60 }, (_, n) => `guest${n}@example.com`), 'JANE.DOE@example.com'];
    expect(await world.reader.registeredEmails(many)).toEqual(new Set(['jane.doe@example.com']));
  });

  it('keeps a message only when messages are enabled as it is created, and only for their retention', async () => {
    expect(await world.publish(cancelled('2026-11-23T09:00:00.000Z'))).toBe(false);
    await world.setMessages({ enabled: true });
    const older = cancelled('2026-11-23T09:00:00.000Z');
    const newer = cancelled('2026-11-23T09:30:00.000Z');
    expect(await world.publish(older)).toBe(true);
    expect(await world.publish(newer)).toBe(true);

    expect(await world.reader.getMessage(older.id)).toMatchObject({ id: older.id, type: 'OrderStateChanged' });
    const resource = { typeId: 'order', id: storedOrder.id };
    expect((await world.reader.findMessage(resource, 'OrderStateChanged'))?.id).toBe(newer.id);
    expect(await world.reader.findMessage(resource, 'OrderPaymentStateChanged')).toBeUndefined();

    world.advance(16 * DAY_MS);
    expect(await world.reader.getMessage(older.id)).toBeUndefined();
    expect(await world.reader.findMessage(resource, 'OrderStateChanged')).toBeUndefined();
  });

  it('fails a read commercetools answers 503 with upstream-unavailable, and reads again afterwards', async () => {
    world.failNext(1);
    const error = await rejectionOf(world.reader.getOrder(storedOrder.id));
    expect(error).toMatchObject({
      kind: 'upstream-unavailable',
      publicMessage: 'commercetools order read failed (HTTP 503)',
    });
    expect((await world.reader.getOrder(storedOrder.id))?.id).toBe(storedOrder.id);
  });

  it('does not read once the deadline passed', async () => {
    const error = await rejectionOf(world.reader.getCustomer(MISSING, AbortSignal.abort()));
    expect(error).toMatchObject({
      kind: 'upstream-unavailable',
      publicMessage: 'commercetools customer read not attempted: deadline passed',
    });
  });
});

describe('the in-memory commercetools', () => {
  it('counts the reads, named as the HTTP reader names them', async () => {
    const commercetools = createInMemoryCommercetools();
    commercetools.add('order', storedOrder);
    await commercetools.reader.getOrder(storedOrder.id);
    await commercetools.reader.isEmailRegistered('jane.doe@example.com');
    await commercetools.reader.registeredEmails(Array.from({ length: 51 }, (_, n) => `guest${n}@example.com`));
    expect(commercetools.reads).toEqual(['order read', 'customer look-up', 'customer look-up', 'customer look-up']);
  });

  it('holds the project settings as read at start, and the messages setting changed from the next read on', async () => {
    const commercetools = createInMemoryCommercetools();
    commercetools.setMessages({ enabled: true });
    expect(await commercetools.project.messages()).toEqual({ enabled: false, deleteDaysAfterCreation: 15 });
    commercetools.failNext(1);
    await expect(commercetools.project.refresh()).rejects.toMatchObject({ kind: 'upstream-unavailable' });
    expect(await commercetools.project.refresh()).toEqual({ enabled: true, deleteDaysAfterCreation: 15 });
    expect(await commercetools.project.messages()).toEqual({ enabled: true, deleteDaysAfterCreation: 15 });
  });
});
