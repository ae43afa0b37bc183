import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { CONFIG_VARIABLES, loadConfig } from '../src/config';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const connectYaml = readFileSync(join(root, 'connect.yaml'), 'utf8');
const envExample = parse(readFileSync(join(__dirname, '..', '.env.example')));

/** Variables Connect sets itself from inheritAs.apiClient: declaring them in connect.yaml would conflict. */
const PROVIDED_BY_CONNECT = [
  'CTP_PROJECT_KEY',
  'CTP_CLIENT_ID',
  'CTP_CLIENT_SECRET',
  'CTP_SCOPE',
  'CTP_API_URL',
  'CTP_AUTH_URL',
];
/**
 * The port is the runtime's business on Connect (its default, 8080, is what Connect expects);
 * push authentication and the Prometheus endpoint are for self-hosting, where no connect.yaml is
 * read; the OTLP service name and interval have defaults fit for Connect.
 */
const RUNTIME_ONLY = [
  'PORT',
  'PUBSUB_AUDIENCE',
  'PUBSUB_SERVICE_ACCOUNT_EMAIL',
  'METRICS_PROMETHEUS',
  'OTEL_SERVICE_NAME',
  'OTEL_METRIC_EXPORT_INTERVAL',
];

describe('documentation matches the configuration', () => {
  it.each(CONFIG_VARIABLES)('%s is in .env.example, the README table and connect.yaml', (variable) => {
    expect(Object.keys(envExample)).toContain(variable);
    expect(readme).toMatch(new RegExp(`^\\| [^|]*\`${variable}\``, 'm'));
    if (![...PROVIDED_BY_CONNECT, ...RUNTIME_ONLY].includes(variable))
      expect(connectYaml).toContain(`key: ${variable}`);
  });

  it('.env.example holds only variables the connector reads, and its values are valid', () => {
    expect(CONFIG_VARIABLES).toEqual(expect.arrayContaining(Object.keys(envExample)));
    const required = { CTP_PROJECT_KEY: 'p', CTP_CLIENT_ID: 'i', CTP_CLIENT_SECRET: 's', SEGMENT_WRITE_KEY: 'w' };
    expect(() => loadConfig({ ...envExample, ...required })).not.toThrow();
  });
});
