/**
 * Run as `tsx test/support/loaded-modules.ts '<environment as JSON>'`: starts the connector from
 * that environment as production does (on a free loopback port), stops it, and prints the
 * OpenTelemetry packages that were loaded meanwhile, as a JSON array of names.
 */
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { startConnector } from '../../src/inbound/server';

const environment = JSON.parse(process.argv[2] ?? '{}') as Record<string, string>;

async function main(): Promise<void> {
  const connector = await startConnector(
    { ...loadConfig(environment), port: 0 },
    {
      logger: createLogger('silent'),
      host: '127.0.0.1',
      graceMs: 500,
    },
  );
  await connector.stop('loaded-modules');
  const packages = new Set(
    Object.keys(require.cache).flatMap((path) => /node_modules[\\/](@opentelemetry[\\/][^\\/]+)/.exec(path)?.[1] ?? []),
  );
  process.stdout.write(JSON.stringify([...packages].map((name) => name.replace('\\', '/')).sort()));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
