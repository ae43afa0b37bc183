/**
 * `npm run replay -- FILE [--concurrency N] [--dry-run]`
 *
 * Handles every line of FILE (JSON lines: commercetools notifications, Pub/Sub push bodies, or
 * Pub/Sub messages as exported from a dead-letter subscription) through the connector's own
 * pipeline, in this process, and prints a summary. The messageIds are the live path's, so the
 * events of lines already handled are deduplicated by Segment.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createLogger } from '../logger';
import { createConnectorDependencies } from '../dependencies';
import { entryEnvironment, loadEntryConfig, runCommand, UsageError } from '../entry';
import { formatReplaySummary, replayExitCode, replayNotifications } from '../tools/replay';

const USAGE = `usage: npm run replay -- FILE [--concurrency N] [--dry-run]

FILE holds one saved notification per line (use - for stdin), each either a commercetools
notification, a Pub/Sub push body {"message":{…},"subscription":…}, or a Pub/Sub message as
exported from a dead-letter subscription {"data":"<base64>","attributes":{…},"messageId":…}.
Each is handled exactly as the deployed connector handles it (same configuration, environment
or .env), with the same messageIds, so replaying what Segment already has duplicates nothing.

  --concurrency N   notifications in flight at once (default 4, at most 64)
  --dry-run         decode and route only: report what would be handled, send nothing

Lines answered 4xx fail at once; 5xx are retried 3 times (0.5 s, 1 s, 2 s) before failing.
Logs (JSON, LOG_LEVEL, warnings by default) go to stderr, the summary to stdout.
Exit codes: 0 every line delivered or skipped, 1 a line failed or was not JSON, 2 usage or configuration.
`;

interface Arguments {
  file: string;
  concurrency: number;
  dryRun: boolean;
}

function argumentsFrom(argv: string[]): Arguments | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      concurrency: { type: 'string', short: 'c', default: '4' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError('give exactly one FILE');
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new UsageError('--concurrency must be a whole number from 1 to 64');
  }
  return { file: positionals[0] as string, concurrency, dryRun: values['dry-run'] };
}

async function main(): Promise<number> {
  let args: Arguments | 'help';
  try {
    args = argumentsFrom(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`replay: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }

  const loaded = loadEntryConfig(entryEnvironment(), { name: 'replay' });
  if (loaded.kind === 'invalid') return 2;
  const { config } = loaded;

  if (args.file !== '-') {
    try {
      await access(args.file);
    } catch {
      process.stderr.write(`replay: cannot read ${args.file}\n`);
      return 1;
    }
  }

  const { api: _api, ...dependencies } = createConnectorDependencies(config);
  const logLevel = process.env.LOG_LEVEL?.trim() ? config.logLevel : 'warn';
  // The server's pipeline, but no push authentication: saved lines carry no OIDC token.
  const pipeline = { ...dependencies, logger: createLogger(logLevel, process.stderr) };

  const input = args.file === '-' ? process.stdin : createReadStream(args.file, 'utf8');
  const lines = createInterface({ input, crlfDelay: Infinity });
  const progress = process.stderr.isTTY && logLevel === 'warn';
  let done = 0;
  try {
    const summary = await replayNotifications(
      lines,
      { pipeline },
      {
        concurrency: args.concurrency,
        dryRun: args.dryRun,
        onLine: () => {
          done += 1;
          if (progress && done % 100 === 0) process.stderr.write(`\r${done} lines…`);
        },
      },
    );
    if (progress && done >= 100) process.stderr.write('\r');
    process.stdout.write(formatReplaySummary(summary, args.file === '-' ? 'stdin' : args.file));
    return replayExitCode(summary);
  } finally {
    // Every line was awaited: this releases the sink, then flushes the metrics and traces, if exported.
    await dependencies.segment.close(2_000).catch(() => undefined);
    await dependencies.metrics.shutdown().catch(() => undefined);
    await dependencies.tracing.shutdown().catch(() => undefined);
  }
}

runCommand('replay', () => main());
