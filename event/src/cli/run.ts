/**
 * Runs a command's main function and turns its result into the process exit code. An exception
 * that escaped main is a bug: it is reported by class and message, and exits 1.
 */
export function runCommand(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${name} failed: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}\n`);
      process.exitCode = 1;
    },
  );
}
