import { Analytics, type Context, type HTTPClient, type HTTPClientRequest, type HTTPResponse } from '@segment/analytics-node';
import type { Config } from '../config';
import { upstreamUnavailable } from '../errors';
import { createCoalescingHttpClient, MAX_MERGED_BATCH_BYTES } from './batching';
import type { SegmentCall } from './calls';

/** Where the connector's calls go. Resolves only once Segment accepted every call. */
export interface SegmentSink {
  /**
   * Enqueue the calls (in order) and wait until Segment accepted all of them. Rejects with an
   * upstream-unavailable error when any was refused or not accepted in time, or when `signal`
   * aborts first (the request's deadline passed).
   */
  send(calls: readonly SegmentCall[], signal?: AbortSignal): Promise<void>;
  /** Flush what is queued and stop; used on shutdown. */
  close(timeoutMs?: number): Promise<void>;
}

/** Bounds that keep one delivery inside Pub/Sub's ~10 s push deadline. */
export interface SegmentSinkLimits {
  /** Per-HTTP-request timeout toward Segment, ms. */
  httpRequestTimeoutMs: number;
  /** Retries after the first attempt (5xx, 429, network errors). */
  maxRetries: number;
  /** Give up retrying a batch after this long, seconds. */
  maxTotalBackoffSeconds: number;
  /** Longest wait honoured for a 429 Retry-After, seconds. */
  maxRateLimitSeconds: number;
  /** How long a call may wait for others to share its batch, ms. */
  flushIntervalMs: number;
  /** Send a batch as soon as it holds this many calls. */
  flushAt: number;
  /** Batch requests to Segment in flight at once; batches arriving meanwhile are merged. */
  maxRequestsInFlight: number;
  /** A further request starts only once the oldest in flight has taken this long, ms. */
  extraLaneAfterMs: number;
}

export const DEFAULT_SEGMENT_LIMITS: SegmentSinkLimits = {
  httpRequestTimeoutMs: 3_000,
  maxRetries: 1,
  maxTotalBackoffSeconds: 5,
  maxRateLimitSeconds: 5,
  // Calls of one notification are enqueued in one tick and share a batch; batches of concurrent
  // notifications are merged while a request is out (see batching.ts), so no waiting is needed.
  flushIntervalMs: 0,
  flushAt: 100,
  maxRequestsInFlight: 2,
  extraLaneAfterMs: 100,
};

/**
 * analytics-node treats any status below 400 as accepted, and fetch follows redirects. A redirect
 * from Segment's API can only come from something in between (a proxy, a portal) and means the
 * events did not reach Segment: report it as a gateway failure, so the batch is retried and,
 * failing that, the notification is answered 5xx.
 */
export const segmentHttpClient: HTTPClient = {
  async makeRequest(request: HTTPClientRequest): Promise<HTTPResponse> {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.httpRequestTimeout),
    });
    // Drain the body so the keep-alive connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status >= 300 && response.status < 400) {
      return { status: 502, statusText: `Segment answered a redirect (${response.status})`, headers: response.headers };
    }
    return { status: response.status, statusText: response.statusText, headers: response.headers };
  },
};

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * analytics-node reports each event's fate on its emitter as soon as its batch settled ('track' /
 * 'identify' on success, 'error' with code 'delivery_failure' otherwise). Per-call callbacks would
 * tell the same, but never sooner than ~300 ms after the call (a legacy delay in analytics-core),
 * so waiting on the emitter is both faster and just as strict.
 */
export function createSegmentSink(
  settings: Pick<Config['segment'], 'writeKey' | 'host'>,
  limits: SegmentSinkLimits = DEFAULT_SEGMENT_LIMITS,
): SegmentSink {
  const analytics = new Analytics({
    writeKey: settings.writeKey,
    host: settings.host,
    maxRetries: limits.maxRetries,
    httpRequestTimeout: limits.httpRequestTimeoutMs,
    maxTotalBackoffDuration: limits.maxTotalBackoffSeconds,
    maxRateLimitDuration: limits.maxRateLimitSeconds,
    flushInterval: limits.flushIntervalMs,
    flushAt: limits.flushAt,
    httpClient: createCoalescingHttpClient(segmentHttpClient, {
      maxInFlight: limits.maxRequestsInFlight,
      extraLaneAfterMs: limits.extraLaneAfterMs,
      maxBatchBytes: MAX_MERGED_BATCH_BYTES,
    }),
  });

  // The same messageId may be in flight twice (a redelivery racing the original): first in, first settled.
  const waiting = new Map<string, Waiter[]>();

  const takeWaiter = (messageId: string | undefined): Waiter | undefined => {
    if (!messageId) return undefined;
    const queue = waiting.get(messageId);
    const waiter = queue?.shift();
    if (queue && queue.length === 0) waiting.delete(messageId);
    return waiter;
  };

  const settle = (ctx: Context) => takeWaiter(ctx.event.messageId)?.resolve();
  analytics.on('identify', settle);
  analytics.on('track', settle);
  analytics.on('error', (failure) => {
    const ctx = (failure as { ctx?: Context }).ctx;
    const reason = (failure as { reason?: unknown }).reason;
    const detail = reason instanceof Error ? reason.message : 'unknown reason';
    takeWaiter(ctx?.event.messageId)?.reject(upstreamUnavailable(`Segment did not accept the event: ${detail}`, reason));
  });

  function awaitDelivery(messageId: string, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      function onAbort() {
        const queue = waiting.get(messageId);
        const index = queue?.indexOf(waiter) ?? -1;
        if (queue && index >= 0) queue.splice(index, 1);
        if (queue && queue.length === 0) waiting.delete(messageId);
        reject(upstreamUnavailable('Segment did not accept the event in time'));
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      const queue = waiting.get(messageId);
      if (queue) queue.push(waiter);
      else waiting.set(messageId, [waiter]);
    });
  }

  function enqueue(call: SegmentCall): void {
    const identity = call.userId !== undefined ? { userId: call.userId } : { anonymousId: call.anonymousId as string };
    const common = {
      ...identity,
      messageId: call.messageId,
      timestamp: call.timestamp,
      ...(call.context ? { context: call.context } : {}),
    };
    if (call.type === 'identify') analytics.identify({ ...common, traits: call.traits });
    else analytics.track({ ...common, event: call.event, properties: call.properties });
  }

  return {
    async send(calls, signal) {
      if (signal?.aborted) throw upstreamUnavailable('Segment delivery was not attempted: deadline passed');
      // Register every waiter before enqueueing, so no settlement can be missed.
      const deliveries = calls.map((call) => awaitDelivery(call.messageId, signal));
      // Attach handlers now: one rejection must not leave the others unhandled.
      const all = Promise.all(deliveries);
      deliveries.forEach((delivery) => delivery.catch(() => undefined));
      for (const call of calls) enqueue(call);
      await all;
    },
    async close(timeoutMs = 5_000) {
      await analytics.closeAndFlush({ timeout: timeoutMs });
    },
  };
}
