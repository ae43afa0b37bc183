/**
 * `npm run soak -- [--minutes 5] [--rate 200] [--connections 32] [--interval 15] [--heap-mb N]`
 *
 * Runs the built connector (dist/index.js) as its own process for minutes under a steady load of
 * distinct notifications, against loopback stand-ins (the commercetools mock over HTTP and a
 * counting Segment endpoint), and prints the connector's memory at intervals: a soak, not a test.
 * Memory that keeps growing from one interval to the next is a leak; a plateau is not.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { CommercetoolsMock } from '@labdigital/commercetools-mock';
import { EVENT_DIR, freePort, killLiveChildren, readProcStatusMb, startService } from './processes';

const PROJECT_KEY = 'soak-project';
const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    rate: { type: 'string', default: '200' },
    connections: { type: 'string', default: '32' },
    interval: { type: 'string', default: '15' },
    // Caps the connector's V8 heap: with a leak the process then fails instead of just growing.
    'heap-mb': { type: 'string' },
  },
});
const minutes = Number(args.minutes);
const rate = Number(args.rate);
const connections = Number(args.connections);
const intervalSeconds = Number(args.interval);

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(EVENT_DIR, 'src', 'dev', 'samples', name), 'utf8')) as Record<string, unknown>;

function uuid(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `5a0a0000-0000-4000-8000-${hex}`;
}

/** Segment's batch endpoint, answering at once and only counting (it must not grow itself). */
async function startCountingSegment() {
  let requests = 0;
  let events = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests += 1;
      events += (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { batch: unknown[] }).batch.length;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts: () => ({ requests, events }),
    close: () => server.close(),
  };
}

async function main(): Promise<void> {
  const ctMock = new CommercetoolsMock({
    enableAuthentication: true,
    validateCredentials: true,
    defaultProjectKey: PROJECT_KEY,
    silent: true,
  });
  await ctMock.app.listen({ host: '127.0.0.1', port: 0 });
  const ctUrl = `http://127.0.0.1:${(ctMock.app.server.address() as AddressInfo).port}`;
  const order = fixture('orders/order-tax-included.json');
  const customer = fixture('customers/customer-full.json');
  const ORDERS = 500;
  for (let n = 0; n < ORDERS; n += 1) {
    await ctMock
      .project(PROJECT_KEY)
      .unsafeAdd('order' as never, { ...order, id: uuid(n), orderNumber: `SOAK-${n}` } as never);
    await ctMock
      .project(PROJECT_KEY)
      .unsafeAdd('customer' as never, { ...customer, id: uuid(100_000 + n), email: `soak${n}@example.com` } as never);
  }
  const segment = await startCountingSegment();

  const heapFlags = args['heap-mb'] ? [`--max-old-space-size=${Number(args['heap-mb'])}`] : [];
  const connector = await startService(
    [...heapFlags, join(EVENT_DIR, 'dist', 'index.js')],
    {
      CTP_PROJECT_KEY: PROJECT_KEY,
      CTP_CLIENT_ID: 'soak',
      CTP_CLIENT_SECRET: 'soak-secret',
      CTP_API_URL: ctUrl,
      CTP_AUTH_URL: ctUrl,
      SEGMENT_WRITE_KEY: 'soak-write-key',
      SEGMENT_HOST: segment.url,
      LOG_LEVEL: 'warn',
    },
    await freePort(),
  );
  const connectorUrl = connector.url;

  let sequence = 0;
  const nextBody = () => {
    sequence += 1;
    const n = sequence % ORDERS;
    // Alternate new orders and customer updates, each notification distinct.
    const notification =
      sequence % 2 === 0
        ? {
            notificationType: 'ResourceCreated',
            projectKey: PROJECT_KEY,
            resource: { typeId: 'order', id: uuid(n) },
            version: 1,
            modifiedAt: new Date().toISOString(),
          }
        : {
            notificationType: 'ResourceUpdated',
            projectKey: PROJECT_KEY,
            resource: { typeId: 'customer', id: uuid(100_000 + n) },
            version: sequence,
            modifiedAt: new Date().toISOString(),
          };
    return JSON.stringify({
      message: { data: Buffer.from(JSON.stringify(notification)).toString('base64'), messageId: String(sequence) },
    });
  };

  console.log(
    `soak: ${minutes} min at ${rate} notifications/s over ${connections} connections; memory every ${intervalSeconds} s` +
      (heapFlags.length ? `; heap capped at ${args['heap-mb']} MB` : ''),
  );
  console.log('elapsed_s  rss_mb  answered  non_2xx  segment_events');
  const started = Date.now();
  let answered = 0;
  let failed = 0;
  const samples: number[] = [];
  const sample = () => {
    const rss = readProcStatusMb(connector.pid, 'VmRSS') ?? 0;
    samples.push(rss);
    const elapsed = Math.round((Date.now() - started) / 1000);
    console.log(
      `${String(elapsed).padStart(9)}  ${rss.toFixed(1).padStart(6)}  ${String(answered).padStart(8)}  ${String(failed).padStart(7)}  ${String(segment.counts().events).padStart(14)}`,
    );
  };
  const timer = setInterval(sample, intervalSeconds * 1000);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: connectorUrl,
        connections,
        overallRate: rate,
        duration: minutes * 60,
        requests: [
          {
            method: 'POST',
            path: '/',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request) => ({ ...request, body: nextBody() }),
          },
        ],
      },
      (error, finished) => (error ? reject(error) : resolve(finished)),
    );
    instance.on('response', (_client, statusCode) => {
      answered += 1;
      if (statusCode < 200 || statusCode >= 300) failed += 1;
    });
  });
  clearInterval(timer);
  sample();

  const thirds = Math.max(1, Math.floor(samples.length / 3));
  const firstThird = Math.max(...samples.slice(0, thirds));
  const lastThird = Math.max(...samples.slice(-thirds));
  console.log(
    `\nrequests ${result.requests.total}, non-2xx ${result.non2xx}, errors ${result.errors}, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
  );
  console.log(
    `peak RSS ${Math.max(...samples).toFixed(1)} MB; max of first third ${firstThird.toFixed(1)} MB, of last third ${lastThird.toFixed(1)} MB`,
  );

  await connector.stop();
  if (connector.logs.count > 0)
    console.log(
      `connector log lines (warn and above): ${connector.logs.count}; first:\n${connector.logs.first.join('\n')}`,
    );
  segment.close();
  await ctMock.app.close();
}

main().catch((error: unknown) => {
  console.error('soak failed:', error);
  killLiveChildren();
  process.exit(1);
});
