import customerFull from '../fixtures/customers/customer-full.json';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startConnector, type RunningConnector } from '../../src/inbound/server';
import { connectorEnvironment, PROJECT_KEY } from '../support/environment';
import { changeNotification, pubSubEnvelope } from '../support/notifications';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { startCommercetoolsStandIn } from '../../src/dev/commercetools-stand-in';
import { startSegmentCapture, type SegmentCapture } from '../../src/dev/segment-capture';

/** The connector as deployed, in front of the commercetools mock (behind a fault proxy) and a Segment capture. */
interface Stack {
  connector: RunningConnector;
  url: string;
  segment: SegmentCapture;
  proxy: FaultProxy;
  /** The connector's log messages, in order. */
  messages(): { msg: string; outcome?: string }[];
  close(): Promise<void>;
}

/** Customers the stand-in holds: one identify each. */
const CUSTOMERS = Array.from({ length: 40 }, (_, n) => ({
  ...customerFull,
  id: `5b5b5b5b-0000-4000-8000-${String(n).padStart(12, '0')}`,
}));

async function startStack(): Promise<Stack> {
  const commercetools = await startCommercetoolsStandIn({ projectKey: PROJECT_KEY });
  for (const customer of [customerFull, ...CUSTOMERS]) await commercetools.add('customer', customer);
  const proxy = await startFaultProxy(commercetools.url);
  const segment = await startSegmentCapture();
  const config = loadConfig(
    connectorEnvironment({ CTP_API_URL: proxy.url, CTP_AUTH_URL: proxy.url, SEGMENT_HOST: segment.url }),
  );
  const lines: string[] = [];
  const connector = await startConnector(
    { ...config, port: 0 },
    {
      logger: createLogger('info', { write: (line: string) => void lines.push(line) }),
      host: '127.0.0.1',
      graceMs: 20_000,
      // Held requests wait for the test, not for a timeout.
      commercetoolsLimits: { timeoutMs: 20_000, maxRetries: 0, retryDelayMs: 10 },
      app: { deadlineMs: 20_000 },
    },
  );
  return {
    connector,
    url: `http://127.0.0.1:${connector.port}/`,
    segment,
    proxy,
    messages: () => lines.map((line) => JSON.parse(line) as { msg: string; outcome?: string }),
    async close() {
      await connector.stop('test');
      await proxy.close();
      await segment.close();
      await commercetools.close();
    },
  };
}

const post = (url: string, customerId: string, signal?: AbortSignal) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(pubSubEnvelope(changeNotification('ResourceUpdated', 'customer', customerId, 5))),
    ...(signal ? { signal } : {}),
  });

/** Waits for a condition the test cannot be told about otherwise (no time limit: Jest's bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('graceful shutdown', () => {
  let stack: Stack;
  beforeEach(async () => {
    stack = await startStack();
  });
  afterEach(() => stack.close());

  it('finishes the notification in flight, answers it, then refuses new connections', async () => {
    const { connector, segment, url } = stack;
    // Segment takes a while, so the notification is still in flight when the signal comes.
    segment.behave({ kind: 'delay', ms: 300 });
    const inFlight = post(url, customerFull.id);
    await segment.waitForRequests(1);

    const stopped = connector.stop('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'delivered', events: 1 });
    expect(await stopped).toBe(true);
    expect(segment.events()).toHaveLength(1);

    await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow();
    const messages = stack.messages().map(({ msg }) => msg);
    expect(messages).toEqual(expect.arrayContaining(['shutting down: finishing in-flight notifications', 'stopped']));
  });

  it('drains every notification in progress before closing the Segment sink: each answered with its real outcome', async () => {
    const { connector, segment, proxy, url } = stack;
    // Every notification is inside the pipeline (its customer read held) when the stop comes, and
    // Segment is slow to answer.
    proxy.inject({ kind: 'hold' }, { path: '/customers/' });
    segment.behave({ kind: 'delay', ms: 100 });
    const answers = CUSTOMERS.map((customer) =>
      post(url, customer.id).then(
        async (response) => ({ status: response.status, body: (await response.json()) as unknown }),
        (error: unknown) => ({ error: String(error) }),
      ),
    );
    await until(() => proxy.count('/customers/', true) === CUSTOMERS.length);

    const stopped = connector.stop('SIGTERM');
    await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow();
    proxy.clear();
    proxy.release();

    for (const answer of await Promise.all(answers))
      expect(answer).toEqual({ status: 200, body: { status: 'delivered', events: 1 } });
    expect(await stopped).toBe(true);
    expect(new Set(segment.events().map((event) => event.userId))).toEqual(new Set(CUSTOMERS.map(({ id }) => id)));
    // Segment was closed only once every notification was done.
    const messages = stack.messages();
    expect(messages.findLastIndex(({ msg }) => msg === 'notification processed')).toBeLessThan(
      messages.findIndex(({ msg }) => msg === 'stopped'),
    );
  });

  it('lets a notification whose sender hung up run to its end before closing the Segment sink', async () => {
    const { connector, segment, proxy, url } = stack;
    const senders = CUSTOMERS.slice(0, 10).map((customer) => ({ customer, abort: new AbortController() }));
    proxy.inject({ kind: 'hold' }, { path: '/customers/' });
    const requests = senders.map(({ customer, abort }) => post(url, customer.id, abort.signal).catch(() => undefined));
    await until(() => proxy.count('/customers/', true) === senders.length);
    // The senders give up: no connection is left, but their notifications are still running.
    for (const { abort } of senders) abort.abort();
    await Promise.all(requests);

    // commercetools answers only once the server has closed, with nothing left to wait for but
    // the notifications themselves.
    connector.server.once('close', () => {
      proxy.clear();
      proxy.release();
    });
    expect(await connector.stop('SIGTERM')).toBe(true);

    const processed = stack.messages().filter(({ msg }) => msg === 'notification processed');
    expect(processed.map(({ outcome }) => outcome)).toEqual(senders.map(() => 'delivered'));
    expect(new Set(segment.events().map((event) => event.userId))).toEqual(
      new Set(senders.map(({ customer }) => customer.id)),
    );
  });
});

describe('startConnector wiring', () => {
  it('requires a Pub/Sub push token when PUBSUB_AUDIENCE and PUBSUB_SERVICE_ACCOUNT_EMAIL are set', async () => {
    const config = loadConfig({
      CTP_PROJECT_KEY: PROJECT_KEY,
      CTP_CLIENT_ID: 'client',
      CTP_CLIENT_SECRET: 'secret',
      CTP_API_URL: 'http://127.0.0.1:9',
      CTP_AUTH_URL: 'http://127.0.0.1:9',
      SEGMENT_WRITE_KEY: 'write-key',
      SEGMENT_HOST: 'http://127.0.0.1:9',
      PUBSUB_AUDIENCE: 'https://connector.example.com/',
      PUBSUB_SERVICE_ACCOUNT_EMAIL: 'push@connect-project.iam.gserviceaccount.com',
    });
    const connector = await startConnector(
      { ...config, port: 0 },
      { logger: createLogger('silent'), host: '127.0.0.1' },
    );
    try {
      const response = await fetch(`http://127.0.0.1:${connector.port}/`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: 'unauthorized', message: 'missing bearer token' });
    } finally {
      await connector.stop('test');
    }
  });
});
