/** Where the deploy scripts write: plain lines, which Connect shows in the deployment log. */
export interface ScriptOutput {
  info(line: string): void;
  error(line: string): void;
}

export const consoleOutput: ScriptOutput = {
  info: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
};
