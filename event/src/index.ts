import 'dotenv/config';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './logger';
import { startConnector } from './server';

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

async function main(): Promise<void> {
  const config = readConfig();
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
