import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

const TSX = resolve(__dirname, '../../node_modules/.bin/tsx');

/** What a command-line tool did: its exit code and what it printed. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command-line tool of src/cli (`backfill`, `preview`, `replay`) with tsx, in `cwd` (a
 * directory without .env), with exactly the variables `env` holds and PATH.
 */
export function runCli(
  tool: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<CliRun> {
  const cli = resolve(__dirname, `../../src/cli/${tool}.ts`);
  return new Promise((done) => {
    execFile(
      TSX,
      [cli, ...args],
      { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', ...options.env } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
