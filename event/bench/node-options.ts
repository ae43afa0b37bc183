import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The V8 flags the connector runs with in production (`npm start` uses package.json's
 * config.nodeOptions unless NODE_OPTIONS is set), so benchmarks measure what is deployed.
 */
export function connectorNodeOptions(): string {
  if (process.env.NODE_OPTIONS) return process.env.NODE_OPTIONS;
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
    config?: { nodeOptions?: string };
  };
  return manifest.config?.nodeOptions ?? '';
}
