/** One backfill run's state: what it was given, where it stands, how it plans and reports. */
import type { BusinessUnit, Customer, Order } from '@commercetools/platform-sdk';
import { businessUnitPlanner } from '../../handlers/business-unit';
import { newCustomerPlanner } from '../../handlers/customer';
import { orderCompletedPlanner } from '../../handlers/order';
import type { PlanContext } from '../../handlers/types';
import type { MappingResult } from '../../mapping/types';
import { noopMetrics, type Metrics } from '../../telemetry/metrics';
import { checkpointFiltersOf, writeCheckpoint, type Checkpoint } from './checkpoint';
import { countOutcome, perSecond, progressOf, startTally, type ResourceOutcome, type Tally } from './counts';
import { type Resource } from './pages';
import { describeShard } from './shards';
import { createTokenBucket, withRetry, type RetryNotice } from './throttle';
import {
  DEFAULT_RETRY,
  MAX_PAGE_SIZE,
  type BackfillDependencies,
  type BackfillFilters,
  type BackfillOptions,
  type BackfillResourceType,
  type BackfillRuntime,
  type BackfillSummary,
} from './types';

/** The planner of a resource type's creation events; undefined when they are all switched off. */
export function plannerOf(
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

/** What a run is given. */
export interface RunSetup {
  dependencies: BackfillDependencies;
  options: BackfillOptions;
  runtime: BackfillRuntime;
  /** The types to backfill, in the order they are read. */
  resourceTypes: BackfillResourceType[];
  filters: BackfillFilters;
  /** What the checkpoint is written for. */
  checkpointFilters: ReturnType<typeof checkpointFiltersOf>;
  /** The checkpoint this run resumes, if any. */
  previous: Checkpoint | undefined;
}

/** One run: what it was given, and where it stands. */
export class Run {
  readonly dependencies: BackfillDependencies;
  readonly options: BackfillOptions;
  readonly runtime: BackfillRuntime;
  readonly resourceTypes: BackfillResourceType[];
  readonly filters: BackfillFilters;
  readonly checkpointFilters: ReturnType<typeof checkpointFiltersOf>;
  readonly previous: Checkpoint | undefined;
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
  readonly metrics: Metrics;
  /** The shard as a metric attribute: `K/N`, or `0/1` for the whole id space. */
  readonly shardLabel: string;

  constructor(setup: RunSetup) {
    const { dependencies, options, runtime, resourceTypes, previous } = setup;
    this.dependencies = dependencies;
    this.options = options;
    this.runtime = runtime;
    this.resourceTypes = resourceTypes;
    this.filters = setup.filters;
    this.checkpointFilters = setup.checkpointFilters;
    this.previous = previous;
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
      ...(dependencies.catalog ? { catalog: dependencies.catalog } : {}),
      events: dependencies.events,
    };
    this.pageSize = options.pageSize ?? MAX_PAGE_SIZE;
    this.random = runtime.random ?? Math.random;
    this.metrics = dependencies.metrics ?? noopMetrics;
    this.shardLabel = describeShard(options.shard ?? { index: 0, count: 1 });
  }

  /** Resources this run read from commercetools (a page, or a failed one read again). */
  read(count: number): void {
    this.metrics.backfillResources(this.shardLabel, 'read', count);
  }

  /** What became of one resource, for the metrics; the tally counts it too (countOutcome, countRetried). */
  observe(outcome: ResourceOutcome): void {
    this.metrics.backfillResources(this.shardLabel, outcome.kind, 1);
  }

  elapsedSeconds(): number {
    return Math.max(0, this.runtime.clock.now() - this.startedAt) / 1000;
  }

  reportProgress(): void {
    this.runtime.output.progress(
      progressOf(this.tally, {
        resourceTypes: this.resourceTypes,
        phase: this.phase,
        totals: this.totals,
        elapsedSeconds: this.elapsedSeconds(),
      }),
    );
  }

  /** Counts what became of one resource and reports the progress. */
  record(resourceType: BackfillResourceType, outcome: ResourceOutcome): void {
    this.tally = countOutcome(this.tally, resourceType, outcome);
    this.observe(outcome);
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
    const onRetry = ({ attempt: tried, delayMs, reason }: RetryNotice) => {
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
    };
    return withRetry(attempt, { policy, clock: this.runtime.clock, random: this.random, onRetry });
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
