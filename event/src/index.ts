import 'dotenv/config';
import type { Server } from 'node:http';
import { createApp } from './app';
import { createCommercetoolsApi } from './commercetools/client';
import { createCommercetoolsReader } from './commercetools/reads';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { createRegulationsClient } from './segment/regulations';
import { createSegmentSink } from './segment/sink';

/** Connect gives an instance about 10 s between SIGTERM and SIGKILL. */
const SHUTDOWN_GRACE_MS = 8_000;

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      // Plain text on stderr: the one message an operator needs, with every problem, no values.
      process.stderr.write(`${error.message}\nSee .env.example and the README's configuration table.\n`);
      process.exit(1);
    }
    throw error;
  }
}

function main(): void {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const segment = createSegmentSink(config.segment);
  const app = createApp({
    commercetools: createCommercetoolsReader(createCommercetoolsApi(config.commercetools)),
    segment,
    regulations: createRegulationsClient(config.segment.publicApi),
    logger,
    events: config.events,
    mapping: {
      projectKey: config.commercetools.projectKey,
      consentFieldName: config.consentFieldName,
      anonymousIdFallback: config.anonymousIdFallback,
      ...(config.locale ? { locale: config.locale } : {}),
    },
  });

  const server: Server = app.listen(config.port, () => {
    logger.info({ port: config.port, segmentHost: config.segment.host }, 'connector listening');
  });
  // Pub/Sub and Connect's load balancer reuse connections; outlive their idle timeouts.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight notifications');
    const forced = setTimeout(() => {
      logger.error('shutdown grace period exceeded, exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    forced.unref();
    server.close(() => {
      segment
        .close(SHUTDOWN_GRACE_MS / 2)
        .catch((error: unknown) => logger.error({ cause: String(error) }, 'Segment flush on shutdown failed'))
        .finally(() => {
          logger.info('stopped');
          process.exit(0);
        });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main();
