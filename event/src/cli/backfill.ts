/**
 * `npm run backfill -- [--customers] [--business-units] [--orders] [--since DATE] [--until DATE] [--store KEY]
 *   [--dry-run] [--concurrency N] [--rate EVENTS_PER_S] [--resume FILE] [--shard K/N] [--retry-failed]`
 *
 * Configuration and printing only: the options come from backfill-args.ts, the work from src/tools/backfill/.
 */
import { resolve } from 'node:path';
import type { CommercetoolsClientLimits } from '../commercetools/client';
import { createConnectorDependencies, type ConnectorDependencies } from '../dependencies';
import { entryEnvironment, loadEntryConfig, runCommand } from '../entry';
import { DEFAULT_SEGMENT_LIMITS, type SegmentSinkLimits } from '../segment/sink';
import { BackfillCheckpointError, runBackfill, systemClock, type BackfillSummary } from '../tools/backfill';
import { describeShard } from '../tools/backfill/shards';
import { createBarReporter, createJsonLinesReporter, type ProgressReporter } from '../tools/progress';

import { parseBackfillArgs, USAGE, type BackfillCommand } from './backfill-args';
import { exitCodeOf, formatSummary } from './backfill-summary';

export { UsageError } from '../entry';
export { parseBackfillArgs, parseDate, USAGE, type BackfillCommand } from './backfill-args';
export { exitCodeOf, formatSummary } from './backfill-summary';

/** A backfill is not on Pub/Sub's clock: longer timeouts for pages of 500 orders, more retries. */
export const BACKFILL_COMMERCETOOLS_LIMITS: CommercetoolsClientLimits = {
  timeoutMs: 30_000,
  maxRetries: 1,
  retryDelayMs: 250,
};
export const BACKFILL_SEGMENT_LIMITS: SegmentSinkLimits = {
  ...DEFAULT_SEGMENT_LIMITS,
  httpRequestTimeoutMs: 10_000,
  maxRetries: 3,
  maxTotalBackoffSeconds: 30,
  maxRateLimitSeconds: 30,
};

/**
 * Releases the sink, then flushes the metrics (and traces): with an export configured, the run's
 * last counts reach the collector before the process ends (a periodic export would otherwise lose them).
 */
async function release(dependencies: ConnectorDependencies, segmentTimeoutMs: number): Promise<void> {
  await dependencies.segment.close(segmentTimeoutMs).catch(() => undefined);
  await dependencies.metrics.shutdown().catch((error: unknown) => {
    process.stderr.write(
      `backfill: the metrics could not be exported: ${error instanceof Error ? error.message : 'unknown'}\n`,
    );
  });
  await dependencies.tracing.shutdown().catch(() => undefined);
}

async function main(argv: string[]): Promise<number> {
  let command: BackfillCommand | 'help';
  try {
    command = parseBackfillArgs(argv, process.env);
  } catch (error) {
    process.stderr.write(`backfill: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  // npm run starts scripts in event/: a relative --resume FILE is meant from where the user typed it.
  const options = command.options.checkpointFile
    ? {
        ...command.options,
        checkpointFile: resolve(process.env.INIT_CWD ?? process.cwd(), command.options.checkpointFile),
      }
    : command.options;

  const loaded = loadEntryConfig(entryEnvironment(), { name: 'backfill' });
  if (loaded.kind === 'invalid') return 2;
  const { config } = loaded;

  const dependencies = createConnectorDependencies(config, {
    commercetoolsLimits: BACKFILL_COMMERCETOOLS_LIMITS,
    segmentLimits: BACKFILL_SEGMENT_LIMITS,
  });
  const onTerminal = process.stderr.isTTY === true;
  const reporter: ProgressReporter = onTerminal
    ? createBarReporter(process.stderr)
    : createJsonLinesReporter((line) => process.stdout.write(line), command.progressIntervalSeconds * 1000);

  const types = options.resourceTypes
    .map((type) => (type === 'business-unit' ? 'business units' : `${type}s`))
    .join(' and ');
  const scope = [
    options.since && `created on or after ${options.since}`,
    options.until && `created before ${options.until}`,
    options.store && `of store ${options.store}`,
    options.shard && `in shard ${describeShard(options.shard)}`,
  ].filter(Boolean);
  const start = {
    type: 'start',
    projectKey: config.commercetools.projectKey,
    segmentHost: config.segment.host,
    resourceTypes: options.resourceTypes,
    since: options.since ?? null,
    until: options.until ?? null,
    store: options.store ?? null,
    shard: options.shard ? describeShard(options.shard) : null,
    dryRun: options.dryRun,
    concurrency: options.concurrency,
    eventsPerSecond: options.eventsPerSecond,
    ...(options.checkpointFile ? { checkpoint: options.checkpointFile } : {}),
  };
  if (onTerminal) {
    process.stderr.write(
      `Backfill of the ${types}${scope.length ? ` ${scope.join(', ')}` : ''} of project ${config.commercetools.projectKey} to ${config.segment.host}` +
        `${options.dryRun ? ' — DRY RUN: nothing is sent' : ''} (Ctrl-C stops after the current page)\n`,
    );
  } else {
    process.stdout.write(`${JSON.stringify(start)}\n`);
  }

  // First Ctrl-C (or Connect's SIGTERM): finish and checkpoint the page in progress, then stop.
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      process.stderr.write(
        `\n${signal} again: quitting now; the page in progress is not checkpointed and will be sent again on resume\n`,
      );
      process.exit(130);
    }
    reporter.notice({
      type: 'notice',
      kind: 'stopping',
      signal,
      message: `${signal}: stopping after the current page (again to quit at once)`,
    });
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let summary: BackfillSummary;
  try {
    summary = await runBackfill(dependencies, options, { output: reporter, clock: systemClock, signal: stop.signal });
  } catch (error) {
    reporter.stop();
    await release(dependencies, 1_000);
    if (error instanceof BackfillCheckpointError || error instanceof RangeError) {
      process.stderr.write(`backfill: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  reporter.stop();
  // Every event was awaited already: this releases the sink and flushes the metrics.
  await release(dependencies, 5_000);
  if (!onTerminal) process.stdout.write(`${JSON.stringify({ type: 'summary', ...summary })}\n`);
  process.stdout.write(formatSummary(summary, options.checkpointFile));
  return exitCodeOf(summary);
}

if (require.main === module) {
  runCommand('backfill', () => main(process.argv.slice(2)));
}
