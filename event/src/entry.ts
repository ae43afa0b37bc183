/**
 * What every entry point shares: the server (index.ts), the command-line tools (src/cli) and the
 * deploy scripts (src/connector). Each reads its configuration the same way and reports an invalid
 * one the same way; the tools and the deploy scripts also turn their result into the process's
 * exit code the same way.
 */
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig, type Config } from './config';

/** A command line that cannot be run as given: its message is printed with the usage text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * The environment an entry point reads: the process's own, with the values of a `.env` file in
 * the working directory for the variables it leaves unset. Locally that file holds the settings;
 * on Connect the environment holds them all.
 */
export function entryEnvironment(): NodeJS.ProcessEnv {
  loadDotenv({ quiet: true });
  return process.env;
}

/** How an entry point reports an invalid configuration. */
export interface ConfigReport {
  /** The entry point, as its lines name it: `connector`, `backfill`, `Post-deploy`… */
  name: string;
  /** What was not done because of it, when that needs saying (the deploy scripts). */
  consequence?: string;
  /** Where the lines go; stderr by default. */
  write?: (line: string) => void;
}

const toStderr = (line: string) => process.stderr.write(`${line}\n`);

/**
 * Writes the problems of an invalid configuration, the one way every entry point does: a heading,
 * one line per problem (a variable and its rule, never a value, so no secret can leak), and where
 * the variables are described.
 */
export function reportConfigProblems(problems: readonly string[], report: ConfigReport): void {
  const write = report.write ?? toStderr;
  write(`${report.name}: invalid configuration${report.consequence ? `, ${report.consequence}` : ''}:`);
  for (const problem of problems) write(`  - ${problem}`);
  write('The variables are described in .env.example and docs/configuration.md.');
}

export type LoadedConfig = { kind: 'valid'; config: Config } | { kind: 'invalid'; problems: string[] };

/**
 * The configuration an entry point runs with. When it is invalid, its problems are reported (see
 * reportConfigProblems) and returned, and the entry point ends with its own exit code or result.
 */
export function loadEntryConfig(environment: NodeJS.ProcessEnv, report: ConfigReport): LoadedConfig {
  try {
    return { kind: 'valid', config: loadConfig(environment) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    reportConfigProblems(error.problems, report);
    return { kind: 'invalid', problems: error.problems };
  }
}

const classAndMessage = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';

/**
 * Runs a command's main function and turns its result into the process exit code. An exception
 * that escaped main is a bug: it is reported (by class and message, unless `describe` says
 * otherwise: a message may hold a secret), and exits 1.
 */
export function runCommand(
  name: string,
  main: () => Promise<number>,
  describe: (error: unknown) => string = classAndMessage,
): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${name} failed: ${describe(error)}\n`);
      process.exitCode = 1;
    },
  );
}

/** The class of an escaped error only: deploy scripts hold credentials an upstream message might echo. */
export const errorClassOnly = (error: unknown) => (error instanceof Error ? error.name : 'unknown error');
