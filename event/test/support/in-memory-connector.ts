import { loadConfig } from '../../src/config';
import type { HandlerContext } from '../../src/handlers/types';
import type { Outcome } from '../../src/outcome';
import { findHandler, routeKey } from '../../src/routing';
import { notificationSchema } from '../../src/transport/notification';
import { createInMemoryCommercetools, type InMemoryCommercetools } from './in-memory-commercetools';
import {
  createInMemoryRegulations,
  createInMemorySegment,
  type InMemoryRegulations,
  type InMemorySegment,
} from './in-memory-segment';
import { connectorEnvironment, PROJECT_KEY, STAND_IN_NOW } from './environment';

/**
 * The handlers with their dependencies in memory: no HTTP, no stand-in, no capture. A unit test
 * holds resources in `commercetools`, hands a notification to `handle`, and asserts the outcome and
 * what `segment` received. The connector's settings go through the real configuration parser.
 */
export interface InMemoryConnector {
  commercetools: InMemoryCommercetools;
  segment: InMemorySegment;
  /** Segment's Public API (deletions); configured when SEGMENT_PUBLIC_API_TOKEN is set. */
  regulations: InMemoryRegulations;
  /**
   * Parses `notification` as the edge does, and runs the handler the routing table names for it.
   * `trusted` says the delivery was authenticated; `signal` is the notification's deadline.
   */
  handle(notification: object, delivery?: { trusted?: boolean; signal?: AbortSignal }): Promise<Outcome>;
}

export interface InMemoryConnectorOptions {
  /** Connector settings as environment variables (EVENT_*, ANONYMOUS_ID_FALLBACK, LOCALE…). */
  env?: Record<string, string>;
  /** The project keeps messages; off by default, as in new projects. */
  messages?: boolean;
  /** The clock of message retention; STAND_IN_NOW by default, as the stand-ins'. */
  now?: () => number;
}

export function createInMemoryConnector(options: InMemoryConnectorOptions = {}): InMemoryConnector {
  const config = loadConfig(connectorEnvironment(options.env));
  const commercetools = createInMemoryCommercetools({
    ...(options.messages ? { messages: true } : {}),
    now: options.now ?? (() => STAND_IN_NOW),
  });
  const segment = createInMemorySegment({
    writeKey: config.segment.writeKey,
    writeKeysByStore: config.segment.writeKeysByStore,
  });
  const regulations = createInMemoryRegulations({ configured: config.segment.publicApi.token !== undefined });
  const { anonymousIdFallback, consentFieldName, locale } = config;

  return {
    commercetools,
    segment,
    regulations,
    handle(body, delivery = {}) {
      const notification = notificationSchema.parse(body);
      const handler = findHandler(notification);
      if (!handler) throw new Error(`no handler serves ${routeKey(notification)}`);
      const context: HandlerContext = {
        commercetools: commercetools.reader,
        project: commercetools.project,
        segment: segment.sink,
        regulations: regulations.client,
        mapping: { projectKey: PROJECT_KEY, consentFieldName, anonymousIdFallback, ...(locale ? { locale } : {}) },
        events: config.events,
        trusted: delivery.trusted ?? false,
        signal: delivery.signal ?? AbortSignal.timeout(5_000),
      };
      return handler(notification, context);
    },
  };
}
