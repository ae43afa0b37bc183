import type { RequestHandler } from 'express';

/**
 * How many notifications are worked on at once. Past a core's worth of work, more concurrency
 * only adds memory (every notification in progress holds its order, its calls and its batch)
 * and garbage collection, and lets new arrivals compete with older ones for the same CPU: the
 * tail grows to seconds. Requests beyond the limit wait their turn in arrival order, with their
 * bodies still unread; the wait counts toward their deadline.
 */
export interface AdmissionLimits {
  /** Notifications worked on at once. */
  maxConcurrent: number;
  /** Requests waiting for a turn, at most; beyond it a request is answered 503 at once. */
  maxWaiting: number;
}

/** Requests wait this many times `maxConcurrent` at most before new ones are turned away. */
export const WAITING_PER_CONCURRENT = 16;

export const DEFAULT_MAX_CONCURRENT_NOTIFICATIONS = 64;

export function admissionLimitsOf(maxConcurrent: number): AdmissionLimits {
  return { maxConcurrent, maxWaiting: maxConcurrent * WAITING_PER_CONCURRENT };
}

/** When the request arrived (performance.now(), ms): set by the gate, read for the deadline. */
const RECEIVED_AT = Symbol('receivedAt');

export function receivedAtOf(request: object): number | undefined {
  return (request as { [RECEIVED_AT]?: number })[RECEIVED_AT];
}

/**
 * An Express gate in front of the notification route: at most `maxConcurrent` requests pass at
 * once, the others wait first in, first out. A turn ends when its response is finished or its
 * connection closed, whichever comes first (a sender that gave up must not keep its slot). A
 * request that finds the waiting line full is handed to `turnAway` (the route answers 503, so
 * the sender redelivers later).
 */
export function createAdmissionGate(limits: AdmissionLimits, turnAway: RequestHandler): RequestHandler {
  let active = 0;
  /** Turns in arrival order; a request gone while it waited stays here, as a no-op. */
  const waiting: (() => void)[] = [];
  /** Requests still waiting (those gone excluded). */
  let waitingCount = 0;

  const next = () => {
    while (active < limits.maxConcurrent && waiting.length > 0) (waiting.shift() as () => void)();
  };

  return (req, res, proceed) => {
    (req as { [RECEIVED_AT]?: number })[RECEIVED_AT] = performance.now();
    let state: 'waiting' | 'active' | 'ended' = 'waiting';
    const start = () => {
      if (state !== 'waiting') return; // gone while it waited
      // Gone without the close being seen yet (a waiting request's socket is not read): the
      // sender hung up, so there is no one to answer and no body to read. Its turn passes on.
      if (req.socket?.readable === false) {
        state = 'ended';
        res.destroy();
        return;
      }
      state = 'active';
      active += 1;
      proceed();
    };
    res.once('close', () => {
      if (state === 'waiting') waitingCount -= 1;
      const wasActive = state === 'active';
      state = 'ended';
      if (wasActive) {
        active -= 1;
        next();
      }
    });
    if (active < limits.maxConcurrent && waitingCount === 0) return start();
    if (waitingCount >= limits.maxWaiting) {
      state = 'ended';
      return turnAway(req, res, proceed);
    }
    waitingCount += 1;
    waiting.push(() => {
      if (state === 'waiting') waitingCount -= 1;
      start();
    });
  };
}
