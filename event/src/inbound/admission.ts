import type { Request, Response } from 'express';

/**
 * How many notifications are worked on at once. Past a core's worth of work, more concurrency
 * only adds memory (every notification in progress holds its order, its calls and its batch)
 * and garbage collection, and lets new arrivals compete with older ones for the same CPU: the
 * tail grows to seconds. Requests beyond the limit wait their turn in arrival order, with their
 * bodies unread beyond what came with their headers (see body.ts); the wait counts toward
 * their deadline.
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

export interface AdmissionState {
  /** Requests holding a turn. */
  active: number;
  /** Requests waiting for one. */
  waiting: number;
}

/**
 * At most `maxConcurrent` requests hold a turn at once, the others wait first in, first out. A
 * turn ends when its response is finished or its connection closed, whichever comes first (a
 * sender that gave up must not keep its slot); a waiting request whose connection closes leaves
 * the line at once.
 */
export interface AdmissionGate {
  /**
   * Calls `proceed` once the request has a turn; when the waiting line is full, calls `turnAway`
   * instead (the route answers 503, so the sender redelivers later).
   */
  admit(req: Request, res: Response, then: { proceed: () => void; turnAway: () => void }): void;
  state(): AdmissionState;
}

export function createAdmissionGate(limits: AdmissionLimits): AdmissionGate {
  let active = 0;
  /** Each waiting request's start, in arrival order (a Set keeps it, and lets one leave at once). */
  const waiting = new Set<() => void>();

  const next = () => {
    while (active < limits.maxConcurrent) {
      const first = waiting.values().next();
      if (first.done) return;
      waiting.delete(first.value);
      first.value();
    }
  };

  return {
    state: () => ({ active, waiting: waiting.size }),
    admit(req, res, { proceed, turnAway }) {
      (req as { [RECEIVED_AT]?: number })[RECEIVED_AT] = performance.now();
      let state: 'waiting' | 'active' | 'ended' = 'waiting';
      const start = () => {
        // Gone without the close being seen yet (a socket left unread while its request waited):
        // the sender hung up, so there is no one to answer and no body to read. The turn passes on.
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
        if (state === 'waiting') waiting.delete(start);
        const wasActive = state === 'active';
        state = 'ended';
        if (wasActive) {
          active -= 1;
          next();
        }
      });
      if (active < limits.maxConcurrent && waiting.size === 0) return start();
      if (waiting.size >= limits.maxWaiting) {
        state = 'ended';
        return turnAway();
      }
      waiting.add(start);
    },
  };
}
