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
