/**
 * `npm run bench:backfill [-- --orders 2000 --customers 400 --concurrency 4 --rate 0 --segment-latency-ms 0]`
 *
 * A full backfill (customers, then orders) against loopback stand-ins: the commercetools mock
 * seeded with generated customers and orders (registered, guests with and without a registered
 * email, imported orders, some skipped), and a Segment stand-in that counts and answers. Uses
 * the real engine, commercetools client and Segment sink, and prints resources/s and events/s.
 * `--rate 0` (the default here) leaves the rate unlimited, to measure the engine; the CLI's
 * default is 500 events/s. The mock does real work per request (it clones and filters every
 * stored resource on each query), so the figure is a floor for the engine, not a ceiling.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config';
import { createConnectorDependencies } from '../src/dependencies';
import { BACKFILL_COMMERCETOOLS_LIMITS, BACKFILL_SEGMENT_LIMITS } from '../src/cli/backfill';
import { runBackfill, systemClock, type BackfillProgress } from '../src/tools/backfill';
import { generateBackfillData, seedBackfillData, startBackfillCommercetools } from '../test/support/backfill-data';
import { startSegmentStandIn } from './standins';

const PROJECT_KEY = 'bench-project';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '2000' },
      customers: { type: 'string', default: '400' },
      concurrency: { type: 'string', default: '4' },
      rate: { type: 'string', default: '0' },
      'page-size': { type: 'string', default: '500' },
      'segment-latency-ms': { type: 'string', default: '0' },
    },
  });
  const orders = Number(values.orders);
  const customers = Number(values.customers);
  const concurrency = Number(values.concurrency);
  const rate = Number(values.rate);
  const pageSize = Number(values['page-size']);
  const segmentLatencyMs = Number(values['segment-latency-ms']);

  const requests = { pages: 0, lookups: 0, other: 0 };
  const commercetools = await startBackfillCommercetools(PROJECT_KEY, {
    onRequest(url) {
      if (/\/(orders|customers)\?.*sort=/.test(url)) requests.pages += 1;
      else if (url.includes('lowercaseEmail')) requests.lookups += 1;
      else requests.other += 1;
    },
  });
  const segment = await startSegmentStandIn({ latencyMs: segmentLatencyMs });

  const seedStarted = Date.now();
  const data = generateBackfillData(PROJECT_KEY, customers, orders);
  await seedBackfillData(commercetools, data);
  const kinds = new Map<string, number>();
  for (const order of data.orders) kinds.set(order.kind, (kinds.get(order.kind) ?? 0) + 1);
  console.log(`seeded ${customers} customers and ${orders} orders in ${Date.now() - seedStarted} ms`);
  console.log(`  orders: ${[...kinds].map(([kind, count]) => `${kind} ${count}`).join(', ')}`);

  const config = loadConfig({
    CTP_PROJECT_KEY: PROJECT_KEY,
    CTP_CLIENT_ID: 'bench',
    CTP_CLIENT_SECRET: 'bench-secret',
    CTP_API_URL: commercetools.url,
    CTP_AUTH_URL: commercetools.url,
    SEGMENT_WRITE_KEY: 'bench-key',
    SEGMENT_HOST: segment.url,
  });
  // Wired as `npm run backfill` wires it.
  const dependencies = createConnectorDependencies(config, {
    commercetoolsLimits: BACKFILL_COMMERCETOOLS_LIMITS,
    segmentLimits: BACKFILL_SEGMENT_LIMITS,
  });
  const sink = dependencies.segment;
  requests.pages = 0;
  requests.lookups = 0;
  requests.other = 0;
  segment.resetCounts();

  let last: BackfillProgress | undefined;
  const summary = await runBackfill(
    dependencies,
    {
      resourceTypes: ['customer', 'order'],
      dryRun: false,
      concurrency,
      eventsPerSecond: rate > 0 ? rate : Number.MAX_SAFE_INTEGER,
      pageSize,
    },
    {
      clock: systemClock,
      output: {
        progress: (progress) => {
          last = progress;
        },
        notice: (notice) => console.log(`  notice: ${notice.message}`),
      },
    },
  );
  await sink.close(5_000);
  const received = segment.counts();

  const { run } = summary;
  const order = summary.counts.order;
  const customer = summary.counts.customer;
  console.log(
    `\nbackfill ${summary.status}: concurrency ${concurrency}, rate ${rate > 0 ? `${rate} events/s` : 'unlimited'}, page size ${pageSize}, Segment latency ${segmentLatencyMs} ms`,
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
  console.log(
    `  commercetools: ${requests.pages} page reads, ${requests.lookups} guest look-ups, ${requests.other} other (token)`,
  );
  if (last && last.events !== run.events) console.log(`  (last progress: ${JSON.stringify(last)})`);

  await segment.close();
  await commercetools.close();
}

main().catch((error: unknown) => {
  console.error(error);
  // The stand-ins may still be listening.
  process.exit(1);
});
