import { entryEnvironment, loadEntryConfig } from './entry';
import { createLogger } from './logger';
import { startConnector } from './inbound/server';

async function main(): Promise<void> {
  // Plain text on stderr: the one message an operator needs, with every problem, no values.
  const loaded = loadEntryConfig(entryEnvironment(), { name: 'connector' });
  if (loaded.kind === 'invalid') process.exit(1);
  const { config } = loaded;
  const logger = createLogger(config.logLevel);
  const connector = await startConnector(config, { logger });
  const onSignal = (signal: NodeJS.Signals) => {
    connector.stop(signal).then((drained) => process.exit(drained ? 0 : 1));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  process.stderr.write(`connector failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
