import { ConfigError, loadConfig } from '../src/config';
import { DEFAULT_EVENT_SETTINGS } from '../src/events';

const valid = {
  CTP_PROJECT_KEY: 'shop-prod',
  CTP_CLIENT_ID: 'client-id',
  CTP_CLIENT_SECRET: 'super-secret-client-secret',
  SEGMENT_WRITE_KEY: 'super-secret-write-key',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('applies documented defaults and derives the regional URLs', () => {
    const config = loadConfig(valid);
    expect(config).toEqual({
      commercetools: {
        projectKey: 'shop-prod',
        clientId: 'client-id',
        clientSecret: 'super-secret-client-secret',
        apiUrl: 'https://api.europe-west1.gcp.commercetools.com',
        authUrl: 'https://auth.europe-west1.gcp.commercetools.com',
      },
      segment: {
        writeKey: 'super-secret-write-key',
        writeKeysByStore: {},
        host: 'https://api.segment.io',
        publicApi: { host: 'https://api.segmentapis.com' },
      },
      events: DEFAULT_EVENT_SETTINGS,
      anonymousIdFallback: 'email-hash',
      products: { brandAttribute: 'brand', categories: true, categoryPath: false },
      transport: {},
      port: 8080,
      consentFieldName: 'consent',
      tracking: expect.any(Array),
      orderPropertyFields: {},
      customerTraitFields: {},
      emailInEvents: true,
      logLevel: 'info',
      maxConcurrentNotifications: 64,
      metrics: { prometheus: false, serviceName: 'commercetools-segment-connector' },
    });
  });

  it('reads the metrics exports from the standard OTEL_* variables', () => {
    const config = loadConfig({
      ...valid,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=super-secret-otlp%3Dkey, x-team = shop ',
      OTEL_SERVICE_NAME: 'segment-connector-eu',
      OTEL_METRIC_EXPORT_INTERVAL: '15000',
      METRICS_PROMETHEUS: 'true',
    });
    expect(config.metrics).toEqual({
      prometheus: true,
      otlp: {
        metricsUrl: 'https://otlp.example.com:4318/v1/metrics',
        headers: { 'x-api-key': 'super-secret-otlp=key', 'x-team': 'shop' },
        exportIntervalMs: 15_000,
      },
      serviceName: 'segment-connector-eu',
    });
  });

  it('exports traces only with OTEL_TRACES_EXPORTER=otlp, to the traces endpoint as given or to the base one', () => {
    expect(loadConfig({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com:4318' }).tracing).toBe(
      undefined,
    );
    expect(
      loadConfig({
        ...valid,
        OTEL_TRACES_EXPORTER: 'OTLP',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com:4318/',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=k',
      }).tracing,
    ).toEqual({
      tracesUrl: 'https://otlp.example.com:4318/v1/traces',
      headers: { 'x-api-key': 'k' },
      serviceName: 'commercetools-segment-connector',
    });
    const tracesOnly = loadConfig({
      ...valid,
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://tempo.example.com/otlp/v1/traces',
      OTEL_SERVICE_NAME: 'connector-eu',
    });
    expect(tracesOnly.tracing).toEqual({
      tracesUrl: 'https://tempo.example.com/otlp/v1/traces',
      headers: {},
      serviceName: 'connector-eu',
    });
    // The traces endpoint alone exports no metrics.
    expect(tracesOnly.metrics.otlp).toBeUndefined();
    expect(loadConfig({ ...valid, OTEL_TRACES_EXPORTER: 'none' }).tracing).toBeUndefined();
    expect(problemsOf({ ...valid, OTEL_TRACES_EXPORTER: 'otlp' })).toEqual([
      'OTEL_TRACES_EXPORTER is otlp: set OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    ]);
    expect(problemsOf({ ...valid, OTEL_TRACES_EXPORTER: 'zipkin' })).toEqual([
      'OTEL_TRACES_EXPORTER must be otlp or none',
    ]);
  });

  it('stops on malformed OTLP headers without echoing them', () => {
    let error: unknown;
    try {
      loadConfig({ ...valid, OTEL_EXPORTER_OTLP_HEADERS: 'super-secret-token' });
    } catch (caught) {
      error = caught;
    }
    expect((error as ConfigError).problems).toEqual([
      'OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs separated by commas',
    ]);
    expect((error as Error).message).not.toContain('super-secret');
    expect(problemsOf({ ...valid, OTEL_METRIC_EXPORT_INTERVAL: '10' })).toEqual([
      'OTEL_METRIC_EXPORT_INTERVAL must be at least 1000 (ms)',
    ]);
  });

  it('reads every optional variable', () => {
    const config = loadConfig({
      ...valid,
      CTP_SCOPE: 'view_orders:shop-prod  view_customers:shop-prod view_products:shop-prod',
      CTP_REGION: 'us-central1.gcp',
      CTP_AUTH_URL: 'http://127.0.0.1:3000/',
      SEGMENT_HOST: 'https://events.eu1.segmentapis.com',
      PORT: '3001',
      LOCALE: 'de-DE',
      CONSENT_CUSTOM_FIELD_NAME: 'segmentConsent',
      LOG_LEVEL: 'debug',
    });
    expect(config.commercetools.scopes).toEqual([
      'view_orders:shop-prod',
      'view_customers:shop-prod',
      'view_products:shop-prod',
    ]);
    expect(config.commercetools.apiUrl).toBe('https://api.us-central1.gcp.commercetools.com');
    expect(config.commercetools.authUrl).toBe('http://127.0.0.1:3000');
    expect(config.segment.host).toBe('https://events.eu1.segmentapis.com');
    expect(config.port).toBe(3001);
    expect(config.locale).toBe('de-DE');
    expect(config.consentFieldName).toBe('segmentConsent');
    expect(config.logLevel).toBe('debug');
  });

  it('checks Pub/Sub push tokens only with both the audience and the service account', () => {
    const audience = 'https://connector.example.com/';
    const account = 'push@connect-project.iam.gserviceaccount.com';
    expect(
      loadConfig({ ...valid, PUBSUB_AUDIENCE: audience, PUBSUB_SERVICE_ACCOUNT_EMAIL: account }).transport,
    ).toEqual({
      pubSub: { audience, serviceAccountEmail: account },
    });
    expect(problemsOf({ ...valid, PUBSUB_AUDIENCE: audience })).toEqual([
      expect.stringMatching(/^PUBSUB_AUDIENCE is set without PUBSUB_SERVICE_ACCOUNT_EMAIL/),
    ]);
    expect(problemsOf({ ...valid, PUBSUB_SERVICE_ACCOUNT_EMAIL: account })).toEqual([
      expect.stringMatching(/^PUBSUB_SERVICE_ACCOUNT_EMAIL is set without PUBSUB_AUDIENCE/),
    ]);
  });

  it('switches events off, renames them and keeps their messageId slugs', () => {
    const config = loadConfig({
      ...valid,
      EVENT_ORDER_UPDATED: 'off',
      EVENT_ORDER_CANCELLED: 'Order Canceled',
      EVENT_SIGNED_UP: ' OFF ',
      IDENTIFY_CUSTOMERS: 'false',
      SEGMENT_DELETE_USERS: 'no',
      SEGMENT_PUBLIC_API_TOKEN: 'sgp_secret',
      SEGMENT_PUBLIC_API_HOST: 'https://eu1.api.segmentapis.com',
      ANONYMOUS_ID_FALLBACK: 'order-id',
    });
    expect(config.events.track.orderUpdated).toBeUndefined();
    expect(config.events.track.signedUp).toBeUndefined();
    expect(config.events.track.orderCancelled).toEqual({
      key: 'orderCancelled',
      name: 'Order Canceled',
      slug: 'order-cancelled',
    });
    expect(config.events.track.orderCompleted?.name).toBe('Order Completed');
    expect(config.events.identifyCustomers).toBe(false);
    expect(config.events.deleteUsers).toBe(false);
    expect(config.segment.publicApi).toEqual({ host: 'https://eu1.api.segmentapis.com', token: 'sgp_secret' });
    expect(config.anonymousIdFallback).toBe('order-id');
  });

  it('rejects invalid event settings', () => {
    expect(
      problemsOf({
        ...valid,
        IDENTIFY_CUSTOMERS: 'maybe',
        ANONYMOUS_ID_FALLBACK: 'cookie',
        EVENT_ORDER_PAID: 'x'.repeat(201),
      }),
    ).toEqual([
      expect.stringMatching(/^ANONYMOUS_ID_FALLBACK /),
      'IDENTIFY_CUSTOMERS must be true or false',
      'EVENT_ORDER_PAID must be at most 200 characters',
    ]);
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ ...valid, LOCALE: '  ', PORT: '' }).port).toBe(8080);
  });

  it('names every problem at once', () => {
    expect(problemsOf({ CTP_REGION: 'mars', PORT: 'eighty', SEGMENT_HOST: 'not a url', LOG_LEVEL: 'loud' })).toEqual([
      'CTP_PROJECT_KEY is required',
      'CTP_CLIENT_ID is required',
      'CTP_CLIENT_SECRET is required',
      'CTP_REGION must look like europe-west1.gcp or us-east-2.aws',
      'SEGMENT_WRITE_KEY is required',
      'SEGMENT_HOST must be an absolute http(s) URL such as https://example.com',
      'PORT must be a port number',
      expect.stringMatching(/^LOG_LEVEL /),
    ]);
  });

  it('never prints a value, so secrets cannot leak through a configuration error', () => {
    try {
      loadConfig({
        ...valid,
        SEGMENT_HOST: 'super-secret-write-key',
        PORT: 'super-secret-client-secret',
        SEGMENT_PUBLIC_API_TOKEN: 'super-secret-token',
        SEGMENT_PUBLIC_API_HOST: 'super-secret-token',
      });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).not.toContain('super-secret');
    }
  });

  it('reads one Segment source per store', () => {
    const config = loadConfig({
      ...valid,
      SEGMENT_WRITE_KEYS_BY_STORE: ' {"eu-webshop":" eu-key-value ","us-webshop":"us-key-value"} ',
    });
    expect(config.segment.writeKeysByStore).toEqual({ 'eu-webshop': 'eu-key-value', 'us-webshop': 'us-key-value' });
  });

  it.each([
    ['not JSON', '{"eu-webshop":"super-secret-eu-key"', 'not valid JSON'],
    ['an array', '["super-secret-eu-key"]', 'must be a JSON object'],
    ['an empty store key', '{"":"super-secret-eu-key"}', 'empty store key'],
    ['a store key that is no key', '{"eu webshop!":"super-secret-eu-key"}', 'not a commercetools key'],
    ['an empty write key', '{"eu-webshop":"  ","us-webshop":"super-secret-us-key"}', 'empty (or non-text) write key'],
    [
      'a write key that is no text',
      '{"eu-webshop":42,"us-webshop":"super-secret-us-key"}',
      'empty (or non-text) write key',
    ],
  ])(
    'stops on SEGMENT_WRITE_KEYS_BY_STORE with %s, naming the variable and never a value',
    (_label, value, problem) => {
      let error: unknown;
      try {
        loadConfig({ ...valid, SEGMENT_WRITE_KEYS_BY_STORE: value });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        expect.stringMatching(new RegExp(`^SEGMENT_WRITE_KEYS_BY_STORE .*${problem.replace(/[()]/g, '\\$&')}`)),
      ]);
      expect((error as Error).message).not.toContain('super-secret');
      expect((error as Error).message).not.toContain('eu webshop');
    },
  );

  describe('products', () => {
    it('reads the product settings', () => {
      const config = loadConfig({
        ...valid,
        PRODUCT_BRAND_ATTRIBUTE: 'manufacturer',
        PRODUCT_URL_TEMPLATE: 'https://shop.example/{locale}/p/{slug}?sku={sku}',
        PRODUCT_CATEGORIES: 'false',
        PRODUCT_CATEGORY_PATH: 'true',
      });
      expect(config.products).toEqual({
        brandAttribute: 'manufacturer',
        urlTemplate: 'https://shop.example/{locale}/p/{slug}?sku={sku}',
        categories: false,
        categoryPath: true,
      });
    });

    it('names an unknown placeholder, and a template that is no absolute URL, never echoing the value', () => {
      expect(problemsOf({ ...valid, PRODUCT_URL_TEMPLATE: 'https://shop.example/p/{handle}/{slug}' })).toEqual([
        'PRODUCT_URL_TEMPLATE has unknown placeholders {handle}; known are {slug}, {sku}, {productKey}, {productId}, {variantKey}, {locale}',
      ]);
      const relative = problemsOf({ ...valid, PRODUCT_URL_TEMPLATE: '/p/{slug}' });
      expect(relative).toEqual([
        'PRODUCT_URL_TEMPLATE must be an absolute http(s) URL with placeholders, such as https://shop.example/{locale}/p/{slug}',
      ]);
      expect(problemsOf({ ...valid, PRODUCT_BRAND_ATTRIBUTE: 'brand name' })).toEqual([
        'PRODUCT_BRAND_ATTRIBUTE must be a commercetools attribute name (letters, digits, _ and -)',
      ]);
      expect(problemsOf({ ...valid, PRODUCT_CATEGORY_PATH: 'maybe' })).toEqual([
        'PRODUCT_CATEGORY_PATH must be true or false',
      ]);
    });

    it('stops start-up when categories are read but CTP_SCOPE grants no product read, and not when they are off', () => {
      const scope = 'view_orders:shop-prod view_customers:shop-prod';
      expect(problemsOf({ ...valid, CTP_SCOPE: scope })).toEqual([
        'PRODUCT_CATEGORIES is on but CTP_SCOPE has no scope that reads products (view_products:<project-key>); add it, or set PRODUCT_CATEGORIES=false',
      ]);
      expect(loadConfig({ ...valid, CTP_SCOPE: scope, PRODUCT_CATEGORIES: 'false' }).products.categories).toBe(false);
      expect(
        loadConfig({ ...valid, CTP_SCOPE: `${scope} view_published_products:shop-prod` }).products.categories,
      ).toBe(true);
    });
  });
});

describe('EVENT_ORDER_CUSTOMER_SET', () => {
  it('is on by default, off with off, on with any other value, as the EVENT_* settings', () => {
    expect(loadConfig(valid).events.orderCustomerSet).toBe(true);
    expect(loadConfig({ ...valid, EVENT_ORDER_CUSTOMER_SET: 'OFF' }).events.orderCustomerSet).toBe(false);
    expect(loadConfig({ ...valid, EVENT_ORDER_CUSTOMER_SET: 'on' }).events.orderCustomerSet).toBe(true);
  });

  it.each(['false', 'no', '0'])('refuses %s rather than read it as on', (value) => {
    expect(problemsOf({ ...valid, EVENT_ORDER_CUSTOMER_SET: value })).toEqual([
      expect.stringMatching(/^EVENT_ORDER_CUSTOMER_SET is switched off with off/),
    ]);
  });
});
