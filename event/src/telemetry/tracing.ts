import type { HTTPClient } from '@segment/analytics-node';
import type { Logger } from '../logger';
import type { SegmentSink } from '../segment/sink';
import type { HandledNotification, Metrics } from './metrics';

/**
 * Traces, as a handful of hooks. Whether anything is traced is decided once, when the dependencies
 * are wired (see configured.ts): with OTEL_TRACES_EXPORTER off every hook is the no-op below, which
 * returns what it is given and allocates nothing, so the hot path makes no span and no object for
 * one. The OpenTelemetry side (otel-tracing.ts) is loaded only when traces are on.
 *
 * A trace is one notification: its span, children for the commercetools requests made for it
 * (tokens included), and a child for each Segment request that carried its events. Attributes are
 * bounded, as the metrics' are: routes, outcomes, reasons, transports, operations, hosts and status
 * codes; never an id or personal data.
 */
export interface NotificationSpan {
  /** `logger` itself, or a child of it whose lines carry this notification's `trace_id` and `span_id`. */
  logger(logger: Logger): Logger;
  /** What became of the notification, and its transport: names the span after its route and sets its attributes. */
  handled(handled: Omit<HandledNotification, 'ms'> & { transport?: string }): void;
}

export interface Tracing {
  /**
   * Runs `work` as one notification's span: the commercetools and Segment requests made within
   * it (through AsyncLocalStorage) become its children. The span ends when `work` settles.
   */
  notification<T>(work: (span: NotificationSpan) => Promise<T>): Promise<T>;
  /** The metrics, whose commercetools hooks (one per attempt, tokens too) also make a child span. */
  withRequestSpans(metrics: Metrics): Metrics;
  /** The sink, noting which notification each call it is given belongs to. */
  segmentSink(sink: SegmentSink): SegmentSink;
  /** Segment's transport: each request makes a child span under every notification whose events it carried. */
  segmentTransport(transport: HTTPClient): HTTPClient;
  /** Export what is recorded and stop; used on shutdown. */
  shutdown(): Promise<void>;
}

export const noopSpan: NotificationSpan = {
  logger: (logger) => logger,
  handled: () => undefined,
};

/** The default: no span, no context, what it is given returned as it is. */
export const noopTracing: Tracing = {
  notification: (work) => work(noopSpan),
  withRequestSpans: (metrics) => metrics,
  segmentSink: (sink) => sink,
  segmentTransport: (transport) => transport,
  shutdown: async () => undefined,
};
