import { z } from 'zod';

/** Secrets: never printed, not even in configuration errors. */
export const SECRET_VARIABLES = ['CTP_CLIENT_SECRET', 'SEGMENT_WRITE_KEY'] as const;

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const url = () =>
  z
    .url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL such as https://example.com' })
    .transform((value) => value.replace(/\/+$/, ''));

const environmentSchema = z.object({
  CTP_PROJECT_KEY: z.string({ message: 'is required' }).trim().min(1, 'is required'),
  CTP_CLIENT_ID: z.string({ message: 'is required' }).trim().min(1, 'is required'),
  CTP_CLIENT_SECRET: z.string({ message: 'is required' }).trim().min(1, 'is required'),
  CTP_SCOPE: optionalText,
  CTP_REGION: z
    .string()
    .trim()
    .regex(/^[a-z0-9-]+\.(gcp|aws)$/, 'must look like europe-west1.gcp or us-east-2.aws')
    .default('europe-west1.gcp'),
  CTP_API_URL: url().optional(),
  CTP_AUTH_URL: url().optional(),
  SEGMENT_WRITE_KEY: z.string({ message: 'is required' }).trim().min(1, 'is required'),
  SEGMENT_HOST: url().default('https://api.segment.io'),
  PORT: z.coerce.number({ message: 'must be a port number' }).int('must be a port number').min(1).max(65535).default(8080),
  LOCALE: optionalText,
  CONSENT_CUSTOM_FIELD_NAME: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a commercetools field name (letters, digits, _ and -)')
    .default('consent'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  commercetools: {
    projectKey: string;
    clientId: string;
    clientSecret: string;
    scopes?: string[];
    apiUrl: string;
    authUrl: string;
  };
  segment: {
    writeKey: string;
    host: string;
  };
  port: number;
  locale?: string;
  consentFieldName: string;
  logLevel: z.infer<typeof environmentSchema>['LOG_LEVEL'];
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Reads the whole configuration from an environment once, at start-up. Every problem is reported
 * at once (not the first only), and no value is ever echoed back, so secrets cannot leak.
 */
export function loadConfig(environment: NodeJS.ProcessEnv): Config {
  // Empty strings mean "unset": Connect and .env files both produce them for blank values.
  const present = Object.fromEntries(
    Object.entries(environment).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = issue.path.join('.') || '(environment)';
      const missing = issue.path.length === 1 && !(String(issue.path[0]) in present);
      const message = missing ? 'is required' : issue.message;
      return `${variable} ${message}`;
    });
    throw new ConfigError(problems);
  }
  const env = parsed.data;
  const scopes = env.CTP_SCOPE?.split(/\s+/).filter(Boolean);
  return {
    commercetools: {
      projectKey: env.CTP_PROJECT_KEY,
      clientId: env.CTP_CLIENT_ID,
      clientSecret: env.CTP_CLIENT_SECRET,
      ...(scopes && scopes.length > 0 ? { scopes } : {}),
      apiUrl: env.CTP_API_URL ?? `https://api.${env.CTP_REGION}.commercetools.com`,
      authUrl: env.CTP_AUTH_URL ?? `https://auth.${env.CTP_REGION}.commercetools.com`,
    },
    segment: { writeKey: env.SEGMENT_WRITE_KEY, host: env.SEGMENT_HOST },
    port: env.PORT,
    ...(env.LOCALE ? { locale: env.LOCALE } : {}),
    consentFieldName: env.CONSENT_CUSTOM_FIELD_NAME,
    logLevel: env.LOG_LEVEL,
  };
}
