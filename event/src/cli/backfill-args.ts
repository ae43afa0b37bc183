/** `npm run backfill`'s command line: its usage text and the options it parses to. */
import { parseArgs } from 'node:util';
import { UsageError } from '../entry';
import { MAX_PAGE_SIZE, type BackfillOptions, type BackfillResourceType } from '../tools/backfill';
import { parseShard, shardFromEnvironment, ShardError, type Shard } from '../tools/backfill/shards';

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
                         must be the same as when it was written). Of a completed backfill, only
                         its failures are retried (none: nothing to do, exit 0), so a job runner
                         rerunning a task that failed, with the same command, finishes the work.
                         With shards, FILE names {shard}, e.g. backfill-{shard}.json, so each
                         shard keeps its own
  --page-size N          resources per commercetools page (1-${MAX_PAGE_SIZE}, default ${MAX_PAGE_SIZE})
  --progress-interval S  without a terminal: a JSON progress line every S seconds (default 10)
  --shard K/N            only the K-th of N equal parts of the id space (0 <= K < N); run N of these
                         side by side. Without it, a job runner's task index picks the shard:
                         CLOUD_RUN_TASK_INDEX of CLOUD_RUN_TASK_COUNT (Cloud Run Jobs), or
                         JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs) of --shards N or BACKFILL_SHARDS
  --shards N             the number of shards, with a Kubernetes Indexed Job's JOB_COMPLETION_INDEX
  --retry-failed         with --resume: only retry the resources the checkpoint lists as failed,
                         without continuing a backfill that did not finish
  -h, --help             this text

Configuration: the connector's own environment (or .env): CTP_* and SEGMENT_* variables, event
names and switches, ANONYMOUS_ID_FALLBACK, CONSENT_CUSTOM_FIELD_NAME, LOCALE.

Exit codes: 0 done, nothing failed; 1 some resources failed (listed) or a page could not be read
(run again with the same --resume to retry them and continue); 2 usage, configuration or
checkpoint error; 130 stopped by Ctrl-C or SIGTERM (resumable with --resume).
`;

export interface BackfillCommand {
  options: BackfillOptions;
  progressIntervalSeconds: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TIME_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * The shard to run: `--shard K/N`, else the one the job runner's task index names (counted by
 * `--shards N` when given); none outside a job runner. Both flags at once are a usage error.
 */
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

/** A day (midnight UTC) or a time with its offset, as commercetools' createdAt (ISO 8601, UTC). */
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

/**
 * A flag's number: `fallback` when the flag is absent; a usage error unless it is positive, whole
 * when `integer`, and at most `max`.
 */
function parseNumber(
  flag: string,
  text: string | undefined,
  { fallback, integer, max }: { fallback: number; integer: boolean; max?: number },
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

/**
 * The command line as backfill options; 'help' for --help. Throws UsageError. The shard comes from
 * `--shard K/N`, else from the job runner's task index in `environment` (Cloud Run Jobs,
 * Kubernetes Indexed Jobs).
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
      concurrency: parseNumber('--concurrency', values.concurrency, { fallback: 4, integer: true, max: 64 }),
      eventsPerSecond: parseNumber('--rate', values.rate, { fallback: 500, integer: false }),
      pageSize: parseNumber('--page-size', values['page-size'], {
        fallback: MAX_PAGE_SIZE,
        integer: true,
        max: MAX_PAGE_SIZE,
      }),
      ...(resume ? { checkpointFile: resume } : {}),
      ...(shard ? { shard } : {}),
      ...(retryFailed ? { retryFailedOnly: true } : {}),
      countTotals: true,
    },
    progressIntervalSeconds: parseNumber('--progress-interval', values['progress-interval'], {
      fallback: 10,
      integer: false,
    }),
  };
}
