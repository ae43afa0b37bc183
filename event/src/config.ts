import { z } from 'zod';
import { otlpHeaders, productUrlTemplate, writeKeysByStore } from './config-values';
import { DEFAULT_MAX_CONCURRENT_NOTIFICATIONS } from './inbound/admission';
import { TRACK_EVENT_KEYS, TRACK_EVENTS, type EventSettings, type TrackEventKey } from './events';
import { customFieldNames, defaultTrackingFields, trackingFields } from './config-fields';
import { CONNECTOR_CUSTOMER_TRAITS, CONNECTOR_ORDER_PROPERTIES } from './mapping/custom-fields';

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const url = () =>
  z
    .url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL such as https://example.com' })
    .transform((value) => value.replace(/\/+$/, ''));

const DISABLED = 'off';

/** An SNS topic ARN (standard or FIFO): the one rule for SNS_TOPIC_ARN and Connect's CONNECT_AWS_TOPIC_ARN. */
export const snsTopicArn = () =>
  z
    .string()
    .trim()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/, {
      message: 'must be an SNS topic ARN such as arn:aws:sns:eu-central-1:123456789012:topic',
    });

/** The environment without blank values: Connect and .env files both produce them for "unset". */
export function presentValues(environment: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== '',
    ),
  );
}

/** A Segment event name, or `off`. */
const eventName = z
  .string()
  .trim()
  .min(1)
  .max(200, 'must be at most 200 characters')
  .refine((name) => !/\p{Cc}/u.test(name), 'must not contain control characters')
  .optional();

const onOff = (fallback: boolean) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false', 'on', 'off', '1', '0', 'yes', 'no'], { message: 'must be true or false' }))
    .transform((value) => ['true', 'on', '1', 'yes'].includes(value))
    .default(fallback);

/**
 * EVENT_ORDER_CUSTOMER_SET switches an identify, so there is no name to give it; like the EVENT_*
 * settings, `off` switches it off and any other value leaves it on. The words that mean "off" in
 * the true/false switches are refused rather than silently read as on.
 */
const identifySwitch = z
  .string()
  .trim()
  .refine((value) => !['false', 'no', '0', 'disabled'].includes(value.toLowerCase()), {
    message: 'is switched off with off (like the EVENT_* settings); any other value, such as on, leaves it on',
  })
  .transform((value) => value.toLowerCase() !== DISABLED)
  .default(true);

const eventVariables = Object.fromEntries(
  TRACK_EVENT_KEYS.map((key) => [TRACK_EVENTS[key].variable, eventName]),
) as Record<(typeof TRACK_EVENTS)[TrackEventKey]['variable'], typeof eventName>;

/**
 * Every variable the connector reads, each declared once with its rule. Values that cannot be
 * parsed are reported by variable; the transform below turns the environment into the nested
 * `Config` and checks the rules that span variables.
 */
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
  SEGMENT_PUBLIC_API_TOKEN: optionalText,
  SEGMENT_WRITE_KEYS_BY_STORE: writeKeysByStore.optional(),
  SEGMENT_PUBLIC_API_HOST: url().default('https://api.segmentapis.com'),
  PORT: z.coerce
    .number({ message: 'must be a port number' })
    .int('must be a port number')
    .min(1)
    .max(65535)
    .default(8080),
  LOCALE: optionalText,
  CONSENT_CUSTOM_FIELD_NAME: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a commercetools field name (letters, digits, _ and -)')
    .default('consent'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_CONCURRENT_NOTIFICATIONS: z.coerce
    .number({ message: 'must be a whole number from 1 to 10000' })
    .int('must be a whole number from 1 to 10000')
    .min(1, 'must be a whole number from 1 to 10000')
    .max(10_000, 'must be a whole number from 1 to 10000')
    .default(DEFAULT_MAX_CONCURRENT_NOTIFICATIONS),
  PUBSUB_AUDIENCE: optionalText,
  PUBSUB_SERVICE_ACCOUNT_EMAIL: z.email({ message: 'must be a service account email' }).optional(),
  SNS_TOPIC_ARN: snsTopicArn().optional(),
  ANONYMOUS_ID_FALLBACK: z.enum(['email-hash', 'order-id', 'none']).default('email-hash'),
  PRODUCT_BRAND_ATTRIBUTE: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be a commercetools attribute name (letters, digits, _ and -)')
    .default('brand'),
  PRODUCT_URL_TEMPLATE: productUrlTemplate.optional(),
  PRODUCT_CATEGORIES: onOff(true),
  PRODUCT_CATEGORY_PATH: onOff(false),
  IDENTIFY_CUSTOMERS: onOff(true),
  GROUP_BUSINESS_UNITS: onOff(true),
  SEGMENT_DELETE_USERS: onOff(true),
  METRICS_PROMETHEUS: onOff(false),
  TRACKING_FIELDS: trackingFields.optional(),
  ORDER_PROPERTY_FIELDS: customFieldNames('property', CONNECTOR_ORDER_PROPERTIES).default({}),
  CUSTOMER_TRAIT_FIELDS: customFieldNames('trait', CONNECTOR_CUSTOMER_TRAITS).default({}),
  EMAIL_IN_EVENTS: onOff(true),
  EVENT_ORDER_CUSTOMER_SET: identifySwitch,
  OTEL_EXPORTER_OTLP_ENDPOINT: url().optional(),
  OTEL_EXPORTER_OTLP_HEADERS: otlpHeaders.optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('commercetools-segment-connector'),
  OTEL_TRACES_EXPORTER: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['otlp', 'none'], { message: 'must be otlp or none' }))
    .default('none'),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url().optional(),
  OTEL_METRIC_EXPORT_INTERVAL: z.coerce
    .number({ message: 'must be a number of milliseconds' })
    .int('must be a number of milliseconds')
    .min(1_000, 'must be at least 1000 (ms)')
    .default(60_000),
  ...eventVariables,
});

/** Every variable the connector reads, for documentation checks. */
export const CONFIG_VARIABLES = Object.keys(environmentSchema.shape);

type Environment = z.infer<typeof environmentSchema>;

/** The events as configured: `off` switches an event off, any other value renames it. */
function eventSettingsOf(env: Environment): EventSettings {
  const track: EventSettings['track'] = {};
  for (const key of TRACK_EVENT_KEYS) {
    const { variable, defaultName, slug } = TRACK_EVENTS[key];
    const configured = env[variable];
    if (configured?.toLowerCase() === DISABLED) continue;
    track[key] = { key, name: configured ?? defaultName, slug };
  }
  return {
    track,
    identifyCustomers: env.IDENTIFY_CUSTOMERS,
    deleteUsers: env.SEGMENT_DELETE_USERS,
    groupBusinessUnits: env.GROUP_BUSINESS_UNITS,
    orderCustomerSet: env.EVENT_ORDER_CUSTOMER_SET,
  };
}

/** The environment as the connector's configuration: the one place each variable is given its meaning. */
const configSchema = environmentSchema.transform((env, ctx) => {
  const tracesUrl =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    // The specification's rule: the signal's own endpoint is used as is, the base one gets its path.
    (env.OTEL_EXPORTER_OTLP_ENDPOINT ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces` : undefined);
  const problem = (variable: keyof Environment, message: string) =>
    ctx.addIssue({ code: 'custom', path: [variable], message });
  if (env.OTEL_TRACES_EXPORTER === 'otlp' && !tracesUrl) {
    problem('OTEL_TRACES_EXPORTER', 'is otlp: set OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  }
  // Either alone proves nothing: any Google-signed token names some audience and some account.
  if (env.PUBSUB_AUDIENCE && !env.PUBSUB_SERVICE_ACCOUNT_EMAIL) {
    problem(
      'PUBSUB_AUDIENCE',
      'is set without PUBSUB_SERVICE_ACCOUNT_EMAIL: any Google-signed token for the audience would pass; set both, or neither',
    );
  }
  if (env.PUBSUB_SERVICE_ACCOUNT_EMAIL && !env.PUBSUB_AUDIENCE) {
    problem(
      'PUBSUB_SERVICE_ACCOUNT_EMAIL',
      'is set without PUBSUB_AUDIENCE: push tokens would not be checked at all; set both, or neither',
    );
  }
  const scopes = env.CTP_SCOPE?.split(/\s+/).filter(Boolean);
  // Categories are read from product projections: without a scope that reads them every order would fail.
  const readsProducts = (scope: string) =>
    /^(view_products|view_published_products|manage_products|manage_project):/.test(scope);
  if (env.PRODUCT_CATEGORIES && scopes && scopes.length > 0 && !scopes.some(readsProducts)) {
    problem(
      'PRODUCT_CATEGORIES',
      'is on but CTP_SCOPE has no scope that reads products (view_products:<project-key>); add it, or set PRODUCT_CATEGORIES=false',
    );
  }
  return {
    commercetools: {
      projectKey: env.CTP_PROJECT_KEY,
      clientId: env.CTP_CLIENT_ID,
      clientSecret: env.CTP_CLIENT_SECRET,
      ...(scopes && scopes.length > 0 ? { scopes } : {}),
      apiUrl: env.CTP_API_URL ?? `https://api.${env.CTP_REGION}.commercetools.com`,
      authUrl: env.CTP_AUTH_URL ?? `https://auth.${env.CTP_REGION}.commercetools.com`,
    },
    segment: {
      /** The default source: everything not routed to a store's own source. */
      writeKey: env.SEGMENT_WRITE_KEY,
      /** Store key → write key of that store's own Segment source. */
      writeKeysByStore: env.SEGMENT_WRITE_KEYS_BY_STORE ?? {},
      host: env.SEGMENT_HOST,
      /** Segment Public API, for deletion requests; without a token deletions are only logged. */
      publicApi: {
        host: env.SEGMENT_PUBLIC_API_HOST,
        ...(env.SEGMENT_PUBLIC_API_TOKEN ? { token: env.SEGMENT_PUBLIC_API_TOKEN } : {}),
      },
    },
    events: eventSettingsOf(env),
    /** Verification of who posts to the endpoint. */
    transport: {
      ...(env.PUBSUB_AUDIENCE && env.PUBSUB_SERVICE_ACCOUNT_EMAIL
        ? {
            /**
             * Pub/Sub push requests must carry a Google OIDC token for this audience, issued to
             * this service account (both or neither).
             */
            pubSub: { audience: env.PUBSUB_AUDIENCE, serviceAccountEmail: env.PUBSUB_SERVICE_ACCOUNT_EMAIL },
          }
        : {}),
      /** SNS messages from any other topic are refused. */
      ...(env.SNS_TOPIC_ARN ? { snsTopicArn: env.SNS_TOPIC_ARN } : {}),
    },
    anonymousIdFallback: env.ANONYMOUS_ID_FALLBACK,
    /** What the products of every event carry beyond the line item's own fields. */
    products: {
      /** The variant attribute whose value is the product's `brand`. */
      brandAttribute: env.PRODUCT_BRAND_ATTRIBUTE,
      /** The product page's URL, with placeholders; no `url` without it. */
      ...(env.PRODUCT_URL_TEMPLATE ? { urlTemplate: env.PRODUCT_URL_TEMPLATE } : {}),
      /** Read each product's first category (one query per notification for uncached products). */
      categories: env.PRODUCT_CATEGORIES,
      /** The category as its path from the root (`Men > Shoes`), rather than its own name. */
      categoryPath: env.PRODUCT_CATEGORY_PATH,
    },
    port: env.PORT,
    ...(env.LOCALE ? { locale: env.LOCALE } : {}),
    consentFieldName: env.CONSENT_CUSTOM_FIELD_NAME,
    /** Custom fields holding the shopper's browser identity and context (TRACKING_FIELDS). */
    tracking: env.TRACKING_FIELDS ?? defaultTrackingFields(),
    /** Order custom field → property of every order event. */
    orderPropertyFields: env.ORDER_PROPERTY_FIELDS,
    /** Customer custom field → identify trait. */
    customerTraitFields: env.CUSTOMER_TRAIT_FIELDS,
    /** `context.traits.email` on track events whose person is known to have it. */
    emailInEvents: env.EMAIL_IN_EVENTS,
    logLevel: env.LOG_LEVEL,
    /** Notifications worked on at once; further requests wait their turn (see inbound/admission.ts). */
    maxConcurrentNotifications: env.MAX_CONCURRENT_NOTIFICATIONS,
    /** Metrics export; nothing is recorded when both are off. */
    metrics: {
      /** Serve `GET /metrics` in Prometheus' text format. */
      prometheus: env.METRICS_PROMETHEUS,
      ...(env.OTEL_EXPORTER_OTLP_ENDPOINT
        ? {
            /** Push to an OTLP/HTTP collector. */
            otlp: {
              // The specification's rule for the base endpoint: the signal's path is appended.
              metricsUrl: `${env.OTEL_EXPORTER_OTLP_ENDPOINT}/v1/metrics`,
              headers: env.OTEL_EXPORTER_OTLP_HEADERS ?? {},
              exportIntervalMs: env.OTEL_METRIC_EXPORT_INTERVAL,
            },
          }
        : {}),
      serviceName: env.OTEL_SERVICE_NAME,
    },
    ...(env.OTEL_TRACES_EXPORTER === 'otlp' && tracesUrl
      ? {
          /** Trace export (OTLP/HTTP), when OTEL_TRACES_EXPORTER is otlp; no span is made otherwise. */
          tracing: { tracesUrl, headers: env.OTEL_EXPORTER_OTLP_HEADERS ?? {}, serviceName: env.OTEL_SERVICE_NAME },
        }
      : {}),
  };
});

/** The connector's configuration, as the schema above makes it from the environment. */
export type Config = z.output<typeof configSchema>;

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
  const present = presentValues(environment);
  const parsed = configSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const variable = issue.path.join('.') || '(environment)';
      const missing = issue.code !== 'custom' && issue.path.length === 1 && !(String(issue.path[0]) in present);
      return `${variable} ${missing ? 'is required' : issue.message}`;
    }),
  );
}
