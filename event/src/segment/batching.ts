import type { HTTPClient, HTTPClientRequest, HTTPResponse } from '@segment/analytics-node';
import { SEGMENT_MAX_EVENTS_PER_REQUEST } from './limits';

/**
 * Segment accepts up to 500 KB per batch request; stay clear of it. analytics-node's own batches
 * stop at about 480 KB as it counts, which is not UTF-8 bytes: a batch over this is split.
 */
export const MAX_MERGED_BATCH_BYTES = 450_000;

/** Batches waiting for a request, at most, in bytes: beyond it new batches are refused (and retried). */
export const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

const BATCH_BODY_START = '{"batch":[';

export interface CoalescingOptions {
  /**
   * Requests to Segment in flight at once; further batches wait and are merged. Beyond the
   * first, a request starts only once the newest in flight has been out `extraLaneAfterMs`, or
   * at once when the batches waiting fill a request: one request at a time batches best, a
   * staggered second keeps a slow or hanging request from holding everything behind it and
   * bounds the wait, and under heavy load the lanes open as fast as full requests form.
   */
  maxInFlight: number;
  extraLaneAfterMs?: number;
  /** Largest request body, bytes: merges stop below it, and a batch over it alone is split. */
  maxBatchBytes: number;
  /** Most events analytics-node puts in one batch (its flushAt), so merges stay within Segment's 2,500. */
  eventsPerBatch?: number;
  /** Most bytes of batches waiting; a batch that would go beyond is refused at once. */
  maxQueuedBytes?: number;
}

interface Pending {
  request: HTTPClientRequest;
  bytes: number;
  resolve: (response: HTTPResponse) => void;
  reject: (error: unknown) => void;
}

/**
 * One body holding the events of several, in order, without parsing them: analytics-node writes
 * each as `{"batch":[…],"writeKey":…,"sentAt":…}` (JSON.stringify of that object), so each one's
 * events are the text between its `{"batch":[` and the `],"writeKey":` (or `],"sentAt":`) that
 * follows its last event. A body of any other shape is parsed instead.
 */
export function mergedBody(bodies: readonly string[]): string {
  const parts: string[] = [];
  let writeKeyPart: string | undefined;
  for (const body of bodies) {
    const shape = batchShapeOf(body);
    if (!shape) return mergedByParsing(bodies);
    const events = body.slice(BATCH_BODY_START.length, shape.end);
    if (events.length > 0) parts.push(events);
    // The first body's write key (`,"writeKey":"…"`, empty when it has none), as the parsed merge keeps it.
    writeKeyPart ??= body.slice(shape.end + 1, shape.sentAt);
  }
  return `${BATCH_BODY_START}${parts.join(',')}]${writeKeyPart ?? ''},"sentAt":${JSON.stringify(new Date())}}`;
}

/**
 * Where the batch array of an analytics-node body closes (`end`) and its `,"sentAt":` starts, or
 * undefined when it is not such a body.
 */
function batchShapeOf(body: string): { end: number; sentAt: number } | undefined {
  if (!body.startsWith(BATCH_BODY_START) || !body.endsWith('"}')) return undefined;
  const sentAt = body.lastIndexOf(',"sentAt":"');
  if (sentAt < 0) return undefined;
  const writeKey = body.lastIndexOf('],"writeKey":', sentAt);
  const end = writeKey >= 0 ? writeKey : sentAt - 1;
  return body[end] === ']' && end >= BATCH_BODY_START.length - 1 ? { end, sentAt } : undefined;
}

function mergedByParsing(bodies: readonly string[]): string {
  const parsed = bodies.map((body) => JSON.parse(body) as { batch: unknown[]; writeKey?: string });
  return JSON.stringify({
    batch: parsed.flatMap((body) => body.batch),
    writeKey: parsed[0]?.writeKey,
    sentAt: new Date(),
  });
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
  let queuedBytes = 0;
  /** Start times of the requests in flight, oldest first. */
  const startedAt: number[] = [];
  let laneTimer: NodeJS.Timeout | undefined;
  const extraLaneAfterMs = options.extraLaneAfterMs ?? 0;
  const maxQueuedBytes = options.maxQueuedBytes ?? MAX_QUEUED_BYTES;
  const maxBatchesPerRequest = Math.max(
    1,
    Math.floor(SEGMENT_MAX_EVENTS_PER_REQUEST / Math.max(1, options.eventsPerBatch ?? 100)),
  );

  function takeMergeable(): Pending[] {
    const first = queue.shift() as Pending;
    const taken = [first];
    let bytes = first.bytes;
    // The write key is in the Authorization header: requests of different sources never mix.
    const sameTarget = (pending: Pending) =>
      pending.request.url === first.request.url &&
      pending.request.headers.Authorization === first.request.headers.Authorization;
    while (queue.length > 0 && taken.length < maxBatchesPerRequest) {
      const next = queue[0] as Pending;
      if (!sameTarget(next) || bytes + next.bytes > options.maxBatchBytes) break;
      queue.shift();
      taken.push(next);
      bytes += next.bytes;
    }
    queuedBytes -= bytes;
    return taken;
  }

  /** Sends a batch too large for one request as several, answering with the first failure, if any. */
  async function sendSplit(request: HTTPClientRequest): Promise<HTTPResponse> {
    const body = JSON.parse(request.body) as { batch: unknown[]; writeKey?: string };
    const chunks: unknown[][] = [[]];
    let bytes = 0;
    for (const event of body.batch) {
      const size = Buffer.byteLength(JSON.stringify(event)) + 1;
      const last = chunks[chunks.length - 1] as unknown[];
      if (
        last.length > 0 &&
        (bytes + size > options.maxBatchBytes - 200 || last.length >= SEGMENT_MAX_EVENTS_PER_REQUEST)
      ) {
        chunks.push([event]);
        bytes = size;
      } else {
        last.push(event);
        bytes += size;
      }
    }
    const responses = await Promise.all(
      chunks.map((batch) =>
        transport.makeRequest({
          ...request,
          body: JSON.stringify({ batch, writeKey: body.writeKey, sentAt: new Date() }),
        }),
      ),
    );
    return (
      responses.find((response) => response.status < 200 || response.status >= 300) ?? (responses[0] as HTTPResponse)
    );
  }

  function sendOne(request: HTTPClientRequest, bytes: number): Promise<HTTPResponse> {
    return bytes > options.maxBatchBytes ? sendSplit(request) : transport.makeRequest(request);
  }

  function merge(batches: Pending[]): HTTPClientRequest {
    const first = batches[0] as Pending;
    if (batches.length === 1) return first.request;
    const { 'X-Retry-Count': _retries, ...headers } = first.request.headers;
    return {
      ...first.request,
      headers,
      body: mergedBody(batches.map((pending) => pending.request.body)),
      httpRequestTimeout: Math.max(...batches.map((pending) => pending.request.httpRequestTimeout)),
    };
  }

  /** ms until another request may start: 0 now, Infinity when the lanes are full. */
  function waitForLane(now: number): number {
    if (startedAt.length === 0) return 0;
    if (startedAt.length >= options.maxInFlight) return Infinity;
    // Enough waiting for a full request: waiting longer would not batch better.
    if (queuedBytes >= options.maxBatchBytes || queue.length >= maxBatchesPerRequest) return 0;
    return Math.max(0, (startedAt[startedAt.length - 1] as number) + extraLaneAfterMs - now);
  }

  function pump(): void {
    while (queue.length > 0) {
      const now = Date.now();
      const wait = waitForLane(now);
      if (wait === Infinity) return;
      if (wait > 0) {
        // Check again when the newest request has been out long enough to open another lane.
        laneTimer ??= setTimeout(() => {
          laneTimer = undefined;
          pump();
        }, wait);
        return;
      }
      const batches = takeMergeable();
      startedAt.push(now);
      const merged = merge(batches);
      sendOne(merged, batches.length === 1 ? (batches[0] as Pending).bytes : 0)
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
      const bytes = Buffer.byteLength(request.body);
      // analytics-node retries a refused batch after a back-off, as for a network error.
      if (queuedBytes + bytes > maxQueuedBytes && queue.length > 0) {
        return Promise.reject(new Error('Segment request queue is full'));
      }
      return new Promise<HTTPResponse>((resolve, reject) => {
        queue.push({ request, bytes, resolve, reject });
        queuedBytes += bytes;
        pump();
      });
    },
  };
}
