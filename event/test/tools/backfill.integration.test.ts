import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exitCodeOf, formatSummary, parseBackfillArgs, UsageError } from '../../src/cli/backfill';
import { loadConfig } from '../../src/config';
import { createConnectorDependencies } from '../../src/dependencies';
import { DEFAULT_SEGMENT_LIMITS, type SegmentSink } from '../../src/segment/sink';
import {
  BackfillCheckpointError,
  runBackfill,
  systemClock,
  type BackfillNotice,
  type BackfillOptions,
  type BackfillProgress,
  type BackfillSummary,
  type ResourceCounts,
} from '../../src/tools/backfill';
import type { SeededResource } from '../support/backfill-data';
import { startBackfillStandIns, type BackfillStandIns } from '../support/backfill-stand-ins';
import type { Fault } from '../support/fault-proxy';

/**
 * The backfill against the commercetools mock (seeded with 120 customers and 300 orders in
 * random order, paged 25 at a time) through a fault proxy, and a capturing Segment server, with
 * the real commercetools client and Segment sink. Assertions are on what Segment received.
 */

jest.setTimeout(60_000);

const PROJECT_KEY = 'backfill-project';
const CUSTOMERS = 120;
const ORDERS = 300;
const PAGE_SIZE = 25;

/** Wired as the CLI wires it, from a configuration pointing at the stand-ins. */
function dependencies() {
  const config = loadConfig(standIns.environment());
  const built = createConnectorDependencies(config, {
    // No retries in the client itself: the backfill's own retries are what is tested.
    commercetoolsLimits: { timeoutMs: 5_000, maxRetries: 0, retryDelayMs: 10 },
    segmentLimits: { ...DEFAULT_SEGMENT_LIMITS, httpRequestTimeoutMs: 5_000 },
  });
  sinks.push(built.segment);
  return built;
}

/** A run over every customer and order, four at a time, PAGE_SIZE to a page. */
const EVERY_RESOURCE: BackfillOptions = {
  resourceTypes: ['customer', 'order'],
  dryRun: false,
  concurrency: 4,
  // Large: no test waits on the rate.
  eventsPerSecond: 1_000_000,
  pageSize: PAGE_SIZE,
};

interface Recorded {
  notices: BackfillNotice[];
  progress: BackfillProgress[];
}

async function backfill(
  options: Partial<BackfillOptions> = {},
  signal?: AbortSignal,
): Promise<BackfillSummary & Recorded> {
  const recorded: Recorded = { notices: [], progress: [] };
  const summary = await runBackfill(
    dependencies(),
    { ...EVERY_RESOURCE, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 }, ...options },
    {
      clock: systemClock,
      output: {
        notice: (notice) => recorded.notices.push(notice),
        progress: (progress) => recorded.progress.push(progress),
      },
      ...(signal ? { signal } : {}),
    },
  );
  return { ...summary, ...recorded };
}

/** What Segment should hold for these resources, and the counts the backfill should report. */
function expectationsOf(resources: SeededResource[]) {
  const messageIds = resources.flatMap((resource) =>
    'messageIds' in resource.expected ? resource.expected.messageIds : [],
  );
  const counts = (typeId: SeededResource['typeId']): ResourceCounts => {
    const ofType = resources.filter((resource) => resource.typeId === typeId);
    const skipped: Record<string, number> = {};
    for (const resource of ofType)
      if ('skip' in resource.expected) skipped[resource.expected.skip] = (skipped[resource.expected.skip] ?? 0) + 1;
    const sent = ofType.filter((resource) => 'messageIds' in resource.expected);
    return {
      processed: ofType.length,
      sent: sent.length,
      events: sent.reduce(
        (total, resource) => total + ('messageIds' in resource.expected ? resource.expected.messageIds.length : 0),
        0,
      ),
      skipped,
      failed: {},
    };
  };
  return { messageIds, customer: counts('customer'), order: counts('order') };
}

/** An error answer as commercetools writes it (ts-client cannot read one with an empty `errors`). */
const unavailable = (status: number): Fault => ({
  kind: 'status',
  status,
  body: JSON.stringify({
    statusCode: status,
    message: 'injected',
    errors: [{ code: 'ServiceUnavailable', message: 'injected' }],
  }),
});

const byId = (a: SeededResource, b: SeededResource) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const receivedIds = () => standIns.segment.events().map((event) => event.messageId);
const sorted = (ids: string[]) => [...ids].sort();
const all = () => [...standIns.data.customers, ...standIns.data.orders];

let standIns: BackfillStandIns;
const sinks: SegmentSink[] = [];

beforeAll(async () => {
  standIns = await startBackfillStandIns(PROJECT_KEY, { customers: CUSTOMERS, orders: ORDERS });
});

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close(1_000).catch(() => undefined)));
  standIns.segment.reset();
  standIns.proxy.clear();
  standIns.proxy.forget();
});

afterAll(() => standIns.close());

test('the seeded data covers every case', () => {
  const kinds = new Set(standIns.data.orders.map((order) => order.kind));
  expect([...kinds].sort()).toEqual(
    [
      'guest',
      'guest-registered-email',
      'imported',
      'invalid-consent',
      'no-identity',
      'registered',
      'registered-discount',
      'registered-jpy',
      'registered-multi-shipping',
    ].sort(),
  );
  expect(standIns.data.customers.filter((customer) => customer.kind === 'invalid-consent')).toHaveLength(1);
  expect(standIns.data.orders.filter((order) => order.kind === 'invalid-consent')).toHaveLength(1);
});

test('every customer and order reaches Segment exactly once, with the live messageIds, and the counts are right', async () => {
  const summary = await backfill();
  const expected = expectationsOf(all());

  expect(summary.status).toBe('completed');
  expect(summary.counts.customer).toEqual(expected.customer);
  expect(summary.counts.order).toEqual(expected.order);
  expect(summary.counts.order.skipped).toEqual({ 'no-identity': expect.any(Number), 'invalid-consent': 1 });
  expect(summary.failures).toEqual([]);
  expect(exitCodeOf(summary)).toBe(0);
  // Each messageId once: nothing missing, nothing extra, no resource sent twice.
  expect(sorted(receivedIds())).toEqual(sorted(expected.messageIds));
  expect(summary.run).toMatchObject({
    resources: CUSTOMERS + ORDERS,
    events: expected.messageIds.length,
    pages: Math.ceil(CUSTOMERS / PAGE_SIZE) + Math.ceil(ORDERS / PAGE_SIZE),
  });

  // Customers first (their identify before their orders), each customer's identify before its Signed Up.
  const events = standIns.segment.events();
  const lastCustomerEvent = events.findLastIndex(
    (event) => event.event === 'Signed Up' || (event.type === 'identify' && event.userId !== undefined),
  );
  const firstOrderEvent = events.findIndex((event) => event.event === 'Order Completed');
  expect(lastCustomerEvent).toBeLessThan(firstOrderEvent);

  // Cursor paging, as commercetools wants it: sorted by id, never an offset, no totals.
  const pages = standIns.proxy.seen.filter(
    (request) => /\/(orders|customers)\?/.test(request.path) && request.path.includes('sort='),
  );
  // 300 orders fill their last page, so one more (empty) page is read to learn that it was the last.
  expect(pages).toHaveLength(summary.run.pages + 1);
  for (const { path } of pages) {
    const query = new URL(path, 'http://x').searchParams;
    expect(query.get('sort')).toBe('id asc');
    expect(query.get('limit')).toBe(String(PAGE_SIZE));
    expect(query.get('withTotal')).toBe('false');
    expect(query.has('offset')).toBe(false);
  }
  const orderPages = pages
    .filter(({ path }) => path.includes('/orders?'))
    .map(({ path }) => new URL(path, 'http://x').searchParams);
  expect(orderPages[0]!.get('where')).toBeNull();
  expect(orderPages[1]!.get('where')).toBe('id > :after');
  expect(orderPages[1]!.get('var.after')).toBe([...standIns.data.orders].sort(byId)[PAGE_SIZE - 1]!.id);
  expect(orderPages.every((query) => query.getAll('expand').includes('discountCodes[*].discountCode'))).toBe(true);

  // The guest identify goes out only for emails no customer has, compared case-insensitively.
  const identifies = new Set(
    events.filter((event) => event.type === 'identify' && event.anonymousId).map((event) => event.messageId),
  );
  for (const order of standIns.data.orders.filter((candidate) => candidate.kind === 'guest-registered-email')) {
    expect('messageIds' in order.expected && order.expected.messageIds.some((id) => identifies.has(id))).toBe(false);
  }
  expect(summary.progress.at(-1)).toMatchObject({
    customers: { processed: CUSTOMERS },
    orders: { processed: ORDERS },
    failed: 0,
  });
});

test('a second run sends the same messageIds again, so Segment keeps one of each', async () => {
  const first = await backfill();
  const firstIds = receivedIds();
  standIns.segment.reset();
  const second = await backfill();

  expect(second.counts).toEqual(first.counts);
  expect(sorted(receivedIds())).toEqual(sorted(firstIds));
  expect(new Set(firstIds).size).toBe(firstIds.length);
});

test('an interrupted backfill resumes from its checkpoint: every event present, none sent twice', async () => {
  const file = join(standIns.workDir, 'resume.json');
  const expected = expectationsOf(all());
  const customersById = [...standIns.data.customers].sort(byId);
  const ordersById = [...standIns.data.orders].sort(byId);

  // Three pages of customers, then stop.
  const first = await backfill({ checkpointFile: file, maxPages: 3 });
  expect(first.status).toBe('interrupted');
  expect(exitCodeOf(first)).toBe(130);
  const afterFirst = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  expect(afterFirst).toMatchObject({
    version: 1,
    resourceType: 'customer',
    lastId: customersById[3 * PAGE_SIZE - 1]!.id,
    done: false,
    counts: { customer: { processed: 3 * PAGE_SIZE } },
    filters: {
      projectKey: PROJECT_KEY,
      resourceTypes: ['customer', 'order'],
      since: null,
      until: null,
      store: null,
      dryRun: false,
    },
  });
  expect(typeof afterFirst.startedAt).toBe('string');
  expect(sorted(receivedIds())).toEqual(sorted(expectationsOf(customersById.slice(0, 3 * PAGE_SIZE)).messageIds));

  // The rest of the customers (2 pages) and 2 pages of orders, then stop: across the change of type.
  const second = await backfill({ checkpointFile: file, maxPages: 4 });
  expect(second.status).toBe('interrupted');
  expect(second.resumedFrom).toEqual({ resourceType: 'customer', lastId: customersById[3 * PAGE_SIZE - 1]!.id });
  expect(second.notices[0]).toMatchObject({ kind: 'resume', resourceType: 'customer', processed: 3 * PAGE_SIZE });
  expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
    resourceType: 'order',
    lastId: ordersById[2 * PAGE_SIZE - 1]!.id,
  });

  // To the end, with an abort requested mid-way and resumed once more.
  const stop = new AbortController();
  const third = await runUntil(file, stop, () => stop.abort());
  expect(third.status).toBe('interrupted');
  const fourth = await backfill({ checkpointFile: file });
  expect(fourth.status).toBe('completed');
  expect(exitCodeOf(fourth)).toBe(0);

  // All of it, each once: earlier pages were not sent again.
  const ids = receivedIds();
  expect(new Set(ids).size).toBe(ids.length);
  expect(sorted(ids)).toEqual(sorted(expected.messageIds));
  // The last summary counts the whole backfill, the runs before included.
  expect(fourth.counts.customer).toEqual(expected.customer);
  expect(fourth.counts.order).toEqual(expected.order);
  expect(first.run.resources + second.run.resources + third.run.resources + fourth.run.resources).toBe(
    CUSTOMERS + ORDERS,
  );
  expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ done: true });

  // Resuming a completed backfill with nothing failed (a job runner rerunning a task) does nothing.
  standIns.segment.reset();
  standIns.proxy.forget();
  const again = await backfill({ checkpointFile: file });
  expect(again).toMatchObject({ status: 'completed', failures: [], run: { resources: 0, events: 0, pages: 0 } });
  expect(exitCodeOf(again)).toBe(0);
  expect(again.notices).toEqual([
    expect.objectContaining({ kind: 'resume', message: expect.stringContaining('nothing to do') }),
  ]);
  expect(standIns.segment.received).toHaveLength(0);
  expect(standIns.proxy.count(/\/(orders|customers)/)).toBe(0);
});

/** Runs from the checkpoint and calls `interrupt` once the first resource of the run settled (mid-page). */
async function runUntil(file: string, stop: AbortController, interrupt: () => void) {
  let settledResources = 0;
  const summary = await runBackfill(
    dependencies(),
    { ...EVERY_RESOURCE, checkpointFile: file },
    {
      clock: systemClock,
      signal: stop.signal,
      output: {
        notice: () => undefined,
        progress: () => {
          settledResources += 1;
          if (settledResources === 3) interrupt();
        },
      },
    },
  );
  // The page in progress was completed and checkpointed before stopping.
  expect(summary.run.pages).toBe(1);
  expect(summary.run.resources).toBe(PAGE_SIZE);
  return summary;
}

test('a checkpoint written for other options is refused, and left as it is', async () => {
  const file = join(standIns.workDir, 'mismatch.json');
  await backfill({ checkpointFile: file, maxPages: 1, resourceTypes: ['order'], store: 'us-webshop' });
  const before = await readFile(file, 'utf8');
  standIns.segment.reset();

  const attempt = backfill({ checkpointFile: file, resourceTypes: ['order'], store: 'de-webshop' });
  await expect(attempt).rejects.toBeInstanceOf(BackfillCheckpointError);
  await expect(attempt).rejects.toThrow('store: "us-webshop" in the checkpoint, "de-webshop" now');
  await expect(
    backfill({ checkpointFile: file, resourceTypes: ['order'], store: 'us-webshop', dryRun: true }),
  ).rejects.toThrow('dryRun: false in the checkpoint, true now');
  expect(await readFile(file, 'utf8')).toBe(before);
  expect(standIns.segment.received).toHaveLength(0);

  await writeFile(join(standIns.workDir, 'garbage.json'), '{"resourceType":"order"}');
  await expect(backfill({ checkpointFile: join(standIns.workDir, 'garbage.json') })).rejects.toThrow(
    /is not a backfill checkpoint/,
  );
});

test('--since, --until and --store select exactly the resources created in that window, in that store', async () => {
  const since = '2025-06-01T00:00:00.000Z';
  const until = '2026-02-01T00:00:00.000Z';
  const store = 'de-webshop';
  const selected = all().filter(
    (resource) => resource.createdAt >= since && resource.createdAt < until && resource.stores.includes(store),
  );
  const expected = expectationsOf(selected);
  // The window and the store cut through both types.
  expect(expected.customer.processed).toBeGreaterThan(3);
  expect(expected.order.processed).toBeGreaterThan(10);
  expect(expected.order.processed).toBeLessThan(ORDERS / 3);

  const summary = await backfill({ since, until, store, pageSize: 7 });
  expect(summary.status).toBe('completed');
  expect(summary.counts.customer).toEqual(expected.customer);
  expect(summary.counts.order).toEqual(expected.order);
  expect(sorted(receivedIds())).toEqual(sorted(expected.messageIds));

  // User input travels as predicate variables, never inside the predicate text.
  const where = standIns.proxy.seen
    .map(({ path }) => new URL(path, 'http://x').searchParams)
    .filter((query) => query.get('sort'));
  expect(where.find((query) => query.get('var.after'))?.get('where')).toMatch(
    /^id > :after and createdAt >= :since and createdAt < :until and (store|stores)\(key = :store\)$/,
  );
  expect(
    where.every(
      (query) =>
        query.get('var.store') === store && query.get('var.since') === since && query.get('var.until') === until,
    ),
  ).toBe(true);

  // Only one bound, only one type.
  standIns.segment.reset();
  const recent = await backfill({ resourceTypes: ['order'], since: '2025-12-01T00:00:00.000Z' });
  const recentOrders = standIns.data.orders.filter((order) => order.createdAt >= '2025-12-01T00:00:00.000Z');
  expect(recent.counts.order).toEqual(expectationsOf(recentOrders).order);
  expect(recent.counts.customer.processed).toBe(0);
  expect(sorted(receivedIds())).toEqual(sorted(expectationsOf(recentOrders).messageIds));
});

test('a dry run sends nothing but counts the same', async () => {
  const expected = expectationsOf(all());
  const summary = await backfill({ dryRun: true });
  expect(summary.status).toBe('completed');
  expect(summary.dryRun).toBe(true);
  expect(summary.counts.customer).toEqual(expected.customer);
  expect(summary.counts.order).toEqual(expected.order);
  expect(summary.run.events).toBe(expected.messageIds.length);
  expect(standIns.segment.received).toHaveLength(0);
  expect(formatSummary(summary)).toContain('(dry run: nothing was sent to Segment)');
  expect(formatSummary(summary)).toMatch(/orders +300 read: would send \d+/);
});

test('a commercetools 503 on a page is retried, and the page is read and sent once', async () => {
  const expected = expectationsOf(standIns.data.orders);
  // The third page of orders fails twice, then recovers.
  const third = [...standIns.data.orders].sort(byId)[2 * PAGE_SIZE - 1]!.id;
  standIns.proxy.inject(unavailable(503), { path: `var.after=${third}`, times: 2 });

  const summary = await backfill({ resourceTypes: ['order'] });
  expect(standIns.proxy.count(`var.after=${third}`, true)).toBe(2);
  expect(standIns.proxy.count(`var.after=${third}`, false)).toBe(1);
  expect(summary.status).toBe('completed');
  expect(summary.counts.order).toEqual(expected.order);
  expect(summary.run.retries).toBe(2);
  expect(summary.notices.filter((notice) => notice.kind === 'retry')).toEqual([
    expect.objectContaining({
      what: `order page after ${third}`,
      attempt: 1,
      reason: 'commercetools order page read failed (HTTP 503)',
    }),
    expect.objectContaining({ attempt: 2 }),
  ]);
  expect(sorted(receivedIds())).toEqual(sorted(expected.messageIds));
});

test('a resource that keeps failing is counted failed with its reason; the rest is sent; the exit code says so', async () => {
  const guest = standIns.data.orders.find((order) => order.kind === 'guest')!;
  const email = encodeURIComponent(guest.resource.customerEmail as string);
  // The pages' batched look-ups are refused (never retried), so each guest looks its email up itself:
  standIns.proxy.inject(unavailable(400), { path: 'var.emails=' });
  // its guest look-up fails on every attempt; another guest's fails once and is retried.
  standIns.proxy.inject(unavailable(503), { path: new RegExp(`var\\.email=${email}(&|$)`) });
  const other = standIns.data.orders.filter((order) => order.kind === 'guest')[1]!;
  standIns.proxy.inject(unavailable(502), {
    path: new RegExp(`var\\.email=${encodeURIComponent(other.resource.customerEmail as string)}(&|$)`),
    times: 1,
  });

  const summary = await backfill({ resourceTypes: ['order'] });
  // Three attempts for the first, two for the other (the second one succeeded).
  expect(standIns.proxy.count(new RegExp(`var\\.email=${email}(&|$)`), true)).toBe(3);
  expect(summary.run.retries).toBe(2 + 1);
  expect(summary.status).toBe('completed');
  expect(summary.counts.order.failed).toEqual({ 'commercetools customer look-up failed (HTTP 503)': 1 });
  expect(summary.failures).toEqual([
    { resourceType: 'order', id: guest.id, reason: 'commercetools customer look-up failed (HTTP 503)' },
  ]);
  expect(summary.counts.order.processed).toBe(ORDERS);
  expect(exitCodeOf(summary)).toBe(1);
  const expected = expectationsOf(standIns.data.orders.filter((order) => order !== guest));
  expect(sorted(receivedIds())).toEqual(sorted(expected.messageIds));
  expect(formatSummary(summary)).toContain(`order ${guest.id}: commercetools customer look-up failed (HTTP 503)`);
});

describe('at scale: shards, batched look-ups, nothing left behind', () => {
  test('three shards are disjoint, cover every resource exactly once, and are about equal', async () => {
    const sent: string[][] = [];
    for (let index = 0; index < 3; index += 1) {
      standIns.segment.reset();
      const summary = await backfill({ shard: { index, count: 3 } });
      expect(summary).toMatchObject({ status: 'completed', shard: `${index}/3` });
      sent.push(receivedIds());
    }
    const union = sent.flat();
    expect(new Set(union).size).toBe(union.length);
    expect(sorted(union)).toEqual(sorted(expectationsOf(all()).messageIds));
    for (const part of sent) expect(part.length).toBeGreaterThan(union.length / 6);
  });

  test('batched guest look-ups give the same identifies as one by one, in fewer commercetools requests', async () => {
    standIns.proxy.forget();
    await backfill({ resourceTypes: ['order'] });
    const batched = { ids: sorted(receivedIds()), lookups: standIns.proxy.count('lowercaseEmail') };
    standIns.segment.reset();
    standIns.proxy.forget();
    // Refused, the batched look-up falls back to one look-up per guest order.
    standIns.proxy.inject(unavailable(400), { path: 'var.emails=' });
    await backfill({ resourceTypes: ['order'] });
    const single = { ids: sorted(receivedIds()), lookups: standIns.proxy.count('lowercaseEmail', false) };
    expect(batched.ids).toEqual(single.ids);
    const guests = standIns.data.orders.filter(
      (order) => order.resource.customerId === undefined && order.resource.customerEmail,
    ).length;
    expect(single.lookups).toBeGreaterThanOrEqual(guests * 0.5);
    expect(batched.lookups).toBeLessThanOrEqual(Math.ceil(ORDERS / PAGE_SIZE));
    expect(batched.lookups).toBeLessThan(single.lookups / 3);
  });

  test('resources Segment refuses fail the run (exit 1), are all in the checkpoint, and a resumed run delivers exactly those', async () => {
    const file = join(standIns.workDir, 'refused.json');
    const sent = standIns.data.orders.filter((order) => 'messageIds' in order.expected);
    const refused = new Set(sent.filter((_, n) => n % 7 === 0).map((order) => order.id));
    standIns.segment.refuseEvents((event) => refused.has(String(event.properties?.order_id)));
    const first = await backfill({ resourceTypes: ['order'], checkpointFile: file });
    expect(exitCodeOf(first)).toBe(1);
    const checkpoint = JSON.parse(await readFile(file, 'utf8')) as {
      done: boolean;
      failures: { id: string; reason: string }[];
    };
    expect(checkpoint.done).toBe(true);
    expect(new Set(checkpoint.failures.map((failure) => failure.id))).toEqual(refused);
    expect(checkpoint.failures[0]?.reason).toMatch(/^segment-rejected: /);
    // Refused for good: sent once as merged, once alone, never retried beyond that.
    expect(first.run.retries).toBe(0);

    standIns.segment.reset();
    const retried = await backfill({ resourceTypes: ['order'], checkpointFile: file, retryFailedOnly: true });
    expect(exitCodeOf(retried)).toBe(0);
    expect(retried.failures).toEqual([]);
    expect(retried.counts.order.processed).toBe(ORDERS);
    const expected = expectationsOf(standIns.data.orders.filter((order) => refused.has(order.id)));
    expect(sorted(receivedIds())).toEqual(sorted(expected.messageIds));
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ done: true, failures: [] });
  });

  test('an interrupted run with failures: --retry-failed retries only them; a resume retries them first, then continues', async () => {
    const file = join(standIns.workDir, 'interrupted-failures.json');
    // Customers of the first page (paging goes by id).
    const firstPage = [...standIns.data.customers].sort(byId).slice(0, PAGE_SIZE);
    const refused = new Set(
      firstPage
        .filter((customer) => 'messageIds' in customer.expected)
        .slice(0, 5)
        .map((customer) => customer.id),
    );
    standIns.segment.refuseEvents((event) => refused.has(String(event.userId)));
    const first = await backfill({ resourceTypes: ['customer'], checkpointFile: file, maxPages: 2 });
    expect(first.status).toBe('interrupted');
    const failedBefore = first.failures.map((failure) => failure.id);
    expect(failedBefore.length).toBeGreaterThan(0);

    // --retry-failed, Segment still refusing them: only they are offered again (and stay listed);
    // no page is read, and the checkpoint still says where the backfill stands.
    standIns.segment.reset();
    standIns.segment.refuseEvents((event) => refused.has(String(event.userId)));
    const retried = await backfill({ resourceTypes: ['customer'], checkpointFile: file, retryFailedOnly: true });
    expect(retried.run.pages).toBe(0);
    expect(sorted(retried.failures.map((failure) => failure.id))).toEqual(sorted(failedBefore));
    expect(
      new Set(standIns.segment.received.flatMap((request) => request.events.map((event) => event.userId))),
    ).toEqual(new Set(failedBefore));
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ done: false, lastId: first.position.lastId });

    standIns.segment.reset();
    const resumed = await backfill({ resourceTypes: ['customer'], checkpointFile: file });
    expect(resumed.status).toBe('completed');
    expect(resumed.failures).toEqual([]);
    expect(resumed.notices.find((notice) => notice.kind === 'retrying-failures')).toMatchObject({
      count: failedBefore.length,
    });
    // The retried ones came first.
    const firstUsers = standIns.segment
      .events()
      .slice(0, failedBefore.length * 2)
      .map((event) => event.userId);
    expect(new Set(firstUsers)).toEqual(new Set(failedBefore));
    expect(resumed.counts.customer.processed).toBe(CUSTOMERS);
  });
});

test('a page commercetools refuses aborts the run at the last checkpoint', async () => {
  const file = join(standIns.workDir, 'aborted.json');
  const second = [...standIns.data.customers].sort(byId)[PAGE_SIZE - 1]!.id;
  standIns.proxy.inject(
    {
      kind: 'status',
      status: 400,
      body: JSON.stringify({
        statusCode: 400,
        message: 'Malformed parameter: where',
        errors: [{ code: 'InvalidInput', message: 'Malformed parameter: where' }],
      }),
    },
    { path: `var.after=${second}` },
  );

  const summary = await backfill({ checkpointFile: file });
  expect(summary.status).toBe('aborted');
  expect(summary.error).toBe('commercetools customer page read failed (HTTP 400): Malformed parameter: where');
  // Not retried: a 400 does not change by waiting.
  expect(standIns.proxy.count(`var.after=${second}`)).toBe(1);
  expect(exitCodeOf(summary)).toBe(1);
  expect(summary.position).toEqual({ resourceType: 'customer', lastId: second });
  expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
    resourceType: 'customer',
    lastId: second,
    done: false,
  });
  expect(formatSummary(summary, file)).toContain(`--resume ${file} (continues after customer ${second})`);
});

test('when every event of a type is switched off, it is not read at all', async () => {
  const deps = dependencies();
  const summary = await runBackfill(
    { ...deps, events: { ...deps.events, track: { ...deps.events.track, orderCompleted: undefined } } },
    { resourceTypes: ['order'], dryRun: false, concurrency: 2, eventsPerSecond: 1_000_000, pageSize: PAGE_SIZE },
    { clock: systemClock, output: { notice: () => undefined, progress: () => undefined } },
  );
  expect(summary).toMatchObject({ status: 'completed', disabled: ['order'], counts: { order: { processed: 0 } } });
  expect(standIns.proxy.count('/orders')).toBe(0);
  expect(exitCodeOf(summary)).toBe(0);
});

describe('business units', () => {
  const unit = (n: number, associates: number) => ({
    id: `b0b0b0b0-${String(n).padStart(4, '0')}-4000-8000-000000000000`,
    version: 2,
    key: `unit-${n}`,
    name: `Unit ${n}`,
    unitType: 'Company',
    status: 'Active',
    storeMode: 'Explicit',
    stores: [],
    associateMode: 'Explicit',
    approvalRuleMode: 'Explicit',
    associates: Array.from({ length: associates }, (_, a) => ({
      customer: {
        typeId: 'customer',
        id: `c0c0c0c0-${String(n).padStart(4, '0')}-4000-8000-${String(a).padStart(12, '0')}`,
      },
      associateRoleAssignments: [],
    })),
    inheritedAssociates: [],
    topLevelUnit: { typeId: 'business-unit', key: `unit-${n}` },
    addresses: [],
    shippingAddressIds: [],
    billingAddressIds: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    lastModifiedAt: '2026-01-02T00:00:00.000Z',
  });

  it('sends the group calls of every existing unit (--business-units), and skips a unit without associates', async () => {
    for (let n = 0; n < 30; n += 1) await standIns.commercetools.seed('business-unit', unit(n, n % 10 === 0 ? 0 : 2));
    const summary = await backfill({ resourceTypes: ['business-unit'] });
    expect(summary.status).toBe('completed');
    expect(summary.counts['business-unit']).toMatchObject({
      processed: 30,
      sent: 27,
      events: 54,
      skipped: { 'no-associates': 3 },
    });
    const groups = standIns.segment.events();
    expect(groups).toHaveLength(54);
    expect(new Set(groups.map((call) => call.groupId))).toEqual(
      new Set(Array.from({ length: 30 }, (_, n) => `unit-${n}`).filter((_, n) => n % 10 !== 0)),
    );
    expect(groups.every((call) => call.type === 'group')).toBe(true);
    expect(parseBackfillArgs(['--business-units'])).toMatchObject({ options: { resourceTypes: ['business-unit'] } });
    expect(parseBackfillArgs(['--orders', '--business-units'])).toMatchObject({
      options: { resourceTypes: ['business-unit', 'order'] },
    });
  });
});

describe('command line', () => {
  test('neither flag means both types; values are checked and normalised', () => {
    expect(parseBackfillArgs([])).toMatchObject({
      options: {
        resourceTypes: ['customer', 'order'],
        dryRun: false,
        concurrency: 4,
        eventsPerSecond: 500,
        pageSize: 500,
      },
    });
    expect(
      parseBackfillArgs([
        '--orders',
        '--since',
        '2026-01-31',
        '--until',
        '2026-02-01T12:00:00+02:00',
        '--store',
        'de-webshop',
        '--dry-run',
        '--concurrency',
        '8',
        '--rate',
        '50.5',
        '--resume',
        'cp.json',
      ]),
    ).toEqual({
      options: {
        resourceTypes: ['order'],
        since: '2026-01-31T00:00:00.000Z',
        until: '2026-02-01T10:00:00.000Z',
        store: 'de-webshop',
        dryRun: true,
        concurrency: 8,
        eventsPerSecond: 50.5,
        pageSize: 500,
        checkpointFile: 'cp.json',
        countTotals: true,
      },
      progressIntervalSeconds: 10,
    });
    expect(parseBackfillArgs(['--customers', '--orders'])).toMatchObject({
      options: { resourceTypes: ['customer', 'order'] },
    });
    expect(parseBackfillArgs(['-h'])).toBe('help');
  });

  test.each([
    [['--since', 'yesterday'], /--since must be a date/],
    [['--since', '2026-01-31T10:00:00'], /--since must be a date/],
    [['--since', '2026-02-01', '--until', '2026-01-01'], /--since must be before --until/],
    [['--concurrency', '0'], /--concurrency must be a positive integer/],
    [['--concurrency', '2.5'], /--concurrency must be a positive integer/],
    [['--rate', 'fast'], /--rate must be a positive number/],
    [['--page-size', '501'], /--page-size must be a positive integer up to 500/],
    [['--store', ''], /--store needs a store key/],
    [['--unknown'], /Unknown option '--unknown'/],
    [['orders'], /Unexpected argument 'orders'/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseBackfillArgs(argv)).toThrow(UsageError);
    expect(() => parseBackfillArgs(argv)).toThrow(message);
  });

  const summaryOf = (status: BackfillSummary['status'], failed: Record<string, number> = {}): BackfillSummary => ({
    status,
    dryRun: false,
    resourceTypes: ['customer', 'order'],
    counts: {
      customer: { processed: 1, sent: 1, events: 2, skipped: {}, failed: {} },
      'business-unit': { processed: 0, sent: 0, events: 0, skipped: {}, failed: {} },
      order: { processed: 2, sent: 1, events: 1, skipped: { 'no-identity': 1 }, failed },
    },
    run: {
      resources: 3,
      events: 3,
      pages: 2,
      retries: 0,
      durationSeconds: 1,
      eventsPerSecond: 3,
      resourcesPerSecond: 3,
    },
    disabled: [],
    failures: [],
    position: { resourceType: 'order', lastId: 'x' },
  });

  test('exit codes: 0 done, 1 failures or aborted, 130 interrupted', () => {
    expect(exitCodeOf(summaryOf('completed'))).toBe(0);
    expect(exitCodeOf(summaryOf('completed', { 'Segment did not accept the event: timeout': 1 }))).toBe(1);
    expect(exitCodeOf(summaryOf('aborted'))).toBe(1);
    expect(exitCodeOf(summaryOf('interrupted'))).toBe(130);
    expect(exitCodeOf(summaryOf('interrupted', { x: 1 }))).toBe(1);
  });
});
