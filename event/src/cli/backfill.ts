/**
 * `npm run backfill -- [--customers] [--business-units] [--orders] [--since DATE] [--until DATE] [--store KEY]
 *   [--dry-run] [--concurrency N] [--rate EVENTS_PER_S] [--resume FILE] [--shard K/N] [--retry-failed]`
 *
 * Arguments, configuration and printing only; the work is done by src/tools/backfill.ts.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import type { CommercetoolsClientLimits } from '../commercetools/client';
import { ConfigError, loadConfig, type Config } from '../config';
import { createConnectorDependencies } from '../dependencies';
import { DEFAULT_SEGMENT_LIMITS, type SegmentSinkLimits } from '../segment/sink';
import {
  BackfillCheckpointError,
  MAX_PAGE_SIZE,
  runBackfill,
  systemClock,
  type BackfillOptions,
  type BackfillResourceType,
  type BackfillSummary,
} from '../tools/backfill';
import { describeShard, parseShard, shardFromEnvironment, ShardError, type Shard } from '../tools/backfill/shards';
import { createBarReporter, createJsonLinesReporter, type ProgressReporter } from '../tools/progress';
import { runCommand } from './run';

export const USAGE = `usage: npm run backfill -- [--customers] [--business-units] [--orders] [--since DATE] [--until DATE] [--store KEY]
                            [--dry-run] [--concurrency N] [--rate EVENTS_PER_S] [--resume FILE] [--shard K/N] [--retry-failed]

Sends existing commercetools customers (identify + Signed Up) and orders (guest identify + Order
Completed) to Segment, through the same mappers and sink as the live connector: every event has
the messageId the live path gives it, so running twice, or alongside the live connector, does not
duplicate it in Segment (Segment drops a repeated messageId for about 24 hours; after that a
re-run is stored again by destinations that do not deduplicate themselves).

Later lifecycle events (Order Updated, Cancelled, Paid, Shipped, Delivered, Refunded) are not
backfilled: their live messageIds are made of the commercetools message ids (and order versions)
of changes that history no longer holds, so they could not be deduplicated against live traffic.

Deploy the live connector first: resources created while the backfill runs are then sent by it.

  --customers            customers (no type flag: customers, then orders)
  --business-units       business units: a group call per associate (GROUP_BUSINESS_UNITS)
  --orders               orders (flags add up: --customers --business-units --orders does all three)
  --since DATE           createdAt on or after DATE (2026-01-31 = midnight UTC, or an ISO time with offset)
  --until DATE           createdAt before DATE
  --store KEY            only resources of this store
  --dry-run              read and plan everything, count what would be sent, send nothing
  --concurrency N        resources planned at once; a guest order's plan reads commercetools (default 4)
  --rate EVENTS_PER_S    at most this many events per second to Segment (default 500; Segment
                         advises at most about 1,000 requests per second per workspace)
  --resume FILE          write a checkpoint to FILE after every page; when FILE exists, retry the
                         resources it lists as failed, then continue after it (the other options
                         must be the same as when it was written); with shards, FILE names
                         {shard}, e.g. backfill-{shard}.json, so each shard keeps its own
  --page-size N          resources per commercetools page (1-${MAX_PAGE_SIZE}, default ${MAX_PAGE_SIZE})
  --progress-interval S  without a terminal: a JSON progress line every S seconds (default 10)
  --shard K/N            only the K-th of N equal parts of the id space (0 <= K < N); run N of these
                         side by side. Without it, a job runner's task index picks the shard:
                         CLOUD_RUN_TASK_INDEX of CLOUD_RUN_TASK_COUNT (Cloud Run Jobs), or
                         JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs) of --shards N or BACKFILL_SHARDS
  --shards N             the number of shards, with a Kubernetes Indexed Job's JOB_COMPLETION_INDEX
  --retry-failed         with --resume: only retry the resources the checkpoint lists as failed
  -h, --help             this text

Configuration: the connector's own environment (or .env): CTP_* and SEGMENT_* variables, event
names and switches, ANONYMOUS_ID_FALLBACK, CONSENT_CUSTOM_FIELD_NAME, LOCALE.

Exit codes: 0 done, nothing failed; 1 some resources failed (listed) or a page could not be read
(resume to continue); 2 usage, configuration or checkpoint error; 130 stopped by Ctrl-C or SIGTERM
(resumable with --resume).
`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface BackfillCommand {
  options: BackfillOptions;
  progressIntervalSeconds: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TIME_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** A day (midnight UTC) or a time with its offset, as commercetools' createdAt (ISO 8601, UTC). */
function shardOf(
  flag: string | undefined,
  count: string | undefined,
  environment: NodeJS.ProcessEnv,
): Shard | undefined {
  try {
    if (flag !== undefined) {
      if (count !== undefined) throw new UsageError('give --shard K/N or --shards N, not both');
      return parseShard(flag);
    }
    const shards = count === undefined ? undefined : Number(count);
    if (shards !== undefined && (!Number.isInteger(shards) || shards < 1))
      throw new UsageError('--shards must be a whole number');
    const fromRunner = shardFromEnvironment(environment, shards);
    if (shards !== undefined && !fromRunner && shards > 1) {
      throw new UsageError(
        '--shards N needs a job runner task index (JOB_COMPLETION_INDEX or CLOUD_RUN_TASK_INDEX); or give --shard K/N',
      );
    }
    return fromRunner;
  } catch (error) {
    if (error instanceof ShardError) throw new UsageError(error.message);
    throw error;
  }
}

export function parseDate(flag: string, text: string): string {
  const trimmed = text.trim();
  if (!DAY.test(trimmed) && !TIME_WITH_OFFSET.test(trimmed)) {
    throw new UsageError(
      `${flag} must be a date (2026-01-31) or a time with its offset (2026-01-31T12:00:00Z), got "${text}"`,
    );
  }
  const time = new Date(DAY.test(trimmed) ? `${trimmed}T00:00:00.000Z` : trimmed);
  if (Number.isNaN(time.getTime())) throw new UsageError(`${flag} is not a valid date: "${text}"`);
  return time.toISOString();
}

function parseNumber(
  flag: string,
  text: string | undefined,
  fallback: number,
  { integer, max }: { integer: boolean; max?: number },
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  const valid =
    text.trim() !== '' &&
    Number.isFinite(value) &&
    value > 0 &&
    (!integer || Number.isInteger(value)) &&
    (max === undefined || value <= max);
  if (!valid)
    throw new UsageError(
      `${flag} must be a positive ${integer ? 'integer' : 'number'}${max ? ` up to ${max}` : ''}, got "${text}"`,
    );
  return value;
}

/** The command line as backfill options; 'help' for --help. Throws UsageError. */
/**
 * The options of a command line. The shard comes from `--shard K/N`, else from the job runner's
 * task index in `environment` (Cloud Run Jobs, Kubernetes Indexed Jobs).
 */
export function parseBackfillArgs(argv: string[], environment: NodeJS.ProcessEnv = {}): BackfillCommand | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        customers: { type: 'boolean' },
        'business-units': { type: 'boolean' },
        orders: { type: 'boolean' },
        since: { type: 'string' },
        until: { type: 'string' },
        store: { type: 'string' },
        'dry-run': { type: 'boolean' },
        concurrency: { type: 'string' },
        rate: { type: 'string' },
        resume: { type: 'string' },
        'page-size': { type: 'string' },
        'progress-interval': { type: 'string' },
        shard: { type: 'string' },
        shards: { type: 'string' },
        'retry-failed': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help) return 'help';

  const chosen: [boolean | undefined, BackfillResourceType][] = [
    [values.customers, 'customer'],
    [values['business-units'], 'business-unit'],
    [values.orders, 'order'],
  ];
  const resourceTypes: BackfillResourceType[] = chosen.some(([flag]) => flag)
    ? chosen.filter(([flag]) => flag).map(([, type]) => type)
    : ['customer', 'order'];
  const since = values.since === undefined ? undefined : parseDate('--since', values.since);
  const until = values.until === undefined ? undefined : parseDate('--until', values.until);
  if (since && until && since >= until) throw new UsageError('--since must be before --until');
  const store = values.store?.trim();
  if (values.store !== undefined && !store) throw new UsageError('--store needs a store key');
  const resumeText = values.resume?.trim();
  if (values.resume !== undefined && !resumeText) throw new UsageError('--resume needs a file name');
  const shard = shardOf(values.shard, values.shards, environment);
  // One checkpoint per shard: {shard} in the file name becomes K-of-N.
  const resume =
    resumeText && shard ? resumeText.replaceAll('{shard}', `${shard.index}-of-${shard.count}`) : resumeText;
  if (resumeText?.includes('{shard}') && !shard) throw new UsageError('--resume names {shard}, but no shard is given');
  if (shard && resumeText && !resumeText.includes('{shard}')) {
    throw new UsageError(
      '--resume must name {shard} when shards run (each shard keeps its own checkpoint), e.g. --resume backfill-{shard}.json',
    );
  }
  const retryFailed = values['retry-failed'] === true;
  if (retryFailed && !resume)
    throw new UsageError('--retry-failed needs --resume FILE: the failed ids are in the checkpoint');

  return {
    options: {
      resourceTypes,
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      ...(store ? { store } : {}),
      dryRun: values['dry-run'] === true,
      concurrency: parseNumber('--concurrency', values.concurrency, 4, { integer: true, max: 64 }),
      eventsPerSecond: parseNumber('--rate', values.rate, 500, { integer: false }),
      pageSize: parseNumber('--page-size', values['page-size'], MAX_PAGE_SIZE, { integer: true, max: MAX_PAGE_SIZE }),
      ...(resume ? { checkpointFile: resume } : {}),
      ...(shard ? { shard } : {}),
      ...(retryFailed ? { retryFailedOnly: true } : {}),
      countTotals: true,
    },
    progressIntervalSeconds: parseNumber('--progress-interval', values['progress-interval'], 10, { integer: false }),
  };
}

/** Failures printed in the summary; the checkpoint holds them all. */
const MAX_PRINTED_FAILURES = 50;

/** 0 done and nothing failed; 1 failures or a page that could not be read; 130 stopped on request. */
export function exitCodeOf(summary: BackfillSummary): number {
  const failed = summary.resourceTypes.some((type) => Object.keys(summary.counts[type].failed).length > 0);
  if (summary.status === 'aborted' || failed) return 1;
  if (summary.status === 'interrupted') return 130;
  return 0;
}

const plural = (count: number, word: string) => `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;
const reasons = (record: Record<string, number>) =>
  Object.entries(record)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, count]) => `${reason} ${count.toLocaleString('en-US')}`)
    .join(', ');

/** The human-readable end of a run. */
export function formatSummary(summary: BackfillSummary, checkpointFile?: string): string {
  const verb = summary.dryRun ? 'would send' : 'sent';
  const title = {
    completed: 'Backfill completed',
    interrupted: 'Backfill stopped before the end',
    aborted: 'Backfill aborted',
  }[summary.status];
  const shard = summary.shard ? ` (shard ${summary.shard})` : '';
  const lines = [`${title}${shard}${summary.dryRun ? ' (dry run: nothing was sent to Segment)' : ''}.`];
  for (const type of summary.resourceTypes) {
    const counts = summary.counts[type];
    const label = { customer: 'customers', 'business-unit': 'units    ', order: 'orders   ' }[type];
    if (summary.disabled.includes(type)) {
      lines.push(`  ${label}  not read: their events are switched off`);
      continue;
    }
    const skipped = Object.values(counts.skipped).reduce((a, b) => a + b, 0);
    const failed = Object.values(counts.failed).reduce((a, b) => a + b, 0);
    lines.push(
      `  ${label}  ${counts.processed.toLocaleString('en-US')} read: ${verb} ${counts.sent.toLocaleString('en-US')} (${plural(counts.events, 'event')}), ` +
        `skipped ${skipped.toLocaleString('en-US')}${skipped ? ` (${reasons(counts.skipped)})` : ''}, ` +
        `failed ${failed.toLocaleString('en-US')}${failed ? ` (${reasons(counts.failed)})` : ''}`,
    );
  }
  const { run } = summary;
  lines.push(
    `  this run   ${plural(run.resources, 'resource')}, ${plural(run.events, 'event')} in ${run.durationSeconds} s ` +
      `(${run.eventsPerSecond} events/s, ${run.resourcesPerSecond} resources/s), ${plural(run.pages, 'page')}, ${plural(run.retries, 'retry')}`.replace(
        'retrys',
        'retries',
      ),
  );
  if (summary.resumedFrom) {
    const { resourceType, lastId } = summary.resumedFrom;
    lines.push(
      `  resumed    ${lastId ? `after ${resourceType} ${lastId}` : `at the first ${resourceType}`} (counts above include the earlier runs)`,
    );
  }
  if (summary.failures.length > 0) {
    lines.push(
      checkpointFile
        ? `  failed resources (all are in ${checkpointFile}; --resume retries them first, --retry-failed only them):`
        : '  failed resources (inspect one with npm run preview -- <type> <id>; a re-run sends them with the same messageIds):',
    );
    const shown = summary.failures.slice(0, MAX_PRINTED_FAILURES);
    for (const failure of shown) lines.push(`    ${failure.resourceType} ${failure.id}: ${failure.reason}`);
    const listed = shown.length;
    const total = summary.resourceTypes.reduce(
      (all, type) => all + Object.values(summary.counts[type].failed).reduce((a, b) => a + b, 0),
      0,
    );
    if (total > listed) lines.push(`    … and ${total - listed} more`);
  }
  if (summary.error) lines.push(`  error      ${summary.error}`);
  if (summary.status !== 'completed') {
    const { resourceType, lastId } = summary.position;
    const where = lastId ? `after ${resourceType} ${lastId}` : `at the first ${resourceType}`;
    lines.push(
      checkpointFile
        ? `  resume     npm run backfill -- <the same options> --resume ${checkpointFile} (continues ${where})`
        : `  resume     not possible without --resume FILE; a new run starts over (Segment drops what it already has)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

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

  let config: Config;
  try {
    // Locally, settings come from .env; in a Connect job they are already in the environment.
    loadDotenv({ quiet: true });
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(
      `${error.message}\nbackfill uses the connector's configuration: see .env.example and the README's configuration table.\n`,
    );
    return 2;
  }

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
    await dependencies.segment.close(1_000).catch(() => undefined);
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
  // Every event was awaited already; this only releases the sink.
  await dependencies.segment.close(5_000).catch(() => undefined);
  if (!onTerminal) process.stdout.write(`${JSON.stringify({ type: 'summary', ...summary })}\n`);
  process.stdout.write(formatSummary(summary, options.checkpointFile));
  return exitCodeOf(summary);
}

if (require.main === module) {
  runCommand('backfill', () => main(process.argv.slice(2)));
}
