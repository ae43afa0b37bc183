/**
 * Loopback stand-ins for the benchmark (bench/bench.ts): commercetools and Segment, written
 * directly on node:http. The commercetools mock used by the tests validates and stores resources,
 * which costs more CPU per request than the connector itself; on a 2-core machine that would
 * measure the mock. These only count, wait the configured latency, and answer.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface StandIn<Counts> {
  /** Base URL, e.g. http://127.0.0.1:34567 */
  url: string;
  /** Counts since the last reset (the measured run). */
  counts(): Counts;
  /** Counts since the stand-in started (warm-up included): the token and connections are paid once. */
  lifetimeCounts(): Counts;
  /** Starts a new measurement window; lifetime counts keep going. */
  resetCounts(): void;
  close(): Promise<void>;
}

export interface CommercetoolsCounts {
  token: number;
  orderReads: number;
  customerLookups: number;
  /** Anything the connector should not need for a guest order (reported, never hidden). */
  other: number;
  /** TCP connections accepted: few means keep-alive works. */
  connections: number;
}

export interface SegmentCounts {
  /** HTTP requests to /v1/batch. */
  requests: number;
  /** Calls inside those batches (identify + track). */
  events: number;
  /** Requests that were not a readable batch. */
  rejected: number;
  connections: number;
}

/** Answers now, or after `latencyMs` (a real service's time to answer, network included). */
function answerAfter(latencyMs: number, answer: () => void): void {
  if (latencyMs > 0) setTimeout(answer, latencyMs);
  else answer();
}

function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Reads a request body whole; GETs end at once. */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Two counters of the same shape: one per measured run, one for the stand-in's lifetime. */
function createCounters<Key extends string>(keys: readonly Key[]) {
  const zero = () => Object.fromEntries(keys.map((key) => [key, 0])) as Record<Key, number>;
  let current = zero();
  const lifetime = zero();
  return {
    add(key: Key, amount = 1) {
      current[key] += amount;
      lifetime[key] += amount;
    },
    counts: () => ({ ...current }),
    lifetimeCounts: () => ({ ...lifetime }),
    reset: () => {
      current = zero();
    },
  };
}

async function listen(server: Server): Promise<string> {
  // Longer than the gap between warm-up and measured run, so clients keep their connections.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections of a client that is gone (or still alive) would hold close() open.
    server.closeAllConnections();
  });
}

/** The last 12 hex digits of a UUID-shaped id: what makes one bench order distinct from another. */
function suffixOf(id: string): string {
  return id
    .replace(/[^0-9a-f]/gi, '')
    .slice(-12)
    .padStart(12, '0');
}

/**
 * A guest order (no customerId) for any id, from the fixture. The fixture is serialised once with
 * placeholders and filled per request: stringifying the whole order every time would spend the
 * parent's CPU, which autocannon needs.
 */
function createGuestOrderTemplate(): (id: string) => string {
  const fixture = JSON.parse(
    readFileSync(join(__dirname, '..', 'test', 'fixtures', 'orders', 'order-guest.json'), 'utf8'),
  ) as Record<string, unknown> & { shippingAddress: object; billingAddress: object };
  const template = JSON.stringify({
    ...fixture,
    id: '__ORDER_ID__',
    orderNumber: 'BENCH-__SUFFIX__',
    anonymousId: 'a0000000-0000-4000-8000-__SUFFIX__',
    customerEmail: 'guest-__SUFFIX__@example.com',
    shippingAddress: { ...fixture.shippingAddress, email: 'guest-__SUFFIX__@example.com' },
    billingAddress: { ...fixture.billingAddress, email: 'guest-__SUFFIX__@example.com' },
  });
  return (id) => template.replaceAll('__ORDER_ID__', id).replaceAll('__SUFFIX__', suffixOf(id));
}

const EMPTY_CUSTOMER_PAGE = JSON.stringify({ limit: 1, offset: 0, count: 0, results: [] });
const NOT_FOUND = JSON.stringify({
  statusCode: 404,
  message: 'Not found',
  errors: [{ code: 'ResourceNotFound', message: 'Not found' }],
});

/**
 * commercetools: the OAuth token endpoint and the two reads a guest order needs (the order, and
 * the look-up of its email among registered customers, which finds none).
 */
export async function startCommercetoolsStandIn(options: {
  projectKey: string;
  latencyMs: number;
}): Promise<StandIn<CommercetoolsCounts> & { distinctOrdersRead(): number }> {
  const { projectKey, latencyMs } = options;
  const counters = createCounters(['token', 'orderReads', 'customerLookups', 'other', 'connections'] as const);
  // Each bench notification names a new order: the orders read are the notifications handled.
  let ordersRead = new Set<string>();
  const guestOrder = createGuestOrderTemplate();
  const tokenBody = JSON.stringify({
    access_token: 'bench-access-token',
    token_type: 'Bearer',
    // Two days, as commercetools issues them: one token must last the whole run.
    expires_in: 172_800,
    scope: `manage_project:${projectKey}`,
  });
  const orderPath = new RegExp(`^/${projectKey}/orders/([A-Za-z0-9_-]+)$`);
  const customersPath = `/${projectKey}/customers`;

  const server = createServer((req, res) => {
    // Drain the body first (the token request has one) so the connection can be reused.
    readBody(req).then(
      () => {
        const url = new URL(req.url ?? '/', 'http://stand-in');
        if (req.method === 'POST' && url.pathname === '/oauth/token') {
          counters.add('token');
          return answerAfter(latencyMs, () => sendJson(res, 200, tokenBody));
        }
        const orderId = req.method === 'GET' ? orderPath.exec(url.pathname)?.[1] : undefined;
        if (orderId) {
          counters.add('orderReads');
          ordersRead.add(orderId);
          return answerAfter(latencyMs, () => sendJson(res, 200, guestOrder(orderId)));
        }
        if (
          req.method === 'GET' &&
          url.pathname === customersPath &&
          url.searchParams.get('where') === 'lowercaseEmail = :email'
        ) {
          counters.add('customerLookups');
          return answerAfter(latencyMs, () => sendJson(res, 200, EMPTY_CUSTOMER_PAGE));
        }
        counters.add('other');
        return answerAfter(latencyMs, () => sendJson(res, 404, NOT_FOUND));
      },
      () => res.destroy(),
    );
  });
  server.on('connection', () => counters.add('connections'));
  const url = await listen(server);
  return {
    url,
    counts: counters.counts,
    lifetimeCounts: counters.lifetimeCounts,
    resetCounts: () => {
      counters.reset();
      ordersRead = new Set();
    },
    distinctOrdersRead: () => ordersRead.size,
    close: () => closeServer(server),
  };
}

/** Segment's batch endpoint: accepts every batch after the latency, counting requests and calls. */
export async function startSegmentStandIn(options: { latencyMs: number }): Promise<StandIn<SegmentCounts>> {
  const { latencyMs } = options;
  const counters = createCounters(['requests', 'events', 'rejected', 'connections'] as const);

  const server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        if (req.method !== 'POST' || req.url !== '/v1/batch') {
          counters.add('rejected');
          return sendJson(res, 404, '{"success":false}');
        }
        const events = batchLength(body);
        if (events === undefined) {
          counters.add('rejected');
          return sendJson(res, 400, '{"success":false}');
        }
        counters.add('requests');
        counters.add('events', events);
        return answerAfter(latencyMs, () => sendJson(res, 200, '{"success":true}'));
      },
      () => res.destroy(),
    );
  });
  server.on('connection', () => counters.add('connections'));
  const url = await listen(server);
  return {
    url,
    counts: counters.counts,
    lifetimeCounts: counters.lifetimeCounts,
    resetCounts: counters.reset,
    close: () => closeServer(server),
  };
}

function batchLength(body: Buffer): number | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { batch?: unknown };
    return Array.isArray(parsed.batch) ? parsed.batch.length : undefined;
  } catch {
    return undefined;
  }
}
