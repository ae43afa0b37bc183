import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import packageJson from '../../package.json';
import guestOrder from '../fixtures/orders/order-guest.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import { startCommercetoolsStandIn, type CommercetoolsStandIn } from '../../src/dev/commercetools-stand-in';
import { startSegmentCapture, type SegmentCapture } from '../../src/dev/segment-capture';
import { connectorEnvironment, PROJECT_KEY } from '../support/environment';
import { changeNotification, messageNotification, pubSubEnvelope } from '../support/notifications';
import { rawPost, type RawRequest } from '../support/raw-http';

/**
 * Whatever senders do, the connector does not die of memory: it runs here in a process of its own
 * with production's V8 flags (package.json `config.nodeOptions`: a 176 MB heap limit), against the
 * stand-ins, while senders hold turns without sending their bodies, post 300 KB of `{}` that
 * would parse to 6 MB each, and push Pub/Sub's largest messages. Its peak resident memory is read
 * from the kernel (VmHWM), not inferred from timings.
 */
const SCRIPT = resolve(__dirname, '../support/connector-process.ts');

/**
 * What the process may hold by construction, beyond what it held once started (code, tsx's
 * compiled sources, its first heap): V8's heap limit under production's flags (128 MB old space
 * and 3 × 16 MB young), and outside the heap what the byte budget lets requests hold (3/8 of the
 * limit) and the garbage buffers V8 lets build up before it collects them (64 MB). Measured here:
 * 110 MB started, 280 to 315 MB at the peak. Before the budget, 32 bodies of `{}` took the heap past
 * its limit and the process died.
 */
const HEAP_LIMIT_MB = 128 + 3 * 16;
const BEYOND_START_MB = HEAP_LIMIT_MB + (HEAP_LIMIT_MB * 3) / 8 + 64;

/** An order of `lines` line items, about 2.2 KB each: 4,500 make a 10 MB message. */
function orderOf(lines: number) {
  const [line] = taxExcludedOrder.lineItems;
  return {
    ...taxExcludedOrder,
    id: '5e5e5e5e-0000-4000-8000-00000000b16f',
    lineItems: Array.from({ length: lines }, (_, n) => ({
      ...line,
      id: `big-line-${n}`,
      variant: { ...line?.variant, sku: `SKU-${n}` },
    })),
  };
}

let commercetools: CommercetoolsStandIn;
let segment: SegmentCapture;
let connector: ChildProcess;
let port: number;

beforeAll(async () => {
  commercetools = await startCommercetoolsStandIn({ projectKey: PROJECT_KEY });
  await commercetools.add('order', guestOrder);
  segment = await startSegmentCapture();
  const environment = connectorEnvironment({
    CTP_API_URL: commercetools.url,
    CTP_AUTH_URL: commercetools.url,
    SEGMENT_HOST: segment.url,
  });
  connector = spawn(process.execPath, ['--import', 'tsx', SCRIPT, JSON.stringify(environment)], {
    cwd: resolve(__dirname, '../..'),
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: packageJson.config.nodeOptions },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  port = await new Promise<number>((listening, failed) => {
    let output = '';
    connector.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = /\{"port":\d+\}/.exec(output);
      if (line) listening((JSON.parse(line[0]) as { port: number }).port);
    });
    connector.once('exit', (code) => failed(new Error(`the connector exited (${code}) before listening`)));
  });
});

afterAll(async () => {
  if (connector.exitCode === null) {
    const exited = new Promise((done) => connector.once('exit', done));
    connector.kill('SIGTERM');
    await exited;
  }
  await segment.close();
  await commercetools.close();
});

const post = (body: string) =>
  fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

/** Peak resident memory of the connector's process so far, MB. */
function peakRssMb(pid: number): number {
  const line = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line?.[1]) / 1024;
}

it('stays up under slow senders, bodies built to blow up once parsed and the largest pushes, then delivers a real order', async () => {
  const slow: RawRequest[] = [];
  const started = peakRssMb(connector.pid as number);
  try {
    // Sixteen senders announce a body they never send: each holds a turn until its deadline.
    for (let n = 0; n < 16; n += 1) slow.push(await rawPost(port, { 'content-length': 1000 }));
    // 300 KB of `{}` each: on their own, under a key, and in a notification that would wait on
    // commercetools while it held them (32 of these, 6.4 MB each parsed, killed the process).
    const empties = (count: number) => `[${new Array(count).fill('{}').join(',')}]`;
    const notification = changeNotification('ResourceCreated', 'order', '5e5e5e5e-0000-4000-8000-0000000000aa');
    const heavy = [
      empties(100_000),
      `{"a":${empties(100_000)}}`,
      `${JSON.stringify(notification).slice(0, -1)},"padding":${empties(99_000)}}`,
    ];
    // Pub/Sub's largest message: 10 MB of data, 13.4 MB as pushed.
    const inner = JSON.stringify(
      messageNotification('order', orderOf(4_500).id, 'OrderCreated', { order: orderOf(4_500) }),
    );
    expect(inner.length).toBeGreaterThan(9_900_000);
    const largest = JSON.stringify(pubSubEnvelope(JSON.parse(inner) as object));
    expect(largest.length).toBeGreaterThan(13_200_000);

    const answers = await Promise.all([
      ...Array.from({ length: 32 }, (_, n) => post(heavy[n % heavy.length] as string)),
      ...Array.from({ length: 4 }, () => post(largest)),
    ]);
    const statuses = answers.map((answer) => answer.status);
    // Bodies of `{}` are refused before they are parsed (or, past the budget, turned away);
    // the largest pushes are taken, or turned away while others hold the budget.
    for (const status of statuses.slice(0, 32)) expect([400, 503]).toContain(status);
    for (const status of statuses.slice(32)) expect([200, 503]).toContain(status);

    // Alone, the largest push fits: read, measured, parsed, and its order looked up (it does not exist).
    const alone = await post(largest);
    expect(alone.status).toBe(200);
    expect(await alone.json()).toEqual({ status: 'skipped', reason: 'not-found' });

    // A real notification still gets through, and Segment has its events.
    const real = await post(
      JSON.stringify(pubSubEnvelope(changeNotification('ResourceCreated', 'order', guestOrder.id))),
    );
    expect(real.status).toBe(200);
    expect(await real.json()).toMatchObject({ status: 'delivered' });
    expect(segment.events().some((event) => event.properties?.order_id === guestOrder.id)).toBe(true);

    expect(connector.exitCode).toBeNull();
    const peak = peakRssMb(connector.pid as number);
    expect(peak).toBeLessThan(started + BEYOND_START_MB);
  } finally {
    for (const sender of slow) sender.socket.destroy();
  }
});
