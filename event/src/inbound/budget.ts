import { getHeapStatistics } from 'node:v8';
import { overloaded } from '../errors';
import type { ByteAccount } from '../transport/parse';

/**
 * The bytes every request in progress holds, together, have a ceiling: what senders send (read as
 * it arrives) and what their JSON costs once parsed (estimated before it is, see
 * transport/json-cost.ts). A request that would take the total past it is answered
 * `503 overloaded` and redelivered later, instead of the process running out of heap.
 */
export interface ByteBudget {
  /** The ceiling, bytes. */
  readonly limit: number;
  /** Bytes charged now, by every request together. */
  held(): number;
  /** One request's account; close it when the request's work is done. */
  open(): RequestAccount;
}

export interface RequestAccount extends ByteAccount {
  /** Bytes this request holds now. */
  readonly charged: number;
  /** Gives back everything this request was charged; further charges throw. Idempotent. */
  close(): void;
}

export function createByteBudget(limit: number): ByteBudget {
  let held = 0;
  return {
    limit,
    held: () => held,
    open() {
      let charged = 0;
      let closed = false;
      return {
        get charged() {
          return charged;
        },
        charge(bytes) {
          if (closed || held + bytes > limit) throw overloaded('the connector holds all it can; retry later');
          held += bytes;
          charged += bytes;
        },
        release(bytes) {
          const released = Math.min(bytes, charged);
          charged -= released;
          held -= released;
        },
        close() {
          held -= charged;
          charged = 0;
          closed = true;
        },
      };
    },
  };
}

/**
 * Three eighths of V8's heap limit, so the flags that size the heap (package.json's
 * `--max-old-space-size=128 --max-semi-space-size=16`: a 176 MB limit, 66 MB of budget) size the
 * budget too. The rest holds the process itself (about 25 MB), the resources read from
 * commercetools and the calls on their way to Segment for the notifications in progress. It must
 * hold Pub/Sub's largest push alone: 13.4 MB as read, its text and envelope, then 10 MB of data
 * with its text and parsed order, about 58 MB at the peak (see docs/delivery.md, "Limits at the edge").
 */
export function defaultByteBudget(): number {
  return Math.floor((getHeapStatistics().heap_size_limit * 3) / 8);
}
