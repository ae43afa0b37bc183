import customerFull from '../fixtures/customers/customer-full.json';
import guestOrder from '../fixtures/orders/order-guest.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import type { Fault, FaultProxy } from '../support/fault-proxy';
import { DEADLINE_MS, deliver as post } from '../support/faults';
import { seedOrders, startHarness, type Harness, type HarnessOptions } from '../support/harness';
import { changeNotification } from '../support/notifications';

/**
 * commercetools failing in the ways networks do, between the app and the stand-in: whatever the
 * fault, the app answers 503 within its deadline, offers Segment nothing for that notification,
 * and a redelivery after recovery sends exactly the messageIds a healthy delivery sends.
 */

/** Well inside the deadline: two attempts of 300 ms and a short pause. */
const LIMITS = { timeoutMs: 300, maxRetries: 1, retryDelayMs: 20 };

jest.setTimeout(30_000);

const FAULTS: [string, Fault][] = [
  ['500', { kind: 'status', status: 500 }],
  ['502', { kind: 'status', status: 502 }],
  ['503', { kind: 'status', status: 503 }],
  ['429 with Retry-After', { kind: 'status', status: 429, headers: { 'retry-after': '1' } }],
  ['a delay beyond the client timeout', { kind: 'delay', ms: 10_000 }],
  ['a reset connection', { kind: 'reset' }],
  ['200 with invalid JSON', { kind: 'invalid-json' }],
];

interface Scenario {
  name: string;
  notification: object;
  /** Requests the fault hits. */
  path: string;
  /** Segment calls a healthy delivery makes. */
  events: number;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'an order created (order read fails)',
    notification: changeNotification('ResourceCreated', 'order', taxExcludedOrder.id),
    path: '/orders/',
    events: 1,
  },
  {
    name: 'a customer updated (customer read fails)',
    notification: changeNotification('ResourceUpdated', 'customer', customerFull.id, customerFull.version),
    path: '/customers/',
    events: 1,
  },
  {
    // The order read succeeds; only the look-up deciding whether the guest's email may be sent fails.
    name: 'a guest order (order read succeeds, customer look-up fails)',
    notification: changeNotification('ResourceCreated', 'order', guestOrder.id),
    path: '/customers?',
    events: 2,
  },
];

async function startBehindProxy(options: HarnessOptions = {}): Promise<{ harness: Harness; proxy: FaultProxy }> {
  const harness = await startHarness({
    proxied: true,
    commercetoolsLimits: LIMITS,
    deadlineMs: DEADLINE_MS,
    ...options,
  });
  await harness.seed('customer', customerFull);
  await seedOrders(harness, taxExcludedOrder, guestOrder);
  return { harness, proxy: harness.proxy as FaultProxy };
}

const acceptedIds = (harness: Harness) => harness.segment.events().map((event) => event.messageId);

/** The messageIds a healthy delivery of each scenario sends, keyed by scenario name. */
const healthy = new Map<string, string[]>();

let harness: Harness;
let proxy: FaultProxy;

beforeAll(async () => {
  ({ harness, proxy } = await startBehindProxy());
  for (const scenario of SCENARIOS) {
    const res = await post(harness, scenario.notification);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'delivered', events: scenario.events });
    healthy.set(scenario.name, acceptedIds(harness));
    harness.segment.reset();
  }
});
afterAll(() => harness.close());
beforeEach(() => {
  harness.segment.reset();
  proxy.clear();
  proxy.forget();
});

describe.each(SCENARIOS)('commercetools fails during $name', (scenario) => {
  it.each(FAULTS)(
    'answers 503 on %s, sends nothing, and a redelivery sends the same messageIds',
    async (_label, fault) => {
      proxy.inject(fault, { path: scenario.path });

      const failed = await post(harness, scenario.notification);
      expect(failed.status).toBe(503);
      expect(failed.body).toEqual({ error: 'upstream-unavailable', message: expect.any(String) });
      expect(proxy.count(scenario.path, true)).toBeGreaterThan(0);
      // Nothing was acknowledged, and nothing was even offered to Segment.
      expect(harness.segment.received).toHaveLength(0);
      if (scenario.path === '/customers?') {
        // The first read went through untouched: the failure came after it.
        expect(proxy.count('/orders/', false)).toBeGreaterThan(0);
        expect(proxy.count('/orders/', true)).toBe(0);
      }

      proxy.clear();
      const redelivered = await post(harness, scenario.notification, 2);
      expect(redelivered.status).toBe(200);
      expect(redelivered.body).toEqual({ status: 'delivered', events: scenario.events });
      expect(acceptedIds(harness)).toEqual(healthy.get(scenario.name));
    },
  );
});

describe('a transient commercetools failure within the retry budget', () => {
  it.each(FAULTS.filter(([, fault]) => fault.kind === 'status' || fault.kind === 'delay'))(
    'is retried by the client on %s, and the notification is delivered',
    async (_label, fault) => {
      proxy.inject(fault, { path: '/orders/', times: 1 });
      const res = await post(harness, changeNotification('ResourceCreated', 'order', taxExcludedOrder.id));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'delivered', events: 1 });
      expect(proxy.count('/orders/', true)).toBe(1);
      expect(proxy.count('/orders/', false)).toBe(1);
      expect(acceptedIds(harness)).toEqual(healthy.get(SCENARIOS[0]!.name));
    },
  );

  // @commercetools/ts-client only retries thrown errors that are aborts or timeouts; the client's
  // fetch wrapper retries network errors such as this reset.
  it('is retried by the client on a single connection reset, and the notification is delivered', async () => {
    proxy.inject({ kind: 'reset' }, { path: '/orders/', times: 1 });
    const res = await post(harness, changeNotification('ResourceCreated', 'order', taxExcludedOrder.id));
    expect(proxy.count('/orders/', true)).toBe(1);
    expect(res.status).toBe(200);
  });
});

describe('commercetools fails while the app fetches its access token', () => {
  // The token is cached once fetched, so each fault needs an app that has none yet.
  it.each(FAULTS)(
    'answers 503 on %s from /oauth/token, and delivers once the token can be had',
    async (_label, fault) => {
      const fresh = await startBehindProxy();
      try {
        fresh.proxy.inject(fault, { path: '/oauth/' });
        const customerUpdated = SCENARIOS[1]!;
        const failed = await post(fresh.harness, customerUpdated.notification);
        expect(failed.status).toBe(503);
        expect(failed.body).toMatchObject({ error: 'upstream-unavailable' });
        expect(fresh.proxy.count('/oauth/', true)).toBeGreaterThan(0);
        expect(fresh.proxy.count('/customers/')).toBe(0);
        expect(fresh.harness.segment.received).toHaveLength(0);

        fresh.proxy.clear();
        const redelivered = await post(fresh.harness, customerUpdated.notification, 2);
        expect(redelivered.status).toBe(200);
        expect(acceptedIds(fresh.harness)).toEqual(healthy.get(customerUpdated.name));
      } finally {
        await fresh.harness.close();
      }
    },
  );
});

describe('commercetools slower than the processing deadline', () => {
  it('answers 503 at the deadline, sends nothing when the late read arrives, and a redelivery delivers', async () => {
    // Client timeout beyond the deadline: only the app's own deadline can answer in time.
    const slow = await startBehindProxy({
      deadlineMs: 1_000,
      commercetoolsLimits: { timeoutMs: 10_000, maxRetries: 0 },
    });
    try {
      const orderCreated = SCENARIOS[0]!;
      // Fetch the token first, so only the order read is slow.
      await post(
        slow.harness,
        changeNotification('ResourceCreated', 'customer', '00000000-0000-4000-8000-000000000000'),
      ).expect(200);
      slow.proxy.inject({ kind: 'delay', ms: 2_000 }, { path: '/orders/', times: 1 });

      const failed = await post(slow.harness, orderCreated.notification);
      expect(failed.status).toBe(503);
      expect(failed.body).toEqual({ error: 'upstream-unavailable', message: 'processing deadline passed' });

      // Let the held read reach the app, then flush whatever the app might still have queued.
      await slow.proxy.settled();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(slow.harness.segment.received).toHaveLength(0);

      const redelivered = await post(slow.harness, orderCreated.notification, 2);
      expect(redelivered.status).toBe(200);
      expect(acceptedIds(slow.harness)).toEqual(healthy.get(orderCreated.name));
    } finally {
      await slow.harness.close();
    }
  });
});
