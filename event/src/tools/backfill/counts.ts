/** Counting a backfill: pure functions from where it stands and what became of one resource. */
import type { BackfillProgress, BackfillResourceType, FailedResource, ResourceCounts } from './types';

/** What a backfill has done: the whole backfill's counts (earlier runs of a resumed one included) and this run's. */
export interface Tally {
  counts: Record<BackfillResourceType, ResourceCounts>;
  failures: FailedResource[];
  run: { resources: number; events: number; pages: number; retries: number };
}

/** What became of one resource. */
export type ResourceOutcome =
  /** Segment accepted the resource's calls (in a dry run: they would have been sent). */
  | { kind: 'sent'; events: number }
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; reason: string; id: string };

export const emptyCounts = (): ResourceCounts => ({ processed: 0, sent: 0, events: 0, skipped: {}, failed: {} });

export const sum = (record: Record<string, number>) => Object.values(record).reduce((total, count) => total + count, 0);

export function startTally(previous?: Pick<Tally, 'counts' | 'failures'>): Tally {
  return {
    counts: previous
      ? structuredClone(previous.counts)
      : { customer: emptyCounts(), 'business-unit': emptyCounts(), order: emptyCounts() },
    failures: previous ? [...previous.failures] : [],
    run: { resources: 0, events: 0, pages: 0, retries: 0 },
  };
}

const increment = (record: Record<string, number>, key: string) => ({ ...record, [key]: (record[key] ?? 0) + 1 });

/** The tally once `outcome` of one resource of `resourceType` is counted. */
export function countOutcome(tally: Tally, resourceType: BackfillResourceType, outcome: ResourceOutcome): Tally {
  const before = tally.counts[resourceType];
  const typeCounts: ResourceCounts = { ...before, processed: before.processed + 1 };
  let { failures } = tally;
  let events = 0;
  if (outcome.kind === 'sent') {
    typeCounts.sent += 1;
    typeCounts.events += outcome.events;
    events = outcome.events;
  } else if (outcome.kind === 'skipped') {
    typeCounts.skipped = increment(before.skipped, outcome.reason);
  } else {
    typeCounts.failed = increment(before.failed, outcome.reason);
    // Every one is kept: a resumed run retries them.
    failures = [...failures, { resourceType, id: outcome.id, reason: outcome.reason }];
  }
  return {
    counts: { ...tally.counts, [resourceType]: typeCounts },
    failures,
    run: { ...tally.run, resources: tally.run.resources + 1, events: tally.run.events + events },
  };
}

/**
 * The tally once a resource that had failed (in an earlier run) has been retried: it leaves the
 * failures and its old reason's count, and counts as what became of it now, without being
 * processed a second time.
 */
export function countRetried(tally: Tally, failure: FailedResource, outcome: ResourceOutcome): Tally {
  const { resourceType } = failure;
  const before = tally.counts[resourceType];
  const failed = { ...before.failed, [failure.reason]: (before.failed[failure.reason] ?? 1) - 1 };
  if (failed[failure.reason] === 0) delete failed[failure.reason];
  const withoutIt: Tally = {
    ...tally,
    counts: { ...tally.counts, [resourceType]: { ...before, failed, processed: before.processed - 1 } },
    failures: tally.failures.filter((listed) => listed !== failure),
    run: { ...tally.run, resources: tally.run.resources - 1 },
  };
  return countOutcome(withoutIt, resourceType, outcome.kind === 'failed' ? { ...outcome, id: failure.id } : outcome);
}

/** Where the backfill stands, for its output. */
export function progressOf(
  tally: Tally,
  {
    resourceTypes,
    phase,
    totals,
    elapsedSeconds,
  }: {
    /** The types this backfill covers. */
    resourceTypes: readonly BackfillResourceType[];
    /** The type being read now. */
    phase: BackfillResourceType;
    /** How many resources of each type there are, where they were counted. */
    totals: Partial<Record<BackfillResourceType, number>>;
    elapsedSeconds: number;
  },
): BackfillProgress {
  const all = resourceTypes.map((type) => tally.counts[type]);
  const total = (pick: (counts: ResourceCounts) => number) => all.reduce((sumOf, counts) => sumOf + pick(counts), 0);
  const { customer, order } = tally.counts;
  const units = tally.counts['business-unit'];
  return {
    type: 'progress',
    phase,
    customers: { processed: customer.processed, ...(totals.customer !== undefined ? { total: totals.customer } : {}) },
    businessUnits: {
      processed: units.processed,
      ...(totals['business-unit'] !== undefined ? { total: totals['business-unit'] } : {}),
    },
    orders: { processed: order.processed, ...(totals.order !== undefined ? { total: totals.order } : {}) },
    sent: total((counts) => counts.sent),
    events: total((counts) => counts.events),
    skipped: total((counts) => sum(counts.skipped)),
    failed: total((counts) => sum(counts.failed)),
    eventsPerSecond: perSecond(tally.run.events, elapsedSeconds),
    elapsedSeconds: Math.round(elapsedSeconds * 10) / 10,
  };
}

export const perSecond = (count: number, seconds: number) =>
  seconds > 0 ? Math.round((count / seconds) * 10) / 10 : 0;
