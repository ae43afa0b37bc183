import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import guestOrder from '../fixtures/orders/order-guest.json';
import { type Harness, startHarness } from '../support/harness';
import { changeNotification, pubSubEnvelope } from '../support/notifications';
import { rawPost } from '../support/raw-http';

/**
 * What one sender can hold at the edge: a turn for the body deadline at most, a waiting place
 * only while it is connected, a share of the byte budget while its request lasts. Checked
 * through the app as production wires it, listening on loopback, with senders written by hand.
 */
const WAITING_BYTES = 16 * 1024;

const guest = (n: number) => ({
  ...guestOrder,
  id: `2c3d4e5f-0000-4000-8000-${String(n).padStart(12, '0')}`,
  customerEmail: `edge-guest${n}@example.com`,
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

let harness: Harness;
let server: Server;
let port: number;

beforeAll(async () => {
  harness = await startHarness({
    admission: { maxConcurrent: 2, maxWaiting: 4 },
    body: { deadlineMs: 500, waitingBytes: WAITING_BYTES, maxBytes: 1_000_000 },
    budgetBytes: 2_500_000,
  });
  for (let n = 0; n < 8; n += 1) await harness.seed('order', guest(n));
  server = harness.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await harness.close();
});
beforeEach(() => harness.segment.reset());
afterEach(async () => {
  // Every request's bytes were given back, and nobody is left holding a turn or a place.
  await until(() => harness.budget.held() === 0);
  await until(() => harness.gate.state().active === 0 && harness.gate.state().waiting === 0);
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('slow and hung-up senders', () => {
  it('holds a turn only until the body deadline, drops hung-up senders from the line at once, and real orders flow', async () => {
    // Two senders announce a body and never send it: they hold both turns.
    const slow = await Promise.all([1, 2].map(() => rawPost(port, { 'content-length': 1000 }, 'x'.repeat(10))));
    await until(() => harness.gate.state().active === 2);
    // Three more wait for a turn, then hang up: the line is empty again at once, not when their turn comes.
    const gone = await Promise.all([1, 2, 3].map(() => rawPost(port, { 'content-length': 1000 }, 'y'.repeat(100))));
    await until(() => harness.gate.state().waiting === 3);
    for (const sender of gone) sender.socket.destroy();
    await until(() => harness.gate.state().waiting === 0);

    // Four orders fill the line (four places): none is turned away by senders who left.
    const orders = [0, 1, 2, 3].map((n) =>
      post(pubSubEnvelope(changeNotification('ResourceCreated', 'order', guest(n).id))),
    );
    const answers = await Promise.all(orders);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    const completed = harness.segment.events().filter((event) => event.event === 'Order Completed');
    expect(completed.map((event) => event.properties?.order_id).sort()).toEqual(
      [0, 1, 2, 3].map((n) => guest(n).id).sort(),
    );

    // The slow senders were answered 408 when their deadline passed, and their connections closed.
    for (const sender of slow) {
      const answer = await sender.answer;
      expect(answer.status).toBe(408);
      expect(answer.headers.connection).toBe('close');
      expect(JSON.parse(answer.body)).toEqual({ error: 'request-timeout', message: expect.any(String) });
      await sender.closed;
    }
  });

  it('reads a waiting request no further than its share until its turn, then reads it whole', async () => {
    const slow = await Promise.all([1, 2].map(() => rawPost(port, { 'content-length': 1000 }, 'x'.repeat(10))));
    await until(() => harness.gate.state().active === 2);
    // 500 KB announced and sent at once: the kernel holds what the connector leaves unread.
    const text = JSON.stringify({ padding: 'z'.repeat(500_000) });
    const waiting = await rawPost(port, { 'content-length': Buffer.byteLength(text) }, text);
    await until(() => harness.gate.state().waiting === 1 && harness.budget.held() > 20);
    for (let i = 0; i < 20; i += 1) {
      // Its share and at most one read past it, plus the slow senders' 20 bytes.
      expect(harness.budget.held()).toBeLessThanOrEqual(WAITING_BYTES + 64 * 1024 + 20);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Its turn comes once the slow senders time out: read whole, parsed, and refused (not a notification).
    const answer = await waiting.answer;
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).message).toContain('not a commercetools notification');
    for (const sender of slow) await sender.closed;
    waiting.socket.destroy();
  });
});

describe('size and memory', () => {
  it('answers a body announced over the limit 413 before reading it, and closes the connection', async () => {
    const sender = await rawPost(port, { 'content-length': 20_000_000, 'content-type': 'application/json' });
    const answer = await sender.answer;
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    expect(JSON.parse(answer.body)).toEqual({ error: 'payload-too-large', message: 'the body exceeds the size limit' });
    await sender.closed;
  });

  it('answers a body that grows past the limit without announcing its length 413', async () => {
    const chunk = 'a'.repeat(1_000_100);
    const sender = await rawPost(
      port,
      { 'transfer-encoding': 'chunked' },
      `${chunk.length.toString(16)}\r\n${chunk}\r\n`,
    );
    const answer = await sender.answer;
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    sender.socket.destroy();
  });

  it('answers a compressed body 400: its size says nothing of what it inflates to', async () => {
    const answer = await post('{}', { 'content-encoding': 'gzip' });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ error: 'bad-request', message: 'compressed bodies are not accepted' });
  });

  it('answers 503 overloaded past the byte budget, and recovers once the bytes are given back', async () => {
    // A sender that stops short of its announced length holds 990 KB of the 2.5 MB budget until its deadline.
    const holder = await rawPost(port, { 'content-length': 1_000_000 }, 'h'.repeat(990_000));
    await until(() => harness.budget.held() >= 990_000);
    // 600 KB, as read, as text and parsed: 1.8 MB, more than is left.
    const text = JSON.stringify({ padding: 'q'.repeat(600_000) });
    const refused = await post(text);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      error: 'overloaded',
      message: 'the connector holds all it can; retry later',
    });

    expect((await holder.answer).status).toBe(408);
    await until(() => harness.budget.held() === 0);
    // The same body fits now: read, parsed and answered for what it is.
    const accepted = await post(text);
    expect(accepted.status).toBe(400);
    expect(((await accepted.json()) as { message: string }).message).toContain('not a commercetools notification');
  });

  it.each([
    ['a body of empty objects', `[${new Array(100_000).fill('{}').join(',')}]`],
    ['a body holding an array of empty objects', `{"a":[${new Array(100_000).fill('{}').join(',')}]}`],
    [
      'Pub/Sub data of empty objects',
      JSON.stringify({
        message: { data: Buffer.from(`[${new Array(100_000).fill('{}').join(',')}]`).toString('base64') },
      }),
    ],
  ])('refuses %s (300 KB that would parse to 6 MB) as a bad request before parsing it', async (_label, text) => {
    const answer = await post(text);
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { message: string }).message).toMatch(
      /would cost more memory once parsed than its size allows/,
    );
  });
});
