import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * With every export off the connector loads no OpenTelemetry module at all; each export loads
 * what it needs. Checked in a process of its own (jest's module registry is not Node's).
 */

const TSX = resolve(__dirname, '../../node_modules/.bin/tsx');
const SCRIPT = resolve(__dirname, '../support/loaded-modules.ts');

const BASE = {
  CTP_PROJECT_KEY: 'loading-project',
  CTP_CLIENT_ID: 'loading-client',
  CTP_CLIENT_SECRET: 'loading-secret',
  CTP_API_URL: 'http://127.0.0.1:9',
  CTP_AUTH_URL: 'http://127.0.0.1:9',
  SEGMENT_WRITE_KEY: 'loading-write-key',
  SEGMENT_HOST: 'http://127.0.0.1:9',
};

function loadedWith(env: Record<string, string>): Promise<string[]> {
  return new Promise((done, fail) => {
    execFile(
      TSX,
      [SCRIPT, JSON.stringify({ ...BASE, ...env })],
      { cwd: resolve(__dirname, '../..'), env: { PATH: process.env.PATH ?? '' } },
      (error, stdout, stderr) => (error ? fail(new Error(`${error.message}\n${stderr}`)) : done(JSON.parse(stdout))),
    );
  });
}

describe('OpenTelemetry modules are loaded only when an export is configured', () => {
  it('none at all with metrics and traces off', async () => {
    expect(await loadedWith({})).toEqual([]);
  });

  it('the metrics SDK once METRICS_PROMETHEUS is on', async () => {
    const loaded = await loadedWith({ METRICS_PROMETHEUS: 'true' });
    expect(loaded).toEqual(
      expect.arrayContaining(['@opentelemetry/sdk-metrics', '@opentelemetry/exporter-prometheus']),
    );
    expect(loaded).not.toContain('@opentelemetry/sdk-trace');
  });

  it('the trace SDK, and not the metrics one, with OTEL_TRACES_EXPORTER=otlp to a traces endpoint', async () => {
    const loaded = await loadedWith({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces',
    });
    expect(loaded).toEqual(
      expect.arrayContaining([
        '@opentelemetry/sdk-trace',
        '@opentelemetry/exporter-trace-otlp-http',
        '@opentelemetry/context-async-hooks',
      ]),
    );
    expect(loaded).not.toContain('@opentelemetry/sdk-metrics');
  });
});
