/**
 * Which telemetry is on, decided once, when the dependencies are wired. The OpenTelemetry SDKs
 * are required here, inside the function that needs them, rather than imported at the top: with
 * every export off, not one OpenTelemetry module is loaded (no start-up time, no memory), and the
 * no-op recorder is all the hot path ever calls. The wiring is synchronous, hence `require` (the
 * project compiles to CommonJS) rather than `import()`.
 */
import type { Config } from '../config';
import { noopMetrics, type Metrics } from './metrics';
import { noopTracing, type Tracing } from './tracing';

/** The configured metrics: OpenTelemetry-backed when an export is on, otherwise the no-op. */
export function metricsOf(settings: Config['metrics']): Metrics {
  if (!settings.prometheus && !settings.otlp) return noopMetrics;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when an export is configured
  const { createOtelMetrics } = require('./otel-metrics') as typeof import('./otel-metrics');
  return createOtelMetrics(settings);
}

/** The configured tracing: OpenTelemetry spans exported over OTLP when OTEL_TRACES_EXPORTER=otlp, otherwise the no-op. */
export function tracingOf(settings: Config['tracing']): Tracing {
  if (!settings) return noopTracing;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when traces are exported
  const { createOtelTracing } = require('./otel-tracing') as typeof import('./otel-tracing');
  return createOtelTracing(settings);
}
