import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * What the connector records about itself, as plain functions. The pipeline, the Segment HTTP
 * client, the commercetools HTTP client and backfill call these; whether anything is exported
 * (OTLP, Prometheus) is decided once, when the dependencies are wired (see configured.ts). Every
 * attribute is bounded: routes, outcomes, reasons, status codes, host names and commercetools
 * resource types — never an id or personal data.
 */
export interface Metrics {
  /** A notification entered the pipeline (in flight until `notificationHandled`). */
  notificationStarted(): void;
  /** What became of one notification. */
  notificationHandled(handled: HandledNotification): void;
  /** A request was refused before reaching the pipeline (body, size, authentication). */
  requestRejected(outcome: string): void;
  /** One HTTP request to Segment's tracking API, and the events it carried. */
  segmentRequest(request: UpstreamRequest & { events: number }): void;
  /** Events Segment took (`accepted`), refused for good (`refused`) or that failed transiently (`failed`). */
  segmentEvents(result: 'accepted' | 'refused' | 'failed', count: number): void;
  /** One commercetools API request (an attempt), and its operation, such as `GET orders`. */
  commercetoolsRequest(request: UpstreamRequest & { operation: string }): void;
  /** One OAuth token request to commercetools' auth server. */
  tokenFetch(request: UpstreamRequest): void;
  /** Backfill's counts, per shard (`0/1` when not sharded). */
  backfillResources(shard: string, result: 'read' | 'sent' | 'skipped' | 'failed', count: number): void;
  /** Flush what is recorded and stop exporting; used on shutdown. */
  shutdown(): Promise<void>;
  /** Answers `GET /metrics` in Prometheus' text format; only when METRICS_PROMETHEUS is on. */
  prometheusHandler?: (request: IncomingMessage, response: ServerResponse) => void;
}

/** What became of one notification, as the metrics count it. */
export interface HandledNotification {
  /** The routing table's route, `control`, `other` or `none` (see pipeline.ts). */
  route: string;
  /** The outcome's kind, the failure's kind, or a control message's status. */
  outcome: string;
  /** The skip reason, for skips only. */
  reason?: string;
  ms: number;
}

/** One HTTP request to Segment or commercetools. */
export interface UpstreamRequest {
  /** The host it went to. */
  server: string;
  /** The answer's status; 0 when none came back. */
  status: number;
  ms: number;
}

const nothing = () => undefined;

/** The default: records nothing, creates no instrument, costs a function call. */
export const noopMetrics: Metrics = {
  notificationStarted: nothing,
  notificationHandled: nothing,
  requestRejected: nothing,
  segmentRequest: nothing,
  segmentEvents: nothing,
  commercetoolsRequest: nothing,
  tokenFetch: nothing,
  backfillResources: nothing,
  shutdown: async () => undefined,
};

/** The host a request went to (the semantic conventions' `server.address`), or `unknown`. */
export function serverAddressOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return 'unknown';
  }
}

/** `2xx`, `4xx`, `5xx`…, or `error` when no answer came back. */
export function statusClassOf(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'error';
}

const RESOURCE_TYPE = /^[a-z][a-z-]{0,40}$/;

/**
 * The commercetools operation of an API URL, without ids or keys: `GET orders`, `POST graphql`.
 * `/{projectKey}/orders/{id}` and `/{projectKey}/orders?where=…` are both `orders`; for
 * `/{projectKey}/in-store/key={store}/orders/…` the store is dropped too.
 */
export function commercetoolsOperationOf(method: string, url: string): string {
  let segments: string[];
  try {
    segments = new URL(url).pathname.split('/').filter(Boolean).slice(1);
  } catch {
    segments = [];
  }
  if (segments[0] === 'in-store') segments = segments.slice(2);
  // The project itself (its settings): `/{projectKey}` alone.
  if (segments.length === 0) return `${method.toUpperCase()} project`;
  const type = segments[0] !== undefined && RESOURCE_TYPE.test(segments[0]) ? segments[0] : 'other';
  return `${method.toUpperCase()} ${type}`;
}
