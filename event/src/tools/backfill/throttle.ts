/** How a backfill paces itself: retries with back-off, an event rate toward Segment, bounded concurrency. */
import { statusOf } from '../../commercetools/errors';
import { ConnectorError } from '../../errors';
import { SegmentRejection } from '../../segment/sink';
import type { Clock, RetryPolicy } from './types';

/**
 * Worth another attempt: commercetools or Segment unavailable (network, timeout, 5xx, 429).
 * A 4xx other than 429 (bad predicate, missing scope, wrong credentials) will not change by
 * waiting; an exception from our own code (a mapping bug) neither.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ConnectorError) || error.kind !== 'upstream-unavailable') return false;
  const status = statusOf(error.cause);
  return status === undefined || status === 0 || status === 429 || status >= 500;
}

/** Safe to print: our errors' public messages, never an exception's text (it may hold data). */
export function reasonOf(error: unknown): string {
  if (error instanceof ConnectorError) return error.publicMessage;
  // Segment's refusal for good: never retried, named as such.
  if (error instanceof SegmentRejection) return `segment-rejected: ${error.segmentMessage}`;
  return `unexpected ${error instanceof Error ? error.name : 'error'} (see npm run preview for this resource)`;
}

/**
 * Events may go at `ratePerSecond`, in bursts of at most a tenth of a second's worth, so no
 * second ever carries much more than the rate. Callers that find it empty wait their turn.
 */
export function createTokenBucket(ratePerSecond: number, clock: Clock): (events: number) => Promise<void> {
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
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
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

export interface RetryNotice {
  attempt: number;
  delayMs: number;
  reason: string;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or `policy.attempts` are spent; waits a
 * doubling, half-random delay between attempts (many resources failing together do not retry
 * together), telling `onRetry` before each wait.
 */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  {
    policy,
    clock,
    random,
    onRetry,
  }: { policy: RetryPolicy; clock: Clock; random: () => number; onRetry: (notice: RetryNotice) => void },
): Promise<T> {
  for (let tried = 1; ; tried += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryable(error) || tried >= policy.attempts) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (tried - 1));
      const delayMs = Math.round(ceiling / 2 + (random() * ceiling) / 2);
      onRetry({ attempt: tried, delayMs, reason: reasonOf(error) });
      await clock.sleep(delayMs);
    }
  }
}
