/**
 * A signed SNS message proves who sent it, not when: a captured message verifies for as long as
 * its certificate is valid. So a signature authenticates a delivery only while the message is
 * fresh (signed within the last hour) and not yet acknowledged by this instance. Anything else is
 * still processed, as an unauthenticated delivery: its claims are proven by commercetools.
 */

/** Older than this, a signed message is treated as unauthenticated. */
export const SNS_FRESH_FOR_MS = 60 * 60 * 1000;
/** Clocks differ: a Timestamp this far ahead of ours still counts as now. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;
/**
 * Acknowledged MessageIds remembered, at most (about 100 bytes each). Past this, the oldest are
 * forgotten before their hour is up: a replay of one of those is believed again, which costs
 * only what the original did (the same messageIds, deduplicated by Segment).
 */
export const SNS_REMEMBERED_IDS = 20_000;

export interface SnsFreshness {
  /** Whether a message signed at `timestamp` with this MessageId may authenticate its delivery. */
  believable(messageId: string, timestamp: string): boolean;
  /**
   * The delivery of this MessageId was acknowledged: a later copy is a replay (SNS's own retries
   * follow a failed answer, never an acknowledged one).
   */
  acknowledged(messageId: string): void;
}

export function createSnsFreshness(options: { now?: () => number; maxIds?: number } = {}): SnsFreshness {
  const now = options.now ?? Date.now;
  const maxIds = options.maxIds ?? SNS_REMEMBERED_IDS;
  /** MessageId → when it may be forgotten (its signature is stale by then anyway); insertion order is age order. */
  const seen = new Map<string, number>();

  const forgetExpired = (at: number) => {
    for (const [id, until] of seen) {
      if (until > at && seen.size <= maxIds) break;
      seen.delete(id);
    }
  };

  return {
    believable(messageId, timestamp) {
      const at = now();
      const signedAt = Date.parse(timestamp);
      if (!Number.isFinite(signedAt) || signedAt > at + CLOCK_SKEW_MS || at - signedAt > SNS_FRESH_FOR_MS) return false;
      const until = seen.get(messageId);
      return until === undefined || until <= at;
    },
    acknowledged(messageId) {
      const at = now();
      seen.delete(messageId);
      seen.set(messageId, at + SNS_FRESH_FOR_MS + CLOCK_SKEW_MS);
      forgetExpired(at);
    },
  };
}
