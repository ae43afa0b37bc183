import {
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { HTTPClient } from '@segment/analytics-node';
import type { Config } from '../config';
import type { SegmentSink } from '../segment/sink';
import { serverAddressOf, type Metrics, type UpstreamRequest } from './metrics';
import type { NotificationSpan, Tracing } from './tracing';

/** Outcomes that leave the notification undone (redelivered, or refused by Segment): the span's status is an error. */
const FAILED_OUTCOMES = new Set(['upstream-unavailable', 'internal']);

/** Milliseconds since the epoch, with sub-millisecond precision (OpenTelemetry's own clock). */
const now = () => performance.timeOrigin + performance.now();

/**
 * The semantic conventions' HTTP client attributes; `error.type` when no answer came back.
 * An answer of 400 or more is an error of the client span (not necessarily of the notification).
 */
function endHttpSpan(span: Span, status: number, endTime: number): void {
  if (status > 0) span.setAttribute('http.response.status_code', status);
  else span.setAttribute('error.type', 'network');
  if (status === 0 || status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end(endTime);
}

/**
 * Tracing over OpenTelemetry: spans exported in batches over OTLP/HTTP (JSON). Its context lives
 * in an AsyncLocalStorage of its own (OpenTelemetry's context manager), not registered globally:
 * each set of dependencies (a test's, the server's) traces on its own.
 */
export function createOtelTracing(settings: NonNullable<Config['tracing']>): Tracing {
  const contexts = new AsyncLocalStorageContextManager().enable();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: settings.tracesUrl, headers: settings.headers }),
      }),
    ],
  });
  const tracer: Tracer = provider.getTracer('commercetools-segment-connector');

  /** The notification being handled here, if any: requests made outside one (backfill, a shared token) make no span. */
  const current = (): Context | undefined => {
    const active = contexts.active();
    return trace.getSpan(active) ? active : undefined;
  };

  /** A finished HTTP client span under `parent`, `request.ms` long, ending now. */
  function requestSpan(
    parent: Context,
    { name, attributes, status, ms }: UpstreamRequest & { name: string; attributes: Attributes },
  ): void {
    const endTime = now();
    const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: endTime - ms, attributes }, parent);
    endHttpSpan(span, status, endTime);
  }

  function spanHandle(span: Span): NotificationSpan {
    return {
      logger(logger) {
        const { traceId, spanId } = span.spanContext();
        return logger.child({ trace_id: traceId, span_id: spanId });
      },
      handled({ route, outcome, reason, transport }) {
        span.updateName(`notification ${route}`);
        span.setAttributes({
          'connector.route': route,
          'connector.outcome': outcome,
          ...(reason ? { 'connector.reason': reason } : {}),
          ...(transport ? { 'connector.transport': transport } : {}),
        });
        if (FAILED_OUTCOMES.has(outcome) || reason === 'segment-rejected') {
          span.setStatus({ code: SpanStatusCode.ERROR, message: reason ?? outcome });
        }
      },
    };
  }

  /**
   * Which notifications the calls being sent to Segment belong to, by messageId, in the order
   * they were sent (a redelivery racing its original sends the same messageId twice).
   */
  const owners = new Map<string, Context[]>();

  /** The messageIds of an analytics-node request body: `{"batch":[{…,"messageId":…}],…}`. */
  function messageIdsOf(body: string): string[] {
    try {
      const parsed = JSON.parse(body) as { batch?: { messageId?: unknown }[] };
      return (parsed.batch ?? []).flatMap((event) => (typeof event.messageId === 'string' ? [event.messageId] : []));
    } catch {
      return [];
    }
  }

  /** One span under each notification whose events the request carried; they all show the same request. */
  function segmentRequestSpans(request: { url: string; body: string }, status: number, startTime: number): void {
    const { url, body } = request;
    const endTime = now();
    const messageIds = messageIdsOf(body);
    const carried = new Map<Context, number>();
    const seen = new Map<string, number>();
    for (const messageId of messageIds) {
      // The n-th copy of a messageId in the request is the n-th sender's.
      const nth = seen.get(messageId) ?? 0;
      seen.set(messageId, nth + 1);
      const owner = owners.get(messageId)?.[nth];
      if (owner) carried.set(owner, (carried.get(owner) ?? 0) + 1);
    }
    let path = '/';
    try {
      path = new URL(url).pathname;
    } catch {
      // The name stays bounded either way.
    }
    for (const [owner, events] of carried) {
      const span = tracer.startSpan(
        `POST ${path}`,
        {
          kind: SpanKind.CLIENT,
          startTime,
          attributes: {
            'connector.upstream': 'segment',
            'http.request.method': 'POST',
            'server.address': serverAddressOf(url),
            'connector.segment.events': events,
            'connector.segment.request.events': messageIds.length,
            'connector.segment.request.notifications': carried.size,
          },
        },
        owner,
      );
      endHttpSpan(span, status, endTime);
    }
  }

  return {
    notification(work) {
      const parent = contexts.active();
      // Named once its route is known (handled()).
      const span = tracer.startSpan('notification', { kind: SpanKind.CONSUMER }, parent);
      return contexts.with(trace.setSpan(parent, span), () => work(spanHandle(span))).finally(() => span.end());
    },

    withRequestSpans(metrics: Metrics): Metrics {
      return {
        ...metrics,
        commercetoolsRequest(request) {
          metrics.commercetoolsRequest(request);
          const parent = current();
          if (!parent) return;
          const { operation } = request;
          const attributes = {
            'connector.upstream': 'commercetools',
            'http.request.method': operation.split(' ')[0] ?? 'GET',
            'server.address': request.server,
            'commercetools.operation': operation,
          };
          requestSpan(parent, { ...request, name: operation, attributes });
        },
        tokenFetch(request) {
          metrics.tokenFetch(request);
          const parent = current();
          if (!parent) return;
          const attributes = {
            'connector.upstream': 'commercetools-auth',
            'http.request.method': 'POST',
            'server.address': request.server,
          };
          requestSpan(parent, { ...request, name: 'POST oauth/token', attributes });
        },
      };
    },

    segmentSink(sink: SegmentSink): SegmentSink {
      return {
        async send(calls, signal) {
          const owner = current();
          if (!owner) return sink.send(calls, signal);
          for (const call of calls) {
            const senders = owners.get(call.messageId);
            if (senders) senders.push(owner);
            else owners.set(call.messageId, [owner]);
          }
          try {
            await sink.send(calls, signal);
          } finally {
            for (const call of calls) {
              const senders = owners.get(call.messageId) ?? [];
              const index = senders.indexOf(owner);
              if (index >= 0) senders.splice(index, 1);
              if (senders.length === 0) owners.delete(call.messageId);
            }
          }
        },
        close: (timeoutMs) => sink.close(timeoutMs),
      };
    },

    segmentTransport(transport: HTTPClient): HTTPClient {
      return {
        async makeRequest(request) {
          const startTime = now();
          let status = 0;
          try {
            const response = await transport.makeRequest(request);
            status = response.status;
            return response;
          } finally {
            segmentRequestSpans(request, status, startTime);
          }
        },
      };
    },

    async shutdown() {
      await provider.shutdown();
      contexts.disable();
    },
  };
}
