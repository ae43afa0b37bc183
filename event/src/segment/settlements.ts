import type { Analytics, Context } from '@segment/analytics-node';
import type { SegmentCall } from './calls';

/**
 * What became of one call at Segment. Never a rejection: every wait ends in one of these. The
 * message says why, as analytics-node or Segment said it; never event content.
 */
export type Settlement =
  | { kind: 'accepted' }
  /** Segment refused the event for good (4xx other than 408 and 429): a retry is refused again. */
  | { kind: 'refused'; message: string }
  /** Not accepted, but a retry may be: 5xx, 408, 429, a network error, not in time, the client closed. */
  | { kind: 'failed'; message: string };

const NOT_IN_TIME: Settlement = { kind: 'failed', message: 'Segment did not accept the event in time' };
const CLOSED: Settlement = { kind: 'failed', message: 'the Segment client was closed before the event was sent' };

/** 4xx answers a retry cannot change; 408 (timeout) and 429 (rate limit) can. */
function isPermanentStatus(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** analytics-node fails a batch with `[status] statusText`, or with its own reasons. */
export function settlementOf(reason: unknown): Settlement {
  const message = (reason instanceof Error ? reason.message : String(reason ?? 'unknown reason')).slice(0, 300);
  const status = /^\[(\d{3})\]/.exec(message)?.[1];
  const permanent =
    status !== undefined ? isPermanentStatus(Number(status)) : /exceeds maximum event size/i.test(message);
  return { kind: permanent ? 'refused' : 'failed', message };
}

interface Waiter {
  settle: (settlement: Settlement) => void;
}

/** What became of calls at Segment, as one analytics-node instance reports it. */
export interface CallSettlements {
  /**
   * Enqueues the calls (in order) and resolves with each one's settlement, once all are
   * settled: accepted, refused, or not accepted before `signal` aborted.
   */
  settle(calls: readonly SegmentCall[], signal: AbortSignal): Promise<Settlement[]>;
}

/**
 * Follows each call through an analytics-node instance. analytics-node reports an event's fate
 * on its emitter as soon as its batch settled ('track' / 'identify' / 'group' on success, 'error' with
 * code 'delivery_failure' otherwise). Per-call callbacks would tell the same, but never sooner
 * than ~300 ms after the call (a legacy delay in analytics-core), so the emitter is both faster
 * and just as strict. What the emitter may never report (an error without a context) is ended
 * by the signal, which every caller gives.
 */
export function followSettlements(analytics: Analytics): CallSettlements {
  // The same messageId may be in flight twice (a redelivery racing the original): first in, first settled.
  const waiting = new Map<string, Waiter[]>();

  const settleFirst = (messageId: string | undefined, settlement: Settlement) => {
    if (!messageId) return;
    const queue = waiting.get(messageId);
    const waiter = queue?.shift();
    if (queue && queue.length === 0) waiting.delete(messageId);
    waiter?.settle(settlement);
  };

  const accepted = (ctx: Context) => settleFirst(ctx.event.messageId, { kind: 'accepted' });
  analytics.on('identify', accepted);
  analytics.on('group', accepted);
  analytics.on('track', accepted);
  analytics.on('error', (failure) => {
    const { ctx, reason } = failure as { ctx?: Context; reason?: unknown };
    settleFirst(ctx?.event.messageId, settlementOf(reason));
  });
  analytics.on('call_after_close', (event) => settleFirst(event.messageId, CLOSED));

  function wait(messageId: string, signal: AbortSignal): Promise<Settlement> {
    return new Promise<Settlement>((resolve) => {
      const waiter: Waiter = {
        settle: (settlement) => {
          signal.removeEventListener('abort', onAbort);
          resolve(settlement);
        },
      };
      function onAbort() {
        const queue = waiting.get(messageId);
        const index = queue?.indexOf(waiter) ?? -1;
        if (queue && index >= 0) queue.splice(index, 1);
        if (queue && queue.length === 0) waiting.delete(messageId);
        resolve(NOT_IN_TIME);
      }
      if (signal.aborted) return resolve(NOT_IN_TIME);
      signal.addEventListener('abort', onAbort, { once: true });
      const queue = waiting.get(messageId);
      if (queue) queue.push(waiter);
      else waiting.set(messageId, [waiter]);
    });
  }

  function enqueue(call: SegmentCall): void {
    // Both when both are known: Segment merges the browser's anonymous history into the user.
    const identity =
      call.userId !== undefined
        ? { userId: call.userId, ...(call.anonymousId !== undefined ? { anonymousId: call.anonymousId } : {}) }
        : { anonymousId: call.anonymousId as string };
    const common = {
      ...identity,
      messageId: call.messageId,
      timestamp: call.timestamp,
      ...(call.context ? { context: call.context } : {}),
    };
    if (call.type === 'identify') analytics.identify({ ...common, traits: call.traits });
    else if (call.type === 'group') analytics.group({ ...common, groupId: call.groupId, traits: call.traits });
    else analytics.track({ ...common, event: call.event, properties: call.properties });
  }

  return {
    settle(calls, signal) {
      // Register every waiter before enqueueing, so no settlement can be missed.
      const settlements = calls.map((call) => wait(call.messageId, signal));
      for (const call of calls) {
        try {
          enqueue(call);
        } catch (error) {
          // analytics-node validates synchronously: such a call can never be sent.
          const message = `analytics-node refused the event: ${error instanceof Error ? error.message : String(error)}`;
          settleFirst(call.messageId, { kind: 'refused', message: message.slice(0, 300) });
        }
      }
      return Promise.all(settlements);
    },
  };
}
