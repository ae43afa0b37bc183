/**
 * Run as `tsx test/support/connector-process.ts '<environment as JSON>'`: starts the connector from
 * that environment as production does, on a free loopback port, and prints `{"port":…}` on a line
 * of its own once it listens. Stops on SIGTERM. Run with production's NODE_OPTIONS, it is the
 * connector as deployed, in a process whose memory a test can read.
 */
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startConnector } from '../../src/inbound/server';

const environment = JSON.parse(process.argv[2] ?? '{}') as Record<string, string>;

async function main(): Promise<void> {
  const connector = await startConnector(
    { ...loadConfig(environment), port: 0 },
    { logger: createLogger('silent'), host: '127.0.0.1', graceMs: 500 },
  );
  process.stdout.write(`${JSON.stringify({ port: connector.port })}\n`);
  process.once('SIGTERM', () => void connector.stop('SIGTERM').then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
