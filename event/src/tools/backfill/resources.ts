/** What happens to each resource of a backfill: planned, looked up, sent, retried. */
import type { Order } from '@commercetools/platform-sdk';
import { needsGuestEmailLookup } from '../../mapping/order';
import type { PlanContext } from '../../handlers/types';
import type { MappingResult } from '../../mapping/types';
import type { SegmentCall } from '../../segment/calls';
import { countRetried, type ResourceOutcome } from './counts';
import { type Resource } from './pages';
import { forEachLimited, reasonOf } from './throttle';
import { type BackfillResourceType, type FailedResource } from './types';

import { plannerOf, type Run } from './state';

/**
 * Sends one resource's calls, retrying what is worth it. No abort signal: once handed over, a
 * resource's events are seen through, so the page can be checkpointed; the sink's own bound on
 * every wait (SegmentSinkLimits.maxWaitMs) keeps none pending for ever.
 */
async function sendWithRetries(run: Run, id: string, calls: readonly SegmentCall[]): Promise<ResourceOutcome> {
  try {
    await run.retrying(async () => {
      await run.takeTokens(calls.length);
      await run.dependencies.segment.send(calls);
    });
    return { kind: 'sent', events: calls.length };
  } catch (error) {
    return { kind: 'failed', reason: reasonOf(error), id };
  }
}

/** Sends one resource's calls and records what became of it. */
async function sendResource(
  run: Run,
  resource: { type: BackfillResourceType; id: string },
  calls: readonly SegmentCall[],
): Promise<void> {
  run.record(resource.type, await sendWithRetries(run, resource.id, calls));
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
export async function retryFailures(run: Run): Promise<void> {
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
      if (resource) run.read(1);
      const result = resource ? await run.retrying(() => plan(resource)) : undefined;
      if (!result) outcome = { kind: 'skipped', reason: 'not-found' };
      else if (result.kind === 'skip') outcome = { kind: 'skipped', reason: result.reason };
      else if (run.options.dryRun) outcome = { kind: 'sent', events: result.calls.length };
      else outcome = await sendWithRetries(run, failure.id, result.calls);
    } catch (error) {
      outcome = { kind: 'failed', reason: reasonOf(error), id: failure.id };
    }
    run.tally = countRetried(run.tally, failure, outcome);
    run.observe(outcome);
    run.reportProgress();
  });
  await run.checkpoint(run.previous?.done === true);
}

/**
 * The plan context for a page: for orders, the guests' emails are looked up for the whole page in a
 * few queries, and each order's plan reads the answer from there (the same answers as one look-up
 * per order). Should that fail, each order looks its email up itself, as the live path does. The
 * page's products' categories are read the same way, into the catalog's cache, so each order's
 * plan finds them there.
 */
async function pageContext(run: Run, resourceType: BackfillResourceType, resources: Resource[]): Promise<PlanContext> {
  if (resourceType !== 'order') return run.planContext;
  const { commercetools, mapping, catalog } = run.planContext;
  if (catalog) {
    const productIds = (resources as Order[]).flatMap((order) => order.lineItems.map((item) => item.productId));
    await run.retrying(() => catalog.categoriesOf(productIds)).catch(() => undefined);
  }
  const emails = (resources as Order[]).flatMap((order) =>
    needsGuestEmailLookup(order, mapping.anonymousIdFallback, mapping.tracking) && order.customerEmail
      ? [order.customerEmail]
      : [],
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

/**
 * Plans at most `concurrency` resources at once (commercetools), sends each one's calls as its
 * plan is ready (Segment, rate-limited), and resolves once every resource's outcome is recorded.
 */
export async function processPage(run: Run, resourceType: BackfillResourceType, resources: Resource[]): Promise<void> {
  const plan = plannerOf(resourceType, await pageContext(run, resourceType, resources));
  if (!plan) throw new Error(`${resourceType}s are disabled: nothing should have been read`);
  const sends: Promise<void>[] = [];
  await forEachLimited(resources, run.options.concurrency, async (resource) => {
    let result: MappingResult;
    try {
      result = await run.retrying(() => plan(resource));
    } catch (error) {
      run.record(resourceType, { kind: 'failed', reason: reasonOf(error), id: resource.id });
      return;
    }
    if (result.kind === 'skip') return run.record(resourceType, { kind: 'skipped', reason: result.reason });
    if (run.options.dryRun) return run.record(resourceType, { kind: 'sent', events: result.calls.length });
    sends.push(sendResource(run, { type: resourceType, id: resource.id }, result.calls));
  });
  await Promise.all(sends);
}
