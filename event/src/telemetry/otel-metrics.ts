import type { Attributes } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import type { Config } from '../config';
import { statusClassOf, type Metrics, type UpstreamRequest } from './metrics';

/** OpenTelemetry's default buckets are for milliseconds; durations here are seconds (the semantic conventions'). */
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const EVENTS_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500];

const seconds = (ms: number) => ms / 1_000;

/** Metrics exported over OpenTelemetry: OTLP/HTTP, and the Prometheus scrape handler, as configured. */
export function createOtelMetrics(settings: Config['metrics']): Metrics {
  const readers: IMetricReader[] = [];
  let prometheus: PrometheusExporter | undefined;
  if (settings.prometheus) {
    // Served by our own Express app (GET /metrics), not by a server of the exporter's.
    prometheus = new PrometheusExporter({ preventServerStart: true });
    readers.push(prometheus);
  }
  if (settings.otlp) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: settings.otlp.metricsUrl, headers: settings.otlp.headers }),
        exportIntervalMillis: settings.otlp.exportIntervalMs,
        exportTimeoutMillis: Math.min(settings.otlp.exportIntervalMs, 10_000),
      }),
    );
  }
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    readers,
  });
  const meter = provider.getMeter('commercetools-segment-connector');

  const notifications = meter.createCounter('connector.notifications', {
    description: 'Notifications handled, by route, outcome and (for skips) reason',
    unit: '{notification}',
  });
  const notificationDuration = meter.createHistogram('connector.notification.duration', {
    description: 'Time from a decoded body to its outcome',
    unit: 's',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  });
  const inFlight = meter.createUpDownCounter('connector.notifications.active', {
    description: 'Notifications being handled',
    unit: '{notification}',
  });
  const httpDuration = meter.createHistogram('http.client.request.duration', {
    description: 'Duration of HTTP requests to Segment and commercetools',
    unit: 's',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  });
  const segmentEvents = meter.createCounter('connector.segment.events', {
    description: 'Events Segment accepted, refused for good, or that failed transiently',
    unit: '{event}',
  });
  const segmentRequestEvents = meter.createHistogram('connector.segment.request.events', {
    description: 'Events carried by one request to Segment',
    unit: '{event}',
    advice: { explicitBucketBoundaries: EVENTS_BUCKETS },
  });
  const commercetoolsRequests = meter.createCounter('connector.commercetools.requests', {
    description: 'commercetools API requests, by operation and status class',
    unit: '{request}',
  });
  const tokenFetches = meter.createCounter('connector.commercetools.token.fetches', {
    description: 'OAuth token requests to commercetools',
    unit: '{request}',
  });
  const backfill = meter.createCounter('connector.backfill.resources', {
    description: 'Backfill: resources read, sent, skipped and failed, by shard',
    unit: '{resource}',
  });

  /** The semantic conventions' HTTP client attributes; `error.type` when no answer came back. */
  const httpAttributes = (upstream: string, method: string, { server, status }: UpstreamRequest): Attributes => ({
    'connector.upstream': upstream,
    'server.address': server,
    'http.request.method': method,
    ...(status > 0 ? { 'http.response.status_code': status } : { 'error.type': 'network' }),
  });

  return {
    notificationStarted: () => inFlight.add(1),
    notificationHandled({ route, outcome, reason, ms }) {
      inFlight.add(-1);
      notifications.add(1, reason ? { route, outcome, reason } : { route, outcome });
      notificationDuration.record(seconds(ms), { route, outcome });
    },
    requestRejected: (outcome) => notifications.add(1, { route: 'none', outcome }),
    segmentRequest(request) {
      httpDuration.record(seconds(request.ms), httpAttributes('segment', 'POST', request));
      segmentRequestEvents.record(request.events, { 'server.address': request.server });
    },
    segmentEvents: (result, count) => {
      if (count > 0) segmentEvents.add(count, { result });
    },
    commercetoolsRequest(request) {
      const { operation } = request;
      const method = operation.split(' ')[0] ?? 'GET';
      httpDuration.record(seconds(request.ms), {
        ...httpAttributes('commercetools', method, request),
        'commercetools.operation': operation,
      });
      commercetoolsRequests.add(1, { operation, status_class: statusClassOf(request.status) });
    },
    tokenFetch(request) {
      httpDuration.record(seconds(request.ms), httpAttributes('commercetools-auth', 'POST', request));
      tokenFetches.add(1, { status_class: statusClassOf(request.status) });
    },
    backfillResources: (shard, result, count) => {
      if (count > 0) backfill.add(count, { shard, result });
    },
    async shutdown() {
      await provider.shutdown();
    },
    ...(prometheus
      ? { prometheusHandler: (request, response) => prometheus.getMetricsRequestHandler(request, response) }
      : {}),
  };
}
