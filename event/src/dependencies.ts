/**
 * The one wiring: every entry point that handles notifications or sends to Segment (the server,
 * backfill, preview, replay, the demo, the tests and benchmarks) builds its adapters here, from a
 * configuration; tests and the demo point that configuration at local stand-ins. The deploy
 * scripts need only the commercetools API, and build it themselves.
 */
import type { ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import { createProductCatalog, type ProductCatalog } from './commercetools/catalog';
import { createCommercetoolsApi, type CommercetoolsClientLimits } from './commercetools/client';
import { createProjectSettings, type ProjectSettings, type ProjectSettingsOptions } from './commercetools/project';
import { createCommercetoolsReader, type CommercetoolsReader } from './commercetools/reads';
import type { Config } from './config';
import { createHttpAgent, type HttpAgent } from './outbound/agent';
import type { MappingOptions } from './mapping/types';
import type { Metrics } from './telemetry/metrics';
import { metricsOf, tracingOf } from './telemetry/configured';
import type { Tracing } from './telemetry/tracing';
import { createRegulationsClient, type RegulationsClient } from './segment/regulations';
import { createSourceRouter } from './segment/sources';
import {
  createSegmentSink,
  DEFAULT_SEGMENT_LIMITS,
  type SegmentSink,
  type SegmentSinkLimits,
  type SegmentSinkOptions,
} from './segment/sink';
import { createDecoder } from './transport/decode';
import type { Decoder } from './transport/notification';
import { createSnsVerifier } from './transport/sns';

/** The adapters and settings every entry point shares: the server, backfill, preview, replay. */
export interface ConnectorDependencies {
  api: ByProjectKeyRequestBuilder;
  commercetools: CommercetoolsReader;
  /** The project's settings (whether it keeps messages), read at start and refreshed hourly. */
  project: ProjectSettings;
  segment: SegmentSink;
  regulations: RegulationsClient;
  mapping: MappingOptions;
  /** Where products' categories are read, cached; absent when PRODUCT_CATEGORIES is off. */
  catalog?: ProductCatalog;
  events: Config['events'];
  /** Every transport; SNS messages only once their signature verified (and from SNS_TOPIC_ARN). */
  decode: Decoder;
  /** What the connector records about itself; the no-op unless an export is configured. */
  metrics: Metrics;
  /** One span per notification; the no-op unless OTEL_TRACES_EXPORTER is otlp. */
  tracing: Tracing;
  /** The HTTP agent both upstreams use; closed last, when the entry point stops. */
  http: HttpAgent;
}

export interface DependencyLimits {
  commercetoolsLimits?: CommercetoolsClientLimits;
  segmentLimits?: SegmentSinkLimits;
  /** Per-request timeout toward Segment's Public API, ms. */
  regulationsTimeoutMs?: number;
  /** How often the project's settings are read again, and the clock (tests). */
  projectSettings?: ProjectSettingsOptions;
}

/** The default source's sink, and one per store that has a source of its own. */
function segmentSinkOf(settings: Config['segment'], options: SegmentSinkOptions & { tracing: Tracing }): SegmentSink {
  const byStore = new Map(
    Object.entries(settings.writeKeysByStore).map(([store, writeKey]) => [
      store,
      createSegmentSink({ writeKey, host: settings.host }, options),
    ]),
  );
  return options.tracing.segmentSink(createSourceRouter(createSegmentSink(settings, options), byStore));
}

export function createConnectorDependencies(config: Config, options: DependencyLimits = {}): ConnectorDependencies {
  const tracing = tracingOf(config.tracing);
  // With traces on, the commercetools request hooks make spans too; otherwise this is the metrics as built.
  const metrics = tracing.withRequestSpans(metricsOf(config.metrics));
  // One keep-alive pool per origin, for commercetools and Segment alike.
  const http = createHttpAgent();
  const api = createCommercetoolsApi(config.commercetools, {
    ...(options.commercetoolsLimits ? { limits: options.commercetoolsLimits } : {}),
    metrics,
    agent: http,
  });
  return {
    api,
    metrics,
    tracing,
    http,
    commercetools: createCommercetoolsReader(api),
    project: createProjectSettings(api, options.projectSettings),
    segment: segmentSinkOf(config.segment, {
      limits: options.segmentLimits ?? DEFAULT_SEGMENT_LIMITS,
      metrics,
      agent: http,
      tracing,
    }),
    regulations: createRegulationsClient(config.segment.publicApi, {
      ...(options.regulationsTimeoutMs !== undefined ? { timeoutMs: options.regulationsTimeoutMs } : {}),
    }),
    ...(config.products.categories ? { catalog: createProductCatalog(api) } : {}),
    events: config.events,
    decode: createDecoder({
      sns: createSnsVerifier(config.transport.snsTopicArn ? { topicArn: config.transport.snsTopicArn } : {}),
    }),
    mapping: {
      projectKey: config.commercetools.projectKey,
      consentFieldName: config.consentFieldName,
      anonymousIdFallback: config.anonymousIdFallback,
      products: {
        brandAttribute: config.products.brandAttribute,
        ...(config.products.urlTemplate ? { urlTemplate: config.products.urlTemplate } : {}),
        categoryPath: config.products.categoryPath,
      },
      ...(config.locale ? { locale: config.locale } : {}),
      tracking: config.tracking,
      orderPropertyFields: config.orderPropertyFields,
      customerTraitFields: config.customerTraitFields,
      emailInEvents: config.emailInEvents,
    },
  };
}
