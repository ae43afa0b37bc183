/**
 * The backfill engine: pages through commercetools customers and orders and hands each one's
 * creation events (identify + Signed Up; guest identify + Order Completed) to the same planners
 * and sink as the live path. Their messageIds are therefore the live path's, so a re-run, or an
 * overlap with live traffic, is deduplicated by Segment.
 *
 * Everything it touches is passed in (commercetools, the sink, a clock, an output): no
 * process.env, no console. The CLI (src/cli/backfill.ts) parses arguments and prints.
 */
import { randomUUID } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import type { ByProjectKeyRequestBuilder, Customer, Order } from '@commercetools/platform-sdk';
import { z } from 'zod';
import type { CommercetoolsReader } from '../commercetools/reads';
import { ConnectorError, upstreamUnavailable } from '../errors';
import type { EventSettings } from '../events';
import { planNewCustomer } from '../handlers/customer';
import { planOrderCompleted } from '../handlers/order';
import type { PlanContext } from '../handlers/types';
import type { MappingOptions, MappingResult } from '../mapping/types';
import type { SegmentCall } from '../segment/calls';
import type { SegmentSink } from '../segment/sink';

/** Processed in this order: customers first, so their identify precedes their orders. */
export const BACKFILL_RESOURCE_TYPES = ['customer', 'order'] as const;
export type BackfillResourceType = (typeof BACKFILL_RESOURCE_TYPES)[number];

/** commercetools' largest page. */
export const MAX_PAGE_SIZE = 500;

/** Which resources to backfill. Part of the checkpoint: a resume must use the same ones. */
export interface BackfillFilters {
  resourceTypes: BackfillResourceType[];
  /** Inclusive lower bound of `createdAt` (ISO 8601). */
  since?: string;
  /** Exclusive upper bound of `createdAt` (ISO 8601). */
  until?: string;
  /** Only resources of this store (orders: `store`, customers: `stores`). */
  store?: string;
}

/** Retries of one commercetools read or one Segment delivery (429, 5xx, network errors). */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Delay before the second attempt, ms; doubled on each further one, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface BackfillOptions extends BackfillFilters {
  /** Plan and count, send nothing. */
  dryRun: boolean;
  /** Resources of a page planned at once (a guest order's plan reads commercetools). */
  concurrency: number;
  /** Token bucket toward Segment: events per second (bursts of a tenth of a second's worth). */
  eventsPerSecond: number;
  /** Page size, at most 500 (the default). */
  pageSize?: number;
  /** Write a checkpoint here after every page; continue from it when it exists. */
  checkpointFile?: string;
  /** Stop (as interrupted) after this many pages in this run. */
  maxPages?: number;
  /** Count the resources first (one `withTotal` query per type), for an ETA. */
  countTotals?: boolean;
  retry?: RetryPolicy;
}

export interface BackfillDependencies {
  api: ByProjectKeyRequestBuilder;
  commercetools: CommercetoolsReader;
  segment: Pick<SegmentSink, 'send'>;
  mapping: MappingOptions;
  events: EventSettings;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Where a run stands; sent to the output after every resource. Counts include earlier runs of a resumed backfill. */
export interface BackfillProgress {
  type: 'progress';
  phase: BackfillResourceType;
  customers: { processed: number; total?: number };
  orders: { processed: number; total?: number };
  /** Resources whose events Segment accepted (in a dry run: would have been sent). */
  sent: number;
  events: number;
  skipped: number;
  failed: number;
  /** Events of this run per second since it started. */
  eventsPerSecond: number;
  elapsedSeconds: number;
}

export type BackfillNotice = { type: 'notice'; message: string } & (
  | { kind: 'resume'; resourceType: BackfillResourceType; lastId: string | null; processed: number }
  | { kind: 'disabled'; resourceType: BackfillResourceType }
  | { kind: 'retry'; what: string; attempt: number; delayMs: number; reason: string }
  | { kind: 'count-failed'; resourceType: BackfillResourceType; reason: string }
  /** Sent by the CLI: a stop was requested (Ctrl-C, SIGTERM). */
  | { kind: 'stopping'; signal: string }
);

export interface BackfillOutput {
  progress(progress: BackfillProgress): void;
  notice(notice: BackfillNotice): void;
}

export interface BackfillRuntime {
  output: BackfillOutput;
  clock: Clock;
  /** For the jitter of retries; Math.random by default. */
  random?: () => number;
  /** Stops the run after the page in progress (which is completed and checkpointed). */
  signal?: AbortSignal;
}

export interface ResourceCounts {
  /** Read and settled: sent, skipped or failed. */
  processed: number;
  /** Resources whose events Segment accepted (in a dry run: would have been sent). */
  sent: number;
  events: number;
  /** By reason: no-identity, invalid-consent, disabled. */
  skipped: Record<string, number>;
  /** By reason, after the retries. */
  failed: Record<string, number>;
}

export interface FailedResource {
  resourceType: BackfillResourceType;
  id: string;
  reason: string;
}

export interface BackfillSummary {
  /** completed: every page; interrupted: stopped on request (resumable); aborted: a page could not be read. */
  status: 'completed' | 'interrupted' | 'aborted';
  dryRun: boolean;
  resourceTypes: BackfillResourceType[];
  /** The whole backfill: earlier runs of a resumed one included. */
  counts: Record<BackfillResourceType, ResourceCounts>;
  /** This run only. */
  run: {
    resources: number;
    events: number;
    pages: number;
    /** Retried commercetools reads and Segment deliveries. */
    retries: number;
    durationSeconds: number;
    eventsPerSecond: number;
    resourcesPerSecond: number;
  };
  /** Types whose events are all switched off in the configuration: not read at all. */
  disabled: BackfillResourceType[];
  /** The first failures (ids, never personal data), earlier runs included. */
  failures: FailedResource[];
  /** Where this run started, when it resumed a checkpoint. */
  resumedFrom?: { resourceType: BackfillResourceType; lastId: string | null };
  /** The last completed page: what a resume continues after. */
  position: { resourceType: BackfillResourceType; lastId: string | null };
  /** Why the run was aborted. */
  error?: string;
}

/** The checkpoint cannot be used (other filters, unreadable, already completed): nothing was done. */
export class BackfillCheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackfillCheckpointError';
  }
}

/** At most this many failures are listed (all are counted). */
const MAX_LISTED_FAILURES = 100;

// ---------------------------------------------------------------------------------------------
// Checkpoint

const countsSchema = z.object({
  processed: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  skipped: z.record(z.string(), z.number().int().nonnegative()),
  failed: z.record(z.string(), z.number().int().nonnegative()),
});

const resourceTypeSchema = z.enum(BACKFILL_RESOURCE_TYPES);

/** What a checkpoint is valid for: the same project, resource types, filters and mode. */
const checkpointFiltersSchema = z.object({
  projectKey: z.string(),
  resourceTypes: z.array(resourceTypeSchema),
  since: z.string().nullable(),
  until: z.string().nullable(),
  store: z.string().nullable(),
  dryRun: z.boolean(),
});

const checkpointSchema = z.object({
  version: z.literal(1),
  resourceType: resourceTypeSchema,
  /** The last id of the last completed page of `resourceType`; null before its first page. */
  lastId: z.string().nullable(),
  /** Every page of every type done. */
  done: z.boolean(),
  counts: z.object({ customer: countsSchema, order: countsSchema }),
  failures: z.array(z.object({ resourceType: resourceTypeSchema, id: z.string(), reason: z.string() })),
  startedAt: z.string(),
  updatedAt: z.string(),
  filters: checkpointFiltersSchema,
});

export type Checkpoint = z.infer<typeof checkpointSchema>;
type CheckpointFilters = z.infer<typeof checkpointFiltersSchema>;

function checkpointFiltersOf(projectKey: string, options: BackfillOptions): CheckpointFilters {
  return {
    projectKey,
    resourceTypes: [...options.resourceTypes],
    since: options.since ?? null,
    until: options.until ?? null,
    store: options.store ?? null,
    dryRun: options.dryRun,
  };
}

function differences(saved: CheckpointFilters, current: CheckpointFilters): string[] {
  const show = (value: unknown) => (value === null ? 'none' : JSON.stringify(value));
  return (Object.keys(current) as (keyof CheckpointFilters)[])
    .filter((key) => JSON.stringify(saved[key]) !== JSON.stringify(current[key]))
    .map((key) => `${key}: ${show(saved[key])} in the checkpoint, ${show(current[key])} now`);
}

export async function readCheckpoint(file: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BackfillCheckpointError(`cannot read the checkpoint ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BackfillCheckpointError(`${file} is not a backfill checkpoint (not JSON)`);
  }
  const parsed = checkpointSchema.safeParse(json);
  if (!parsed.success) throw new BackfillCheckpointError(`${file} is not a backfill checkpoint (${parsed.error.issues[0]?.path.join('.') || 'shape'} is invalid)`);
  return parsed.data;
}

/** Write to a temporary file beside it, flush, then rename: a crash leaves the old or the new checkpoint, never half of one. */
async function writeCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(checkpoint, null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Retries, rate, concurrency

/** ts-client's HTTP status; it sometimes throws the error itself, sometimes `{ body, error }` around it. */
function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { statusCode, error: inner } = error as { statusCode?: unknown; error?: unknown };
  if (typeof statusCode === 'number') return statusCode;
  return inner !== undefined && inner !== error ? statusOf(inner) : undefined;
}

/**
 * Worth another attempt: commercetools or Segment unavailable (network, timeout, 5xx, 429).
 * A 4xx other than 429 (bad predicate, missing scope, wrong credentials) will not change by
 * waiting; an exception from our own code (a mapping bug) neither.
 */
function isRetryable(error: unknown): boolean {
  if (!(error instanceof ConnectorError) || error.kind !== 'upstream-unavailable') return false;
  const status = statusOf(error.cause);
  return status === undefined || status === 0 || status === 429 || status >= 500;
}

/** Safe to print: our errors' public messages, never an exception's text (it may hold data). */
function reasonOf(error: unknown): string {
  if (error instanceof ConnectorError) return error.publicMessage;
  return `unexpected ${error instanceof Error ? error.name : 'error'} (see npm run preview for this resource)`;
}

/**
 * Events may go at `ratePerSecond`, in bursts of at most a tenth of a second's worth, so no
 * second ever carries much more than the rate. Callers that find it empty wait their turn.
 */
function createTokenBucket(ratePerSecond: number, clock: Clock): (events: number) => Promise<void> {
  const capacity = Math.max(2, ratePerSecond / 10);
  let tokens = capacity;
  let updatedAt = clock.now();
  return async (events) => {
    const now = clock.now();
    tokens = Math.min(capacity, tokens + ((now - updatedAt) * ratePerSecond) / 1000);
    updatedAt = now;
    // Taken at once, even into debt: later callers then wait for the debt too, so the order is kept.
    tokens -= events;
    if (tokens < 0) await clock.sleep(Math.ceil((-tokens / ratePerSecond) * 1000));
  };
}

/** Runs `work` over `items`, at most `limit` at once. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

// ---------------------------------------------------------------------------------------------
// commercetools pages

type Resource = Customer | Order;

/** The predicate of a page: after the cursor, within the filters. User input only in variables. */
export function pageQuery(
  resourceType: BackfillResourceType,
  filters: Omit<BackfillFilters, 'resourceTypes'>,
  after: string | null,
): { where?: string; variables: Record<string, string> } {
  const clauses: string[] = [];
  const variables: Record<string, string> = {};
  if (after !== null) {
    clauses.push('id > :after');
    variables['var.after'] = after;
  }
  if (filters.since) {
    clauses.push('createdAt >= :since');
    variables['var.since'] = filters.since;
  }
  if (filters.until) {
    clauses.push('createdAt < :until');
    variables['var.until'] = filters.until;
  }
  if (filters.store) {
    // An order belongs to one store; a customer to none (global) or several.
    clauses.push(resourceType === 'order' ? 'store(key = :store)' : 'stores(key = :store)');
    variables['var.store'] = filters.store;
  }
  return { ...(clauses.length > 0 ? { where: clauses.join(' and ') } : {}), variables };
}

async function readPage(
  api: ByProjectKeyRequestBuilder,
  resourceType: BackfillResourceType,
  filters: BackfillFilters,
  after: string | null,
  limit: number,
): Promise<Resource[]> {
  const { where, variables } = pageQuery(resourceType, filters, after);
  // Cursor paging on the id: commercetools refuses offsets beyond 10,000, and a cursor is as
  // fast on the last page as on the first.
  const queryArgs = { ...(where ? { where } : {}), ...variables, sort: 'id asc', limit, withTotal: false };
  try {
    if (resourceType === 'customer') return (await api.customers().get({ queryArgs }).execute()).body.results;
    return (await api.orders().get({ queryArgs: { ...queryArgs, expand: ['discountCodes[*].discountCode'] } }).execute()).body.results;
  } catch (error) {
    throw commercetoolsFailure(`${resourceType} page read`, error);
  }
}

async function countResources(
  api: ByProjectKeyRequestBuilder,
  resourceType: BackfillResourceType,
  filters: BackfillFilters,
  after: string | null,
): Promise<number> {
  const { where, variables } = pageQuery(resourceType, filters, after);
  const queryArgs = { ...(where ? { where } : {}), ...variables, limit: 0, withTotal: true };
  try {
    const page = resourceType === 'customer' ? await api.customers().get({ queryArgs }).execute() : await api.orders().get({ queryArgs }).execute();
    return page.body.total ?? 0;
  } catch (error) {
    throw commercetoolsFailure(`${resourceType} count`, error);
  }
}

function commercetoolsFailure(what: string, error: unknown): ConnectorError {
  const status = statusOf(error);
  const detail = status ? ` (HTTP ${status})` : '';
  // commercetools' own message for a refused query (e.g. a predicate it does not support); it never holds our variables.
  const text = (error as { message?: unknown } | undefined)?.message;
  const message = status && status >= 400 && status < 500 && status !== 429 && typeof text === 'string' ? `: ${text}` : '';
  return upstreamUnavailable(`commercetools ${what} failed${detail}${message}`, error);
}

// ---------------------------------------------------------------------------------------------
// The run

const emptyCounts = (): ResourceCounts => ({ processed: 0, sent: 0, events: 0, skipped: {}, failed: {} });
const sum = (record: Record<string, number>) => Object.values(record).reduce((total, count) => total + count, 0);

function enabledFor(resourceType: BackfillResourceType, events: EventSettings): boolean {
  return resourceType === 'customer' ? events.identifyCustomers || events.track.signedUp !== undefined : events.track.orderCompleted !== undefined;
}

function validate(options: BackfillOptions): void {
  const positiveInteger = (value: number) => Number.isInteger(value) && value > 0;
  if (options.resourceTypes.length === 0) throw new RangeError('no resource type to backfill');
  if (!positiveInteger(options.concurrency)) throw new RangeError('concurrency must be a positive integer');
  if (!(options.eventsPerSecond > 0) || !Number.isFinite(options.eventsPerSecond)) throw new RangeError('eventsPerSecond must be a positive number');
  const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
  if (!positiveInteger(pageSize) || pageSize > MAX_PAGE_SIZE) throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  if (options.maxPages !== undefined && !positiveInteger(options.maxPages)) throw new RangeError('maxPages must be a positive integer');
  if (options.since && options.until && options.since >= options.until) throw new RangeError('since must be before until');
}

/**
 * Backfills the requested resource types, page by page, and resolves with the summary. Throws
 * only before anything was done (invalid options, an unusable checkpoint); a page that cannot be
 * read after the retries ends the run as `aborted`, resumable from the last checkpoint.
 */
export async function runBackfill(
  dependencies: BackfillDependencies,
  options: BackfillOptions,
  runtime: BackfillRuntime,
): Promise<BackfillSummary> {
  validate(options);
  const { api, segment } = dependencies;
  const { output, clock, signal } = runtime;
  const random = runtime.random ?? Math.random;
  const retryPolicy = options.retry ?? DEFAULT_RETRY;
  const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
  // Customers first, whatever order they were asked in.
  const resourceTypes = BACKFILL_RESOURCE_TYPES.filter((type) => options.resourceTypes.includes(type));
  const filters: BackfillFilters = { ...options, resourceTypes };
  const checkpointFilters = checkpointFiltersOf(dependencies.mapping.projectKey, { ...options, resourceTypes });
  const planContext: PlanContext = { commercetools: dependencies.commercetools, mapping: dependencies.mapping, events: dependencies.events };

  const previous = options.checkpointFile ? await readCheckpoint(options.checkpointFile) : undefined;
  if (previous && options.checkpointFile) {
    const differing = differences(previous.filters, checkpointFilters);
    if (differing.length > 0) {
      throw new BackfillCheckpointError(
        `the checkpoint ${options.checkpointFile} was written for another backfill (${differing.join('; ')}). ` +
          'Run with the same options to resume it, or choose another --resume file to start a new backfill.',
      );
    }
    if (previous.done) {
      throw new BackfillCheckpointError(
        `the checkpoint ${options.checkpointFile} records a completed backfill (last written ${previous.updatedAt}). ` +
          'Delete it, or choose another --resume file, to run it again.',
      );
    }
  }

  const startedAt = clock.now();
  const counts: Record<BackfillResourceType, ResourceCounts> = previous ? structuredClone(previous.counts) : { customer: emptyCounts(), order: emptyCounts() };
  const failures: FailedResource[] = previous ? [...previous.failures] : [];
  const totals: Partial<Record<BackfillResourceType, number>> = {};
  const disabled: BackfillResourceType[] = [];
  const run = { resources: 0, events: 0, pages: 0, retries: 0 };
  let position: BackfillSummary['position'] = { resourceType: previous?.resourceType ?? resourceTypes[0]!, lastId: previous?.lastId ?? null };
  let phase: BackfillResourceType = position.resourceType;
  const takeTokens = createTokenBucket(options.eventsPerSecond, clock);

  const checkpoint = (done: boolean): Promise<void> | undefined =>
    options.checkpointFile
      ? writeCheckpoint(options.checkpointFile, {
          version: 1,
          resourceType: position.resourceType,
          lastId: position.lastId,
          done,
          counts,
          failures,
          startedAt: previous?.startedAt ?? new Date(startedAt).toISOString(),
          updatedAt: new Date(clock.now()).toISOString(),
          filters: checkpointFilters,
        })
      : undefined;

  const elapsedSeconds = () => Math.max(0, clock.now() - startedAt) / 1000;
  const perSecond = (count: number) => {
    const seconds = elapsedSeconds();
    return seconds > 0 ? Math.round((count / seconds) * 10) / 10 : 0;
  };

  const reportProgress = () => {
    const all = resourceTypes.map((type) => counts[type]);
    output.progress({
      type: 'progress',
      phase,
      customers: { processed: counts.customer.processed, ...(totals.customer !== undefined ? { total: totals.customer } : {}) },
      orders: { processed: counts.order.processed, ...(totals.order !== undefined ? { total: totals.order } : {}) },
      sent: all.reduce((total, typeCounts) => total + typeCounts.sent, 0),
      events: all.reduce((total, typeCounts) => total + typeCounts.events, 0),
      skipped: all.reduce((total, typeCounts) => total + sum(typeCounts.skipped), 0),
      failed: all.reduce((total, typeCounts) => total + sum(typeCounts.failed), 0),
      eventsPerSecond: perSecond(run.events),
      elapsedSeconds: Math.round(elapsedSeconds() * 10) / 10,
    });
  };

  const settled = (resourceType: BackfillResourceType, outcome: { sent: number } | { skipped: string } | { failed: string; id: string }) => {
    const typeCounts = counts[resourceType];
    typeCounts.processed += 1;
    run.resources += 1;
    if ('sent' in outcome) {
      typeCounts.sent += 1;
      typeCounts.events += outcome.sent;
      run.events += outcome.sent;
    } else if ('skipped' in outcome) {
      typeCounts.skipped[outcome.skipped] = (typeCounts.skipped[outcome.skipped] ?? 0) + 1;
    } else {
      typeCounts.failed[outcome.failed] = (typeCounts.failed[outcome.failed] ?? 0) + 1;
      if (failures.length < MAX_LISTED_FAILURES) failures.push({ resourceType, id: outcome.id, reason: outcome.failed });
    }
    reportProgress();
  };

  async function withRetry<T>(attempt: () => Promise<T>, what: string | undefined): Promise<T> {
    for (let tried = 1; ; tried += 1) {
      try {
        return await attempt();
      } catch (error) {
        if (!isRetryable(error) || tried >= retryPolicy.attempts) throw error;
        const ceiling = Math.min(retryPolicy.maxDelayMs, retryPolicy.baseDelayMs * 2 ** (tried - 1));
        // Half fixed, half random: many resources failing together do not retry together.
        const delayMs = Math.round(ceiling / 2 + (random() * ceiling) / 2);
        run.retries += 1;
        // Page reads are announced; resources are only counted (an outage would flood the output).
        if (what) output.notice({ type: 'notice', kind: 'retry', what, attempt: tried, delayMs, reason: reasonOf(error), message: `${what} failed (${reasonOf(error)}); attempt ${tried + 1} of ${retryPolicy.attempts} in ${delayMs} ms` });
        await clock.sleep(delayMs);
      }
    }
  }

  const plan = (resourceType: BackfillResourceType, resource: Resource): Promise<MappingResult> =>
    resourceType === 'customer' ? Promise.resolve(planNewCustomer(resource as Customer, planContext)) : planOrderCompleted(resource as Order, planContext);

  async function deliver(resourceType: BackfillResourceType, id: string, calls: readonly SegmentCall[]): Promise<void> {
    try {
      await withRetry(async () => {
        await takeTokens(calls.length);
        // No abort signal: once handed over, a resource's events are seen through, so the page can be checkpointed.
        await segment.send(calls);
      }, undefined);
      settled(resourceType, { sent: calls.length });
    } catch (error) {
      settled(resourceType, { failed: reasonOf(error), id });
    }
  }

  /** Plans at most `concurrency` at once (commercetools), delivers as plans are ready (Segment, rate-limited); resolves when all settled. */
  async function processPage(resourceType: BackfillResourceType, resources: Resource[]): Promise<void> {
    const deliveries: Promise<void>[] = [];
    await forEachLimited(resources, options.concurrency, async (resource) => {
      let result: MappingResult;
      try {
        result = await withRetry(() => plan(resourceType, resource), undefined);
      } catch (error) {
        settled(resourceType, { failed: reasonOf(error), id: resource.id });
        return;
      }
      if (result.kind === 'skip') return settled(resourceType, { skipped: result.reason });
      if (result.calls.length === 0) return settled(resourceType, { skipped: 'disabled' });
      if (options.dryRun) return settled(resourceType, { sent: result.calls.length });
      deliveries.push(deliver(resourceType, resource.id, result.calls));
    });
    await Promise.all(deliveries);
  }

  const stopRequested = () => signal?.aborted === true || (options.maxPages !== undefined && run.pages >= options.maxPages);

  /** One resource type from `after` to its end; the cause when it stopped early. */
  async function backfillType(resourceType: BackfillResourceType, after: string | null): Promise<'done' | 'interrupted' | { error: string }> {
    const fetchPage = (cursor: string | null) => {
      const page = withRetry(() => readPage(api, resourceType, filters, cursor, pageSize), `${resourceType} page after ${cursor ?? 'the start'}`);
      // Read ahead may be abandoned (interruption); its failure is then nobody's business.
      page.catch(() => undefined);
      return page;
    };
    let cursor = after;
    let readAhead: Promise<Resource[]> | undefined;
    for (;;) {
      if (stopRequested()) return 'interrupted';
      let page: Resource[];
      try {
        page = await (readAhead ?? fetchPage(cursor));
      } catch (error) {
        return { error: reasonOf(error) };
      }
      readAhead = undefined;
      const last = page.at(-1);
      if (!last) return 'done';
      const full = page.length === pageSize;
      // Read the next page while this one is planned and sent (unless this run stops after it).
      const continues = options.maxPages === undefined || run.pages + 1 < options.maxPages;
      if (full && continues) readAhead = fetchPage(last.id);
      await processPage(resourceType, page);
      run.pages += 1;
      cursor = last.id;
      position = { resourceType, lastId: last.id };
      await checkpoint(false);
      if (!full) return 'done';
    }
  }

  const summary = (status: BackfillSummary['status'], error?: string): BackfillSummary => {
    const durationSeconds = elapsedSeconds();
    return {
      status,
      dryRun: options.dryRun,
      resourceTypes,
      counts,
      run: {
        ...run,
        durationSeconds: Math.round(durationSeconds * 100) / 100,
        eventsPerSecond: perSecond(run.events),
        resourcesPerSecond: perSecond(run.resources),
      },
      disabled,
      failures,
      ...(previous ? { resumedFrom: { resourceType: previous.resourceType, lastId: previous.lastId } } : {}),
      position,
      ...(error ? { error } : {}),
    };
  };

  const startIndex = resourceTypes.indexOf(position.resourceType);
  if (previous) {
    output.notice({
      type: 'notice',
      kind: 'resume',
      resourceType: previous.resourceType,
      lastId: previous.lastId,
      processed: resourceTypes.reduce((total, type) => total + counts[type].processed, 0),
      message: `resuming ${options.checkpointFile}: ${previous.lastId ? `${previous.resourceType}s after ${previous.lastId}` : `from the first ${previous.resourceType}`}`,
    });
  }

  if (options.countTotals) {
    // Types a resumed backfill already finished: what they had is all there is.
    for (const resourceType of resourceTypes.slice(0, startIndex)) totals[resourceType] = counts[resourceType].processed;
    for (const resourceType of resourceTypes.slice(startIndex)) {
      if (!enabledFor(resourceType, dependencies.events)) continue;
      const after = resourceType === position.resourceType ? position.lastId : null;
      try {
        totals[resourceType] = counts[resourceType].processed + (await countResources(api, resourceType, filters, after));
      } catch (error) {
        output.notice({ type: 'notice', kind: 'count-failed', resourceType, reason: reasonOf(error), message: `could not count the ${resourceType}s (${reasonOf(error)}): no ETA` });
      }
    }
  }

  for (const [index, resourceType] of resourceTypes.entries()) {
    if (index < startIndex) continue;
    phase = resourceType;
    const after = index === startIndex ? position.lastId : null;
    if (index !== startIndex) {
      position = { resourceType, lastId: null };
      await checkpoint(false);
    }
    if (!enabledFor(resourceType, dependencies.events)) {
      disabled.push(resourceType);
      const what = resourceType === 'customer' ? 'IDENTIFY_CUSTOMERS is false and EVENT_SIGNED_UP is off' : 'EVENT_ORDER_COMPLETED is off';
      output.notice({ type: 'notice', kind: 'disabled', resourceType, message: `${resourceType}s not read: ${what}, so there is nothing to send` });
      continue;
    }
    reportProgress();
    const outcome = await backfillType(resourceType, after);
    if (outcome === 'interrupted') return summary('interrupted');
    if (outcome !== 'done') return summary('aborted', outcome.error);
  }
  await checkpoint(true);
  reportProgress();
  return summary('completed');
}
