/**
 * The backfill engine: pages through commercetools customers and orders and hands each one's
 * creation events (identify + Signed Up; guest identify + Order Completed) to the same planners
 * and sink as the live path. Their messageIds are therefore the live path's, so a re-run, or an
 * overlap with live traffic, is deduplicated by Segment.
 *
 * Everything it touches is passed in (commercetools, the sink, a clock, an output): no
 * process.env, no console. The CLI (src/cli/backfill.ts) parses arguments and prints.
 */
import type { BusinessUnit, Customer, Order } from '@commercetools/platform-sdk';
import { businessUnitPlanner } from '../../handlers/business-unit';
import { newCustomerPlanner } from '../../handlers/customer';
import { orderCompletedPlanner } from '../../handlers/order';
import { needsGuestEmailLookup } from '../../mapping/order';
import type { PlanContext } from '../../handlers/types';
import type { MappingResult } from '../../mapping/types';
import type { SegmentCall } from '../../segment/calls';
import { checkpointFiltersOf, usableCheckpoint, writeCheckpoint, type Checkpoint } from './checkpoint';
import {
  countOutcome,
  countRetried,
  perSecond,
  progressOf,
  startTally,
  type ResourceOutcome,
  type Tally,
} from './counts';
import { countResources, readPage, type Resource } from './pages';
import { describeShard } from './shards';
import { createTokenBucket, forEachLimited, reasonOf, withRetry } from './throttle';
import {
  BACKFILL_RESOURCE_TYPES,
  DEFAULT_RETRY,
  MAX_PAGE_SIZE,
  type BackfillDependencies,
  type BackfillFilters,
  type BackfillOptions,
  type BackfillResourceType,
  type BackfillRuntime,
  type BackfillSummary,
  type FailedResource,
} from './types';

/** The planner of a resource type's creation events; undefined when they are all switched off. */
function plannerOf(
  resourceType: BackfillResourceType,
  context: PlanContext,
): ((resource: Resource) => Promise<MappingResult>) | undefined {
  if (resourceType === 'business-unit') {
    const planUnit = businessUnitPlanner(context);
    return planUnit && (async (resource) => planUnit(resource as BusinessUnit));
  }
  if (resourceType === 'order') {
    const planOrder = orderCompletedPlanner(context);
    return planOrder && ((resource) => planOrder(resource as Order));
  }
  const planCustomer = newCustomerPlanner(context);
  return planCustomer && (async (resource) => planCustomer(resource as Customer));
}

function validate(options: BackfillOptions): void {
  const positiveInteger = (value: number) => Number.isInteger(value) && value > 0;
  if (options.resourceTypes.length === 0) throw new RangeError('no resource type to backfill');
  if (!positiveInteger(options.concurrency)) throw new RangeError('concurrency must be a positive integer');
  if (!(options.eventsPerSecond > 0) || !Number.isFinite(options.eventsPerSecond))
    throw new RangeError('eventsPerSecond must be a positive number');
  const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
  if (!positiveInteger(pageSize) || pageSize > MAX_PAGE_SIZE)
    throw new RangeError(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  if (options.maxPages !== undefined && !positiveInteger(options.maxPages))
    throw new RangeError('maxPages must be a positive integer');
  if (options.since && options.until && options.since >= options.until)
    throw new RangeError('since must be before until');
}

/** One run: what it was given, and where it stands. */
class Run {
  tally: Tally;
  position: BackfillSummary['position'];
  phase: BackfillResourceType;
  readonly totals: Partial<Record<BackfillResourceType, number>> = {};
  readonly disabled: BackfillResourceType[] = [];
  readonly startedAt: number;
  readonly takeTokens: (events: number) => Promise<void>;
  readonly planContext: PlanContext;
  readonly pageSize: number;
  readonly random: () => number;

  constructor(
    readonly dependencies: BackfillDependencies,
    readonly options: BackfillOptions,
    readonly runtime: BackfillRuntime,
    readonly resourceTypes: BackfillResourceType[],
    readonly filters: BackfillFilters,
    readonly checkpointFilters: ReturnType<typeof checkpointFiltersOf>,
    readonly previous: Checkpoint | undefined,
  ) {
    this.tally = startTally(previous);
    this.position = {
      resourceType: previous?.resourceType ?? (resourceTypes[0] as BackfillResourceType),
      lastId: previous?.lastId ?? null,
    };
    this.phase = this.position.resourceType;
    this.startedAt = runtime.clock.now();
    this.takeTokens = createTokenBucket(options.eventsPerSecond, runtime.clock);
    this.planContext = {
      commercetools: dependencies.commercetools,
      mapping: dependencies.mapping,
      events: dependencies.events,
    };
    this.pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    this.random = runtime.random ?? Math.random;
  }

  elapsedSeconds(): number {
    return Math.max(0, this.runtime.clock.now() - this.startedAt) / 1000;
  }

  reportProgress(): void {
    this.runtime.output.progress(
      progressOf(this.tally, this.resourceTypes, this.phase, this.totals, this.elapsedSeconds()),
    );
  }

  settle(resourceType: BackfillResourceType, outcome: ResourceOutcome): void {
    this.tally = countOutcome(this.tally, resourceType, outcome);
    this.reportProgress();
  }

  checkpoint(done: boolean): Promise<void> | undefined {
    const { checkpointFile } = this.options;
    if (!checkpointFile) return undefined;
    return writeCheckpoint(checkpointFile, {
      version: 1,
      resourceType: this.position.resourceType,
      lastId: this.position.lastId,
      done,
      counts: this.tally.counts,
      failures: this.tally.failures,
      startedAt: this.previous?.startedAt ?? new Date(this.startedAt).toISOString(),
      updatedAt: new Date(this.runtime.clock.now()).toISOString(),
      filters: this.checkpointFilters,
    });
  }

  /** Retries what is worth retrying; page reads are announced, resources only counted (an outage would flood the output). */
  retrying<T>(attempt: () => Promise<T>, announce?: string): Promise<T> {
    const policy = this.options.retry ?? DEFAULT_RETRY;
    return withRetry(attempt, policy, this.runtime.clock, this.random, ({ attempt: tried, delayMs, reason }) => {
      this.tally = { ...this.tally, run: { ...this.tally.run, retries: this.tally.run.retries + 1 } };
      if (announce) {
        this.runtime.output.notice({
          type: 'notice',
          kind: 'retry',
          what: announce,
          attempt: tried,
          delayMs,
          reason,
          message: `${announce} failed (${reason}); attempt ${tried + 1} of ${policy.attempts} in ${delayMs} ms`,
        });
      }
    });
  }

  stopRequested(): boolean {
    const { maxPages } = this.options;
    return this.runtime.signal?.aborted === true || (maxPages !== undefined && this.tally.run.pages >= maxPages);
  }

  summary(status: BackfillSummary['status'], error?: string): BackfillSummary {
    const durationSeconds = this.elapsedSeconds();
    const { run } = this.tally;
    return {
      status,
      ...(this.options.shard ? { shard: describeShard(this.options.shard) } : {}),
      dryRun: this.options.dryRun,
      resourceTypes: this.resourceTypes,
      counts: this.tally.counts,
      run: {
        ...run,
        durationSeconds: Math.round(durationSeconds * 100) / 100,
        eventsPerSecond: perSecond(run.events, durationSeconds),
        resourcesPerSecond: perSecond(run.resources, durationSeconds),
      },
      disabled: this.disabled,
      failures: this.tally.failures,
      ...(this.previous
        ? { resumedFrom: { resourceType: this.previous.resourceType, lastId: this.previous.lastId } }
        : {}),
      position: this.position,
      ...(error ? { error } : {}),
    };
  }
}

/**
 * Sends one resource's calls, retrying what is worth it. No abort signal: once handed over, a
 * resource's events are seen through, so the page can be checkpointed; the sink's own bound on
 * every wait (SegmentSinkLimits.maxWaitMs) keeps none pending for ever.
 */
async function send(run: Run, id: string, calls: readonly SegmentCall[]): Promise<ResourceOutcome> {
  try {
    await run.retrying(async () => {
      await run.takeTokens(calls.length);
      await run.dependencies.segment.send(calls);
    });
    return { sent: calls.length };
  } catch (error) {
    return { failed: reasonOf(error), id };
  }
}

async function deliver(
  run: Run,
  resourceType: BackfillResourceType,
  id: string,
  calls: readonly SegmentCall[],
): Promise<void> {
  run.settle(resourceType, await send(run, id, calls));
}

/** One resource by id, as the live path reads it. */
function readOne(run: Run, failure: FailedResource): Promise<Resource | undefined> {
  const { commercetools } = run.dependencies;
  if (failure.resourceType === 'customer') return commercetools.getCustomer(failure.id);
  if (failure.resourceType === 'business-unit') return commercetools.getBusinessUnit(failure.id);
  return commercetools.getOrder(failure.id);
}

/**
 * The resources an earlier run recorded as failed, read again and sent again, before anything
 * else: a resumed run leaves nothing behind. One still failing stays listed, with its new reason.
 */
async function retryFailures(run: Run): Promise<void> {
  const failures = [...run.tally.failures];
  if (failures.length === 0) return;
  run.runtime.output.notice({
    type: 'notice',
    kind: 'retrying-failures',
    count: failures.length,
    message: `retrying the ${failures.length} resources the checkpoint lists as failed`,
  });
  await forEachLimited(failures, run.options.concurrency, async (failure) => {
    const plan = plannerOf(failure.resourceType, run.planContext);
    // Switched off since: nothing to retry, and it stays listed for when it is on again.
    if (!plan) return;
    let outcome: ResourceOutcome;
    try {
      const resource = await run.retrying(() => readOne(run, failure));
      const result = resource ? await run.retrying(() => plan(resource)) : undefined;
      if (!result) outcome = { skipped: 'not-found' };
      else if (result.kind === 'skip') outcome = { skipped: result.reason };
      else if (run.options.dryRun) outcome = { sent: result.calls.length };
      else outcome = await send(run, failure.id, result.calls);
    } catch (error) {
      outcome = { failed: reasonOf(error), id: failure.id };
    }
    run.tally = countRetried(run.tally, failure, outcome);
    run.reportProgress();
  });
  await run.checkpoint(run.previous?.done === true);
}

/** Plans at most `concurrency` at once (commercetools), delivers as plans are ready (Segment, rate-limited); resolves when all settled. */
/**
 * The plan context for a page: for orders, the guests' emails are looked up for the whole page in a
 * few queries, and each order's plan reads the answer from there (the same answers as one look-up
 * per order). Should that fail, each order looks its email up itself, as the live path does.
 */
async function pageContext(run: Run, resourceType: BackfillResourceType, resources: Resource[]): Promise<PlanContext> {
  if (resourceType !== 'order') return run.planContext;
  const { commercetools, mapping } = run.planContext;
  const emails = (resources as Order[]).flatMap((order) =>
    needsGuestEmailLookup(order, mapping.anonymousIdFallback) && order.customerEmail ? [order.customerEmail] : [],
  );
  if (emails.length === 0) return run.planContext;
  let registered: Set<string>;
  try {
    registered = await run.retrying(() => commercetools.registeredEmails(emails));
  } catch {
    return run.planContext;
  }
  return {
    ...run.planContext,
    commercetools: {
      ...commercetools,
      isEmailRegistered: async (email) => registered.has(email.trim().toLowerCase()),
    },
  };
}

async function processPage(run: Run, resourceType: BackfillResourceType, resources: Resource[]): Promise<void> {
  const plan = plannerOf(resourceType, await pageContext(run, resourceType, resources));
  if (!plan) throw new Error(`${resourceType}s are disabled: nothing should have been read`);
  const deliveries: Promise<void>[] = [];
  await forEachLimited(resources, run.options.concurrency, async (resource) => {
    let result: MappingResult;
    try {
      result = await run.retrying(() => plan(resource));
    } catch (error) {
      run.settle(resourceType, { failed: reasonOf(error), id: resource.id });
      return;
    }
    if (result.kind === 'skip') return run.settle(resourceType, { skipped: result.reason });
    if (run.options.dryRun) return run.settle(resourceType, { sent: result.calls.length });
    deliveries.push(deliver(run, resourceType, resource.id, result.calls));
  });
  await Promise.all(deliveries);
}

/** One resource type from `after` to its end; the cause when it stopped early. */
async function backfillType(
  run: Run,
  resourceType: BackfillResourceType,
  after: string | null,
): Promise<'done' | 'interrupted' | { error: string }> {
  const { pageSize, options } = run;
  const fetchPage = (cursor: string | null) => {
    const page = run.retrying(
      () => readPage(run.dependencies.api, resourceType, run.filters, cursor, pageSize),
      `${resourceType} page after ${cursor ?? 'the start'}`,
    );
    // Read ahead may be abandoned (interruption); its failure is then nobody's business.
    page.catch(() => undefined);
    return page;
  };
  let cursor = after;
  let readAhead: Promise<Resource[]> | undefined;
  for (;;) {
    if (run.stopRequested()) return 'interrupted';
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
    const continues = options.maxPages === undefined || run.tally.run.pages + 1 < options.maxPages;
    if (full && continues) readAhead = fetchPage(last.id);
    await processPage(run, resourceType, page);
    run.tally = { ...run.tally, run: { ...run.tally.run, pages: run.tally.run.pages + 1 } };
    cursor = last.id;
    run.position = { resourceType, lastId: last.id };
    await run.checkpoint(false);
    if (!full) return 'done';
  }
}

/** Counts what is left of each enabled type, for an ETA; a count that fails only loses the ETA. */
async function countTotals(run: Run, startIndex: number): Promise<void> {
  const { counts } = run.tally;
  // Types a resumed backfill already finished: what they had is all there is.
  for (const resourceType of run.resourceTypes.slice(0, startIndex))
    run.totals[resourceType] = counts[resourceType].processed;
  for (const resourceType of run.resourceTypes.slice(startIndex)) {
    if (!plannerOf(resourceType, run.planContext)) continue;
    const after = resourceType === run.position.resourceType ? run.position.lastId : null;
    try {
      run.totals[resourceType] =
        counts[resourceType].processed + (await countResources(run.dependencies.api, resourceType, run.filters, after));
    } catch (error) {
      const reason = reasonOf(error);
      run.runtime.output.notice({
        type: 'notice',
        kind: 'count-failed',
        resourceType,
        reason,
        message: `could not count the ${resourceType}s (${reason}): no ETA`,
      });
    }
  }
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
  // Customers first, whatever order they were asked in.
  const resourceTypes = BACKFILL_RESOURCE_TYPES.filter((type) => options.resourceTypes.includes(type));
  const filters: BackfillFilters = { ...options, resourceTypes };
  const checkpointFilters = checkpointFiltersOf(dependencies.mapping.projectKey, { ...options, resourceTypes });
  const previous = await usableCheckpoint(options, checkpointFilters);
  const run = new Run(dependencies, options, runtime, resourceTypes, filters, checkpointFilters, previous);

  const startIndex = resourceTypes.indexOf(run.position.resourceType);
  if (previous) {
    runtime.output.notice({
      type: 'notice',
      kind: 'resume',
      resourceType: previous.resourceType,
      lastId: previous.lastId,
      processed: resourceTypes.reduce((total, type) => total + run.tally.counts[type].processed, 0),
      message: `resuming ${options.checkpointFile}: ${previous.lastId ? `${previous.resourceType}s after ${previous.lastId}` : `from the first ${previous.resourceType}`}`,
    });
  }
  await retryFailures(run);
  if (options.retryFailedOnly) return run.summary('completed');
  if (options.countTotals) await countTotals(run, startIndex);

  for (const [index, resourceType] of resourceTypes.entries()) {
    if (index < startIndex) continue;
    run.phase = resourceType;
    const after = index === startIndex ? run.position.lastId : null;
    if (index !== startIndex) {
      run.position = { resourceType, lastId: null };
      await run.checkpoint(false);
    }
    if (!plannerOf(resourceType, run.planContext)) {
      run.disabled.push(resourceType);
      const what = {
        customer: 'IDENTIFY_CUSTOMERS is false and EVENT_SIGNED_UP is off',
        'business-unit': 'GROUP_BUSINESS_UNITS is false',
        order: 'EVENT_ORDER_COMPLETED is off',
      }[resourceType];
      runtime.output.notice({
        type: 'notice',
        kind: 'disabled',
        resourceType,
        message: `${resourceType}s not read: ${what}, so there is nothing to send`,
      });
      continue;
    }
    run.reportProgress();
    const outcome = await backfillType(run, resourceType, after);
    if (outcome === 'interrupted') return run.summary('interrupted');
    if (outcome !== 'done') return run.summary('aborted', outcome.error);
  }
  await run.checkpoint(true);
  run.reportProgress();
  return run.summary('completed');
}
