import { Analytics, type HTTPClient, type HTTPClientRequest, type HTTPResponse } from '@segment/analytics-node';
import type { Config } from '../config';
import { noopMetrics, serverAddressOf, type Metrics } from '../telemetry/metrics';
import { noopTracing, type Tracing } from '../telemetry/tracing';
import { upstreamUnavailable } from '../errors';
import { createHttpAgent, sendRequest, type HttpAgent } from '../outbound/agent';
import { createCoalescingHttpClient, MAX_MERGED_BATCH_BYTES } from './batching';
import type { SegmentCall } from './calls';
import { followSettlements, type CallSettlements, type Settlement } from './settlements';
import { fitCall, SEGMENT_MAX_EVENT_BYTES } from './limits';

/**
 * Where the connector's calls go. The sink owns Segment's limits: every event it sends is within
 * 32 KB and every request within 500 KB and 2,500 events, and it tells a refusal that can never
 * succeed from a failure worth a retry, so no handler has to know either.
 */
export interface SegmentSink {
  /**
   * Enqueue the calls (in order) and wait until Segment accepted all of them. Rejects with a
   * SegmentRejection when Segment refused some for good, even sent on their own; with an
   * upstream-unavailable error when any failed transiently (5xx, 408, 429, network, timeout), was
   * not accepted in time, or `signal` aborted first (the request's deadline passed), or the sink is
   * closed.
   */
  send(calls: readonly SegmentCall[], signal?: AbortSignal): Promise<void>;
  /** Flush what is queued and stop; used on shutdown. Later sends are refused at once. */
  close(timeoutMs?: number): Promise<void>;
}

/** Segment refused these calls for good: a redelivery would be refused again. */
export class SegmentRejection extends Error {
  readonly messageIds: string[];
  /** What Segment (or analytics-node) said; never event content. */
  readonly segmentMessage: string;
  constructor(messageIds: string[], segmentMessage: string) {
    super(`Segment refused ${messageIds.length} event(s): ${segmentMessage}`);
    this.name = 'SegmentRejection';
    this.messageIds = messageIds;
    this.segmentMessage = segmentMessage;
  }
}

/** Bounds that keep one send inside Pub/Sub's ~10 s push deadline. */
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
  /** A further request starts only once the newest in flight has been out this long, ms (see batching.ts). */
  extraLaneAfterMs: number;
  /**
   * Longest wait for Segment's answer to one send, ms, whatever the caller's signal: no wait can
   * stay pending. Default: every attempt's timeout plus the back-off, plus a second.
   */
  maxWaitMs?: number;
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
 * analytics-node's HTTP client, on the shared undici agent. analytics-node treats any status
 * below 400 as accepted; a redirect from Segment's API can only come from something in between
 * (a proxy, a portal) and means the events did not reach Segment: it is reported as a gateway
 * failure, so the batch is retried and, failing that, the notification is answered 5xx. (The
 * agent follows no redirects.)
 */
export function segmentHttpClient(agent: HttpAgent): HTTPClient {
  return {
    async makeRequest(request: HTTPClientRequest): Promise<HTTPResponse> {
      // The body is read whole: that frees the keep-alive connection, and a refusal's body says why.
      const { status, headers, text } = await sendRequest(agent, {
        url: request.url,
        method: request.method,
        headers: request.headers,
        body: request.body,
        timeoutMs: request.httpRequestTimeout,
      });
      if (status >= 300 && status < 400) {
        return { status: 502, statusText: `Segment answered a redirect (${status})`, headers };
      }
      const said = status >= 400 && status < 500 ? segmentMessageOf(text) : undefined;
      const statusText = said ? `refused: ${said}` : status < 300 ? 'OK' : `HTTP ${status}`;
      return { status, statusText, headers };
    },
  };
}

/** The `message` (or `error`) of Segment's JSON answer, as one short line of printable text. */
function segmentMessageOf(text: string): string | undefined {
  let said: unknown;
  try {
    const answer = JSON.parse(text) as { message?: unknown; error?: unknown };
    said = answer.message ?? answer.error;
  } catch {
    return undefined;
  }
  return typeof said === 'string' && said.trim() !== ''
    ? said
        .replace(/\p{Cc}+/gu, ' ')
        .trim()
        .slice(0, 200)
    : undefined;
}

/**
 * The transport, timing each request to Segment and counting its events. Used only when metrics
 * are on: counting parses the body.
 */
export function measuredHttpClient(transport: HTTPClient, metrics: Metrics): HTTPClient {
  return {
    async makeRequest(request) {
      const started = performance.now();
      const server = serverAddressOf(request.url);
      const events = eventsIn(request.body);
      try {
        const response = await transport.makeRequest(request);
        metrics.segmentRequest({ server, status: response.status, ms: performance.now() - started, events });
        return response;
      } catch (error) {
        metrics.segmentRequest({ server, status: 0, ms: performance.now() - started, events });
        throw error;
      }
    },
  };
}

function eventsIn(body: string): number {
  try {
    const parsed = JSON.parse(body) as { batch?: unknown };
    return Array.isArray(parsed.batch) ? parsed.batch.length : 1;
  } catch {
    return 0;
  }
}

/** An analytics-node instance for the source, within the limits, sending through `httpClient`. */
function analyticsFor(
  source: SegmentSource,
  limits: SegmentSinkLimits,
  { httpClient, flushAt = limits.flushAt }: { httpClient: HTTPClient; flushAt?: number },
) {
  return new Analytics({
    writeKey: source.writeKey,
    host: source.host,
    maxRetries: limits.maxRetries,
    httpRequestTimeout: limits.httpRequestTimeoutMs,
    maxTotalBackoffDuration: limits.maxTotalBackoffSeconds,
    maxRateLimitDuration: limits.maxRateLimitSeconds,
    flushInterval: limits.flushIntervalMs,
    flushAt,
    httpClient,
  });
}

/** The calls Segment did not accept, each with its settlement. */
const failuresOf = (calls: readonly SegmentCall[], settlements: Settlement[]) =>
  calls.flatMap((call, index) => {
    const settlement = settlements[index] as Settlement;
    return settlement.kind === 'accepted' ? [] : [{ call, settlement }];
  });

/** A Segment source: its write key, and the tracking API's host. */
export type SegmentSource = Pick<Config['segment'], 'writeKey' | 'host'>;

export interface SegmentSinkOptions {
  /** Timeouts, retries and batching; DEFAULT_SEGMENT_LIMITS by default. */
  limits?: SegmentSinkLimits;
  /** Where requests and events are counted; nothing is recorded by default. */
  metrics?: Metrics;
  /** The HTTP agent; a private one by default. */
  agent?: HttpAgent;
  /** Which notification each request carried events of; no span by default. */
  tracing?: Tracing;
}

/**
 * Calls go out through one analytics-node instance whose HTTP client merges the batches of
 * concurrent notifications (see batching.ts). When Segment refuses a merged request for good,
 * every notification in it is refused alike; so each resends its own refused events alone,
 * through a short-lived instance of its own, and only the notification whose events Segment
 * refuses again is rejected.
 */
export function createSegmentSink(source: SegmentSource, options: SegmentSinkOptions = {}): SegmentSink {
  const {
    limits = DEFAULT_SEGMENT_LIMITS,
    metrics = noopMetrics,
    agent = createHttpAgent(),
    tracing = noopTracing,
  } = options;
  const http = segmentHttpClient(agent);
  const transport = tracing.segmentTransport(metrics === noopMetrics ? http : measuredHttpClient(http, metrics));
  const analytics = analyticsFor(source, limits, {
    httpClient: createCoalescingHttpClient(transport, {
      maxInFlight: limits.maxRequestsInFlight,
      extraLaneAfterMs: limits.extraLaneAfterMs,
      maxBatchBytes: MAX_MERGED_BATCH_BYTES,
      eventsPerBatch: limits.flushAt,
    }),
  });
  const shared = followSettlements(analytics);
  const maxWaitMs =
    limits.maxWaitMs ??
    limits.httpRequestTimeoutMs * (limits.maxRetries + 1) + limits.maxTotalBackoffSeconds * 1_000 + 1_000;
  let closed = false;

  /** The calls sent on their own: one request holding nothing but this notification's events. */
  async function settleAlone(calls: SegmentCall[], signal: AbortSignal): Promise<Settlement[]> {
    const alone = analyticsFor(source, limits, { httpClient: transport, flushAt: Math.max(1, calls.length) });
    try {
      return await followSettlements(alone).settle(calls, signal);
    } finally {
      void alone.closeAndFlush({ timeout: 1_000 }).catch(() => undefined);
    }
  }

  async function sendFitting(calls: SegmentCall[], signal: AbortSignal, settlements: CallSettlements): Promise<void> {
    let failures = failuresOf(calls, await settlements.settle(calls, signal));
    if (failures.some(({ settlement }) => settlement.kind === 'refused')) {
      const again = failures.map(({ call }) => call);
      failures = failuresOf(again, await settleAlone(again, signal));
    }
    const refused = failures.filter(({ settlement }) => settlement.kind === 'refused');
    const transient = failures.find(({ settlement }) => settlement.kind === 'failed');
    metrics.segmentEvents('accepted', calls.length - failures.length);
    metrics.segmentEvents('refused', refused.length);
    metrics.segmentEvents('failed', failures.length - refused.length);
    if (transient) {
      throw upstreamUnavailable(`Segment did not accept the event: ${transient.settlement.message}`);
    }
    if (refused.length > 0) {
      const first = refused[0]?.settlement;
      throw new SegmentRejection(
        refused.map(({ call }) => call.messageId),
        first?.message ?? 'refused',
      );
    }
  }

  return {
    async send(calls, signal) {
      if (closed) throw upstreamUnavailable('Segment delivery was not attempted: shutting down');
      if (signal?.aborted) throw upstreamUnavailable('Segment delivery was not attempted: deadline passed');
      const fitting: SegmentCall[] = [];
      const tooLarge: string[] = [];
      for (const call of calls) {
        const fitted = fitCall(call);
        if (fitted.kind === 'fits') fitting.push(fitted.call);
        else tooLarge.push(call.messageId);
      }
      const timeout = AbortSignal.timeout(maxWaitMs);
      const wait = signal ? AbortSignal.any([signal, timeout]) : timeout;
      if (fitting.length > 0) await sendFitting(fitting, wait, shared);
      if (tooLarge.length > 0) {
        metrics.segmentEvents('refused', tooLarge.length);
        throw new SegmentRejection(
          tooLarge,
          `event over ${SEGMENT_MAX_EVENT_BYTES} bytes even without its optional detail`,
        );
      }
    },
    async close(timeoutMs = 5_000) {
      closed = true;
      await analytics.closeAndFlush({ timeout: timeoutMs });
    },
  };
}
