import { join } from 'node:path';
import { loadConfig } from '../../src/config';
import { createConnectorDependencies } from '../../src/dependencies';
import { noopMetrics, type Metrics } from '../../src/telemetry/metrics';
import { runBackfill, systemClock, type BackfillOptions } from '../../src/tools/backfill';
import { inShard, type Shard } from '../../src/tools/backfill/shards';
import type { SeededResource } from '../support/backfill-data';
import { startBackfillStandIns, type BackfillStandIns } from '../support/backfill-stand-ins';
import { runCli } from '../support/cli';
import { startOtlpCollector, sumPointsOf } from '../support/otlp-collector';

/**
 * `connector.backfill.resources`: what a run read, sent, skipped and failed, by shard, counted
 * exactly, from the engine (a recording Metrics) and from the command line (OTLP, flushed on exit).
 */

jest.setTimeout(60_000);

const PROJECT_KEY = 'backfill-metrics-project';
const CUSTOMERS = 30;
const ORDERS = 60;

const environment = () => standIns.environment();

/** Metrics that keep the backfill counts as `shard result → count`; everything else is dropped. */
function recordingMetrics(): { metrics: Metrics; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  return {
    counts,
    metrics: {
      ...noopMetrics,
      backfillResources(shard, result, count) {
        counts[`${shard} ${result}`] = (counts[`${shard} ${result}`] ?? 0) + count;
      },
    },
  };
}

async function backfill(metrics: Metrics, options: Partial<BackfillOptions> = {}) {
  const dependencies = createConnectorDependencies(loadConfig(environment()));
  try {
    return await runBackfill(
      { ...dependencies, metrics },
      {
        resourceTypes: ['customer', 'order'],
        dryRun: false,
        concurrency: 4,
        eventsPerSecond: 1_000_000,
        pageSize: 7,
        retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
        ...options,
      },
      { clock: systemClock, output: { notice: () => undefined, progress: () => undefined } },
    );
  } finally {
    await dependencies.segment.close(1_000);
  }
}

/** What a run over these resources should count, by result. */
function expectedCounts(resources: SeededResource[], failing: Set<string> = new Set()) {
  const sent = resources.filter((resource) => 'messageIds' in resource.expected);
  return {
    read: resources.length,
    sent: sent.filter((resource) => !failing.has(resource.id)).length,
    skipped: resources.length - sent.length,
    failed: sent.filter((resource) => failing.has(resource.id)).length,
  };
}

const labelled = (shard: string, counts: Record<string, number>) =>
  Object.fromEntries(
    Object.entries(counts)
      .filter(([, count]) => count > 0)
      .map(([result, count]) => [`${shard} ${result}`, count]),
  );

const all = () => [...standIns.data.customers, ...standIns.data.orders];
const inShardOf = (shard: Shard) => all().filter((resource) => inShard(resource.id, shard));

let standIns: BackfillStandIns;

beforeAll(async () => {
  standIns = await startBackfillStandIns(PROJECT_KEY, { customers: CUSTOMERS, orders: ORDERS });
});

afterEach(() => standIns.segment.reset());

afterAll(() => standIns.close());

describe('backfill counts by shard', () => {
  it('counts what a shard read, sent, skipped and failed, exactly as its summary does', async () => {
    const shard = { index: 1, count: 2 };
    const resources = inShardOf(shard);
    // Segment refuses the events of every third order of the shard that has events to send.
    const refused = new Set(
      resources
        .filter((resource) => resource.typeId === 'order' && 'messageIds' in resource.expected)
        .filter((_, n) => n % 3 === 0)
        .map((resource) => resource.id),
    );
    standIns.segment.refuseEvents((event) => refused.has(String(event.properties?.order_id)));
    const { metrics, counts } = recordingMetrics();

    const summary = await backfill(metrics, { shard });

    expect(refused.size).toBeGreaterThan(0);
    expect(counts).toEqual(labelled('1/2', expectedCounts(resources, refused)));
    const { customer, order } = summary.counts;
    const skipped = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);
    expect(counts).toEqual(
      labelled('1/2', {
        read: customer.processed + order.processed,
        sent: customer.sent + order.sent,
        skipped: skipped(customer.skipped) + skipped(order.skipped),
        failed: summary.failures.length,
      }),
    );
  });

  it('a run of the whole id space is shard 0/1; retried failures count as read again and as what became of them', async () => {
    const file = join(standIns.workDir, 'checkpoint.json');
    const customers = standIns.data.customers.filter((customer) => 'messageIds' in customer.expected);
    const refused = new Set(customers.slice(0, 4).map((customer) => customer.id));
    standIns.segment.refuseEvents((event) => refused.has(String(event.userId)));
    const first = recordingMetrics();
    await backfill(first.metrics, { resourceTypes: ['customer'], checkpointFile: file });
    expect(first.counts).toEqual(labelled('0/1', expectedCounts(standIns.data.customers, refused)));

    standIns.segment.reset();
    const retried = recordingMetrics();
    await backfill(retried.metrics, { resourceTypes: ['customer'], checkpointFile: file, retryFailedOnly: true });
    expect(retried.counts).toEqual({ '0/1 read': refused.size, '0/1 sent': refused.size });
  });
});

describe('the command line', () => {
  const run = (args: string[], env: Record<string, string>) => runCli('backfill', args, { cwd: standIns.workDir, env });

  it('flushes the counts to the OTLP collector before it exits', async () => {
    const collector = await startOtlpCollector();
    try {
      const shard = { index: 0, count: 3 };
      // The export interval is a minute: only the flush on exit can have sent anything.
      const result = await run(['--shard', '0/3', '--page-size', '10'], {
        ...environment(),
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(collector.received.map((captured) => captured.path)).toEqual(['/v1/metrics']);
      const backfilled = collector.metrics().find((metric) => metric.name === 'connector.backfill.resources');
      const expected = expectedCounts(inShardOf(shard));
      expect(sumPointsOf(backfilled)).toEqual(
        expect.arrayContaining(
          Object.entries(expected)
            .filter(([, count]) => count > 0)
            .map(([result, value]) => ({ shard: '0/3', result, value })),
        ),
      );
      expect(sumPointsOf(backfilled)).toHaveLength(Object.values(expected).filter((count) => count > 0).length);
    } finally {
      await collector.close();
    }
  });
});
