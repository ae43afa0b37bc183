/**
 * `npm run bench:backfill [-- --orders 2000 --customers 400 --concurrency 4 --rate 0 --segment-latency-ms 0 --shards 1]`
 *
 * A full backfill (customers, then orders) against loopback stand-ins: the commercetools mock
 * seeded with generated customers and orders (registered, guests with and without a registered
 * email, imported orders, some skipped), and a Segment stand-in that counts and answers. Uses
 * the real engine, commercetools client and Segment sink, and prints resources/s and events/s.
 * `--rate 0` (the default here) leaves the rate unlimited, to measure the engine; the CLI's
 * default is 500 events/s. The mock does real work per request (it clones and filters every
 * stored resource on each query), so the figure is a floor for the engine, not a ceiling; it runs
 * in a process of its own, and the engine CPU printed is this process's alone. `--shards N` runs N
 * shards of the id space side by side, each wired as its own `npm run backfill` would be.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { createConnectorDependencies } from '../src/dependencies';
import { BACKFILL_COMMERCETOOLS_LIMITS, BACKFILL_SEGMENT_LIMITS } from '../src/cli/backfill';
import { runBackfill, systemClock } from '../src/tools/backfill';
import { startSegmentStandIn } from './standins';

const PROJECT_KEY = 'bench-project';

/** The next IPC message of this type from the child. */
function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if ((message as { type?: string }).type !== type) return;
      child.off('message', onMessage);
      resolve(message as T);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`the commercetools mock exited (${code})`)));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '2000' },
      customers: { type: 'string', default: '400' },
      concurrency: { type: 'string', default: '4' },
      rate: { type: 'string', default: '0' },
      'page-size': { type: 'string', default: '500' },
      'segment-latency-ms': { type: 'string', default: '0' },
      shards: { type: 'string', default: '1' },
    },
  });
  const orders = Number(values.orders);
  const customers = Number(values.customers);
  const concurrency = Number(values.concurrency);
  const rate = Number(values.rate);
  const pageSize = Number(values['page-size']);
  const segmentLatencyMs = Number(values['segment-latency-ms']);
  const shards = Number(values.shards);

  const mock = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'backfill-mock.ts'), PROJECT_KEY, String(customers), String(orders)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const seedStarted = Date.now();
  const ready = await nextMessage<{ url: string; kinds: Record<string, number> }>(mock, 'ready');
  console.log(
    `seeded ${customers} customers and ${orders} orders in ${Date.now() - seedStarted} ms (commercetools mock in its own process)`,
  );
  console.log(
    `  orders: ${Object.entries(ready.kinds)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ')}`,
  );
  const commercetools = { url: ready.url };
  const segment = await startSegmentStandIn({ latencyMs: segmentLatencyMs });

  const config = loadConfig({
    CTP_PROJECT_KEY: PROJECT_KEY,
    CTP_CLIENT_ID: 'bench',
    CTP_CLIENT_SECRET: 'bench-secret',
    CTP_API_URL: commercetools.url,
    CTP_AUTH_URL: commercetools.url,
    SEGMENT_WRITE_KEY: 'bench-key',
    SEGMENT_HOST: segment.url,
  });
  segment.resetCounts();
  mock.send('reset');

  // Each shard wired as `npm run backfill` wires it; with --shards N they run side by side.
  const started = Date.now();
  const cpuBefore = process.cpuUsage();
  const summaries = await Promise.all(
    Array.from({ length: shards }, async (_, index) => {
      const dependencies = createConnectorDependencies(config, {
        commercetoolsLimits: BACKFILL_COMMERCETOOLS_LIMITS,
        segmentLimits: BACKFILL_SEGMENT_LIMITS,
      });
      const result = await runBackfill(
        dependencies,
        {
          resourceTypes: ['customer', 'order'],
          dryRun: false,
          concurrency,
          eventsPerSecond: rate > 0 ? rate : Number.MAX_SAFE_INTEGER,
          pageSize,
          ...(shards > 1 ? { shard: { index, count: shards } } : {}),
        },
        {
          clock: systemClock,
          output: { progress: () => undefined, notice: (notice) => console.log(`  notice: ${notice.message}`) },
        },
      );
      await dependencies.segment.close(5_000);
      return result;
    }),
  );
  const wallSeconds = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const received = segment.counts();
  const requests = (
    await (mock.send('counts'),
    nextMessage<{ requests: { pages: number; lookups: number; other: number } }>(mock, 'counts'))
  ).requests;
  const summary = summaries.reduce((all, part) => ({
    ...all,
    counts: Object.fromEntries(
      Object.entries(all.counts).map(([type, counts]) => {
        const other = part.counts[type as keyof typeof part.counts];
        const add = (a: Record<string, number>, b: Record<string, number>) =>
          Object.fromEntries(
            [...new Set([...Object.keys(a), ...Object.keys(b)])].map((key) => [key, (a[key] ?? 0) + (b[key] ?? 0)]),
          );
        return [
          type,
          {
            processed: counts.processed + other.processed,
            sent: counts.sent + other.sent,
            events: counts.events + other.events,
            skipped: add(counts.skipped, other.skipped),
            failed: add(counts.failed, other.failed),
          },
        ];
      }),
    ) as typeof all.counts,
    run: { ...all.run, resources: all.run.resources + part.run.resources, events: all.run.events + part.run.events },
  }));
  summary.run.durationSeconds = Math.round(wallSeconds * 100) / 100;
  summary.run.eventsPerSecond = Math.round((summary.run.events / wallSeconds) * 10) / 10;
  summary.run.resourcesPerSecond = Math.round((summary.run.resources / wallSeconds) * 10) / 10;

  const { run } = summary;
  const order = summary.counts.order;
  const customer = summary.counts.customer;
  console.log(
    `\nbackfill ${summary.status}: ${shards > 1 ? `${shards} shards side by side, ` : ''}concurrency ${concurrency}, rate ${rate > 0 ? `${rate} events/s` : 'unlimited'}, page size ${pageSize}, Segment latency ${segmentLatencyMs} ms`,
  );
  console.log(
    `  customers: ${customer.processed} read, ${customer.sent} sent (${customer.events} events), skipped ${JSON.stringify(customer.skipped)}, failed ${JSON.stringify(customer.failed)}`,
  );
  console.log(
    `  orders:    ${order.processed} read, ${order.sent} sent (${order.events} events), skipped ${JSON.stringify(order.skipped)}, failed ${JSON.stringify(order.failed)}`,
  );
  console.log(`  duration:  ${run.durationSeconds} s`);
  console.log(`  resources: ${run.resourcesPerSecond} /s (${run.resources})`);
  console.log(
    `  events:    ${run.eventsPerSecond} /s (${run.events}; Segment received ${received.events} in ${received.requests} requests, ${(received.events / Math.max(1, received.requests)).toFixed(1)} per request)`,
  );
  const resources = Math.max(1, run.resources);
  console.log(
    `  commercetools: ${requests.pages} page reads, ${requests.lookups} guest look-ups, ${requests.other} other (token); ` +
      `${((requests.pages + requests.lookups + requests.other) / resources).toFixed(4)} requests per resource`,
  );
  console.log(
    `  engine CPU: ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s for ${run.events} events = ${((cpu.user + cpu.system) / Math.max(1, run.events)).toFixed(0)} µs per event (the mock's CPU is not counted)`,
  );

  await segment.close();
  mock.kill('SIGTERM');
}

main().catch((error: unknown) => {
  console.error(error);
  // The stand-ins may still be listening.
  process.exit(1);
});
