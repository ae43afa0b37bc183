import type { HTTPClient, HTTPClientRequest, HTTPResponse } from '@segment/analytics-node';

/**
 * Segment accepts up to 500 KB per batch request; stay clear of it (analytics-node's own batches
 * stop at about 480 KB, so a merged request never holds one that would not fit alone).
 */
export const MAX_MERGED_BATCH_BYTES = 450_000;

const BATCH_BODY_START = '{"batch":[';

export interface CoalescingOptions {
  /**
   * Requests to Segment in flight at once; further batches wait and are merged. Beyond the
   * first, a request starts only once the oldest in flight has taken `extraLaneAfterMs`: one
   * request at a time batches best, and a second lane keeps a slow or hanging request from
   * holding everything behind it.
   */
  maxInFlight: number;
  extraLaneAfterMs?: number;
  /** Largest merged request body, bytes. */
  maxBatchBytes: number;
}

interface Pending {
  request: HTTPClientRequest;
  bytes: number;
  resolve: (response: HTTPResponse) => void;
  reject: (error: unknown) => void;
}

/**
 * An analytics-node HTTP client that merges batches. analytics-node sends a batch per flush; under
 * load that is one small request per notification. Here at most `maxInFlight` requests are out
 * at once, and every batch that arrives meanwhile joins the next request. Each batch still
 * learns its own fate: its makeRequest resolves with the answer to the request that carried it,
 * so analytics-node settles (or retries) exactly those events, and a notification is
 * acknowledged only once Segment took the request holding its events.
 */
export function createCoalescingHttpClient(transport: HTTPClient, options: CoalescingOptions): HTTPClient {
  const queue: Pending[] = [];
  /** Start times of the requests in flight, oldest first. */
  const startedAt: number[] = [];
  let laneTimer: NodeJS.Timeout | undefined;
  const extraLaneAfterMs = options.extraLaneAfterMs ?? 0;

  function takeMergeable(): Pending[] {
    const first = queue.shift() as Pending;
    const taken = [first];
    let bytes = first.bytes;
    const sameTarget = (pending: Pending) =>
      pending.request.url === first.request.url &&
      pending.request.headers.Authorization === first.request.headers.Authorization;
    while (queue.length > 0) {
      const next = queue[0] as Pending;
      if (!sameTarget(next) || bytes + next.bytes > options.maxBatchBytes) break;
      queue.shift();
      taken.push(next);
      bytes += next.bytes;
    }
    return taken;
  }

  function merge(batches: Pending[]): HTTPClientRequest {
    const first = batches[0] as Pending;
    if (batches.length === 1) return first.request;
    const { 'X-Retry-Count': _retries, ...headers } = first.request.headers;
    // Bodies are parsed only here: a batch that goes out alone is sent as analytics-node wrote it.
    const bodies = batches.map((pending) => JSON.parse(pending.request.body) as { batch: unknown[]; writeKey?: string });
    return {
      ...first.request,
      headers,
      body: JSON.stringify({ batch: bodies.flatMap((body) => body.batch), writeKey: bodies[0]?.writeKey, sentAt: new Date() }),
      httpRequestTimeout: Math.max(...batches.map((pending) => pending.request.httpRequestTimeout)),
    };
  }

  /** ms until another request may start: 0 now, Infinity when the lanes are full. */
  function waitForLane(now: number): number {
    if (startedAt.length === 0) return 0;
    if (startedAt.length >= options.maxInFlight) return Infinity;
    return Math.max(0, (startedAt[0] as number) + extraLaneAfterMs - now);
  }

  function pump(): void {
    while (queue.length > 0) {
      const now = Date.now();
      const wait = waitForLane(now);
      if (wait === Infinity) return;
      if (wait > 0) {
        // Check again when the oldest request has been out long enough to open another lane.
        laneTimer ??= setTimeout(() => {
          laneTimer = undefined;
          pump();
        }, wait);
        return;
      }
      const batches = takeMergeable();
      startedAt.push(now);
      transport
        .makeRequest(merge(batches))
        .then(
          (response) => batches.forEach((pending) => pending.resolve(response)),
          (error: unknown) => batches.forEach((pending) => pending.reject(error)),
        )
        .finally(() => {
          startedAt.splice(startedAt.indexOf(now), 1);
          pump();
        });
    }
  }

  return {
    makeRequest(request) {
      // analytics-node writes `{"batch":[…],"writeKey":…,"sentAt":…}`; anything else is sent as it is.
      if (!request.body.startsWith(BATCH_BODY_START)) return transport.makeRequest(request);
      return new Promise<HTTPResponse>((resolve, reject) => {
        queue.push({ request, bytes: Buffer.byteLength(request.body), resolve, reject });
        pump();
      });
    },
  };
}
