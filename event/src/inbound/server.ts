import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { admissionLimitsOf } from './admission';
import { createApp, type AppDependencies } from './app';
import type { Config } from '../config';
import { createConnectorDependencies, type DependencyLimits } from '../dependencies';
import type { ProjectSettings } from '../commercetools/project';
import { summarizeProofs } from '../handlers/proof';
import { createInFlight } from './in-flight';
import type { Logger } from '../logger';

/** Connect gives an instance about 10 s between SIGTERM and SIGKILL. */
export const SHUTDOWN_GRACE_MS = 8_000;

export interface RunningConnector {
  server: Server;
  /** The port it listens on (useful with port 0). */
  port: number;
  /**
   * Stops accepting connections, lets the notifications in progress finish (answered or not: a
   * sender may have hung up), then flushes and closes Segment, and resolves true; false when the
   * notifications took longer than the grace period (their connections are then closed).
   */
  stop(reason: string): Promise<boolean>;
}

export interface ConnectorOptions extends DependencyLimits {
  logger: Logger;
  /** Extra app dependencies (decoder, authentication, deadline…). */
  app?: Partial<Pick<AppDependencies, 'decode' | 'authenticate' | 'deadlineMs'>>;
  graceMs?: number;
  host?: string;
}

/** Builds every dependency from the configuration and listens: the connector as deployed. */
export async function startConnector(config: Config, options: ConnectorOptions): Promise<RunningConnector> {
  const { logger } = options;
  const { api: _api, ...dependencies } = createConnectorDependencies(config, options);
  const { segment, metrics, tracing, http } = dependencies;
  const inFlight = createInFlight();
  const app = createApp({
    ...dependencies,
    inFlight,
    admission: admissionLimitsOf(config.maxConcurrentNotifications),
    logger,
    ...(await authenticationOf(config)),
    ...options.app,
  });

  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(config.port, options.host ?? '0.0.0.0', () => resolve(listening));
    listening.once('error', reject);
  });
  // Pub/Sub and Connect's load balancer reuse connections; outlive their idle timeouts.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, segmentHost: config.segment.host }, 'connector listening');
  await announceProofs(config, dependencies.project, logger);

  let stopping: Promise<boolean> | undefined;
  const stop = (reason: string): Promise<boolean> => {
    stopping ??= (async () => {
      const graceMs = options.graceMs ?? SHUTDOWN_GRACE_MS;
      logger.info({ reason }, 'shutting down: finishing in-flight notifications');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive connections would hold close() open; busy ones become idle once their
      // request is answered, so keep closing idle ones until the server is closed.
      server.closeIdleConnections();
      const sweeper = setInterval(() => server.closeIdleConnections(), 25);
      // Then the notifications still running once no connection is left (their senders hung up):
      // none can start after that, and each must find the Segment sink open to its end.
      const finished = closed.then(() => inFlight.idle()).then(() => true);
      // The grace timer must not keep the process alive on its own.
      const drained = await Promise.race([finished, sleep(graceMs, false, { ref: false })]);
      clearInterval(sweeper);
      if (!drained) server.closeAllConnections();
      // Whatever is still queued for Segment (e.g. events of requests that hit their deadline, or
      // of notifications the grace period cut short).
      await segment.close(Math.max(500, graceMs / 4)).catch((error: unknown) => {
        logger.error({ cause: error instanceof Error ? error.message : 'unknown' }, 'Segment flush on shutdown failed');
      });
      // The last counts, including this shutdown's, reach the collector before the process ends.
      await metrics.shutdown().catch((error: unknown) => {
        logger.error({ cause: error instanceof Error ? error.message : 'unknown' }, 'metrics flush on shutdown failed');
      });
      await tracing.shutdown().catch((error: unknown) => {
        logger.error({ cause: error instanceof Error ? error.message : 'unknown' }, 'trace flush on shutdown failed');
      });
      await http.close().catch(() => undefined);
      logger.info({ drained }, 'stopped');
      return drained;
    })();
    return stopping;
  };
  return { server, port, stop };
}

/**
 * Reads the project's settings once at start, so no notification waits for them, and says what
 * will be proven and how. A failed read is not fatal: the first notification that needs the
 * settings reads them again (and is answered 503 while commercetools cannot say).
 */
async function announceProofs(config: Config, project: ProjectSettings, logger: Logger): Promise<void> {
  try {
    const messages = await project.messages();
    const { line, deletionsUnprovable } = summarizeProofs(messages, {
      authenticatedTransport: config.transport.pubSub !== undefined || config.transport.snsTopicArn !== undefined,
      deletions: config.events.deleteUsers && config.segment.publicApi.token !== undefined,
    });
    logger[deletionsUnprovable ? 'warn' : 'info'](
      { messagesEnabled: messages.enabled, messagesKeptDays: messages.deleteDaysAfterCreation },
      line,
    );
  } catch (error) {
    logger.warn(
      { cause: error instanceof Error ? error.message : 'unknown' },
      "the project's settings could not be read (scope view_project_settings?); they are read again when needed",
    );
  }
}

/** Pub/Sub push authentication, when an audience is configured (self-hosting; off on Connect). */
async function authenticationOf(config: Config): Promise<Pick<AppDependencies, 'authenticate'>> {
  const { pubSub } = config.transport;
  if (!pubSub) return {};
  // Loaded only when used: google-auth-library costs ~13 MB of memory that most deployments never need.
  const { createPubSubAuthenticator } = await import('../transport/pubsub-auth.js');
  // Built once: it caches Google's signing keys between requests.
  return { authenticate: createPubSubAuthenticator(pubSub) };
}
