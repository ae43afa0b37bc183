/**
 * The backfill bench's commercetools, in a process of its own so that its work (the mock clones
 * and filters every stored resource on each query) does not share the engine's CPU. Seeds the
 * generated customers and orders, tells the parent its URL over IPC, and answers `counts`
 * messages with the requests it has seen.
 */
import { generateBackfillData, seedBackfillData, startBackfillCommercetools } from '../test/support/backfill-data';

async function main(): Promise<void> {
  const [projectKey = 'bench-project', customers = '400', orders = '2000'] = process.argv.slice(2);
  const requests = { pages: 0, lookups: 0, other: 0 };
  const commercetools = await startBackfillCommercetools(projectKey, {
    onRequest(url) {
      if (/\/(orders|customers|business-units)\?.*sort=/.test(url)) requests.pages += 1;
      else if (url.includes('lowercaseEmail')) requests.lookups += 1;
      else requests.other += 1;
    },
  });
  const data = generateBackfillData(projectKey, Number(customers), Number(orders));
  await seedBackfillData(commercetools, data);
  const kinds: Record<string, number> = {};
  for (const order of data.orders) kinds[order.kind] = (kinds[order.kind] ?? 0) + 1;
  process.on('message', (message) => {
    if (message === 'counts') process.send?.({ type: 'counts', requests });
    if (message === 'reset') Object.assign(requests, { pages: 0, lookups: 0, other: 0 });
  });
  process.send?.({ type: 'ready', url: commercetools.url, kinds });
  process.once('SIGTERM', () => void commercetools.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error('backfill mock failed:', error);
  process.exit(1);
});
