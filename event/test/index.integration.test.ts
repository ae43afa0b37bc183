import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import customerFull from './fixtures/customers/customer-full.json';
import { startCommercetoolsStandIn, type CommercetoolsStandIn } from '../src/dev/commercetools-stand-in';
import { startSegmentCapture, type SegmentCapture } from '../src/dev/segment-capture';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy';
import { connectorEnvironment, PROJECT_KEY } from './support/environment';
import { changeNotification, pubSubEnvelope } from './support/notifications';

/**
 * The connector's own process (src/index.ts, as `npm start` runs it) receiving SIGTERM while it
 * works on many notifications: every request gets its real answer, none a broken connection or a
 * 500, Segment has the events of every 200, and the process exits 0 once drained.
 */

jest.setTimeout(60_000);

const ENTRY = resolve(__dirname, '../src/index.ts');
const CUSTOMERS = Array.from({ length: 30 }, (_, n) => ({
  ...customerFull,
  id: `5c5c5c5c-0000-4000-8000-${String(n).padStart(12, '0')}`,
}));

let commercetools: CommercetoolsStandIn;
let proxy: FaultProxy;
let segment: SegmentCapture;

beforeAll(async () => {
  commercetools = await startCommercetoolsStandIn({ projectKey: PROJECT_KEY });
  for (const customer of CUSTOMERS) await commercetools.add('customer', customer);
  proxy = await startFaultProxy(commercetools.url);
  segment = await startSegmentCapture();
});

afterAll(async () => {
  await proxy.close();
  await segment.close();
  await commercetools.close();
});

/** A loopback port nothing listens on now (PORT must be a real port). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** The connector in a process of its own; its log lines as they come, and its exit code. */
function startProcess(port: number): {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY], {
    cwd: resolve(__dirname, '..'),
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      ...connectorEnvironment({ CTP_API_URL: proxy.url, CTP_AUTH_URL: proxy.url, SEGMENT_HOST: segment.url }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, lines, exited };
}

/** Waits for a condition, unless the process ended first. */
async function until(condition: () => boolean, child: ChildProcess): Promise<void> {
  while (!condition()) {
    if (child.exitCode !== null) throw new Error(`the connector exited with ${child.exitCode}`);
    await new Promise((done) => setTimeout(done, 5));
  }
}

it('answers every notification in progress on SIGTERM, then exits 0', async () => {
  const port = await freePort();
  const { child, lines, exited } = startProcess(port);
  try {
    await until(() => lines.some((line) => line.msg === 'connector listening'), child);

    // Every notification is inside the pipeline (its customer read held) when SIGTERM comes, and
    // Segment is slow to answer.
    proxy.inject({ kind: 'hold' }, { path: '/customers/' });
    segment.behave({ kind: 'delay', ms: 100 });
    const answers = CUSTOMERS.map((customer) =>
      fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(pubSubEnvelope(changeNotification('ResourceUpdated', 'customer', customer.id, 3))),
      }).then(
        async (response) => ({ status: response.status, body: (await response.json()) as { events?: number } }),
        (error: unknown) => ({ status: 0, error: String(error) }),
      ),
    );
    // A read that timed out is retried and held again: at least one per notification.
    await until(() => proxy.count('/customers/', true) >= CUSTOMERS.length, child);

    child.kill('SIGTERM');
    await until(() => lines.some((line) => line.msg === 'shutting down: finishing in-flight notifications'), child);
    proxy.clear();
    proxy.release();

    const answered = await Promise.all(answers);
    // 200 with the events in Segment, or 503 (redelivered): never a broken connection, never a 500.
    for (const answer of answered) expect([200, 503]).toContain(answer.status);
    const delivered = CUSTOMERS.filter((_, n) => answered[n]?.status === 200).map(({ id }) => id);
    expect(delivered.length).toBeGreaterThan(0);
    expect([...new Set(segment.events().map((event) => event.userId))]).toEqual(expect.arrayContaining(delivered));
    expect(await exited).toBe(0);
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped', drained: true });
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
