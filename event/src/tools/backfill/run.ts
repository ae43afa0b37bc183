/**
 * The backfill engine: pages through commercetools customers, business units and orders and hands
 * each one's creation events (identify + Signed Up; a group call per associate; guest identify +
 * Order Completed) to the same planners and sink as the live path. Their messageIds are therefore
 * the live path's, so a re-run, or an overlap with live traffic, is deduplicated by Segment.
 *
 * Everything it touches is passed in (commercetools, the sink, a clock, an output): no process.env,
 * no console. The CLI (src/cli/backfill.ts) parses arguments and prints.
 */
import { checkpointFiltersOf, usableCheckpoint, type Checkpoint } from './checkpoint';
import { countResources, readPage, type Resource } from './pages';
import { reasonOf } from './throttle';
import {
  BACKFILL_RESOURCE_TYPES,
  MAX_PAGE_SIZE,
  type BackfillDependencies,
  type BackfillFilters,
  type BackfillOptions,
  type BackfillResourceType,
  type BackfillRuntime,
  type BackfillSummary,
} from './types';

import { plannerOf, Run } from './state';
import { processPage, retryFailures } from './resources';

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

/** One resource type from `after` to its end; the cause when it stopped early. */
async function backfillType(
  run: Run,
  resourceType: BackfillResourceType,
  after: string | null,
): Promise<'done' | 'interrupted' | { error: string }> {
  const { pageSize, options } = run;
  const fetchPage = (cursor: string | null) => {
    const page = run.retrying(
      () => readPage(run.dependencies.api, { resourceType, filters: run.filters, after: cursor, limit: pageSize }),
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
    run.read(page.length);
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
        counts[resourceType].processed +
        (await countResources(run.dependencies.api, { resourceType, filters: run.filters, after }));
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

function resumeWhere(previous: Checkpoint): string {
  if (previous.done) {
    const failed = previous.failures.length;
    return failed > 0
      ? `a completed backfill (last written ${previous.updatedAt}); retrying its ${failed} failed resources`
      : `a completed backfill (last written ${previous.updatedAt}) with nothing failed: nothing to do (delete it, or choose another --resume file, to run it again)`;
  }
  return previous.lastId
    ? `${previous.resourceType}s after ${previous.lastId}`
    : `from the first ${previous.resourceType}`;
}

/**
 * Backfills the requested resource types, page by page, and resolves with the summary. Throws
 * only before anything was done (invalid options, a checkpoint of other options); a page that
 * cannot be read after the retries ends the run as `aborted`, resumable from the last checkpoint.
 * A resumed run first retries the resources the checkpoint lists as failed; when the checkpoint
 * is of a completed backfill, that is all it does (and with nothing failed, it does nothing).
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
  const run = new Run({ dependencies, options, runtime, resourceTypes, filters, checkpointFilters, previous });

  const startIndex = resourceTypes.indexOf(run.position.resourceType);
  if (previous) {
    runtime.output.notice({
      type: 'notice',
      kind: 'resume',
      resourceType: previous.resourceType,
      lastId: previous.lastId,
      processed: resourceTypes.reduce((total, type) => total + run.tally.counts[type].processed, 0),
      message: `resuming ${options.checkpointFile}: ${resumeWhere(previous)}`,
    });
  }
  await retryFailures(run);
  // Every page of a completed backfill was read: only its failures were left to do.
  if (options.retryFailedOnly || previous?.done) return run.summary('completed');
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
