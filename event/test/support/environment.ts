/** The commercetools project every test notification is about. */
export const PROJECT_KEY = 'test-project';
/** The stand-ins' default "now": the fixtures' messages are a day old, well within retention. */
export const STAND_IN_NOW = Date.parse('2026-11-24T10:00:00.000Z');
/** The default Segment source's write key (SEGMENT_WRITE_KEY). */
export const WRITE_KEY = 'test-write-key';

/**
 * For tests that count commercetools requests about something else: products' categories are not
 * read (their reads are counted in test/handlers/products.integration.test.ts).
 */
export const NO_PRODUCT_READS = { PRODUCT_CATEGORIES: 'false' } as const;

/**
 * The settings every test connector starts from, as environment variables: the project, its API
 * client and the default Segment source. A test adds what it is about (LOCALE, EVENT_*…).
 */
export const connectorEnvironment = (env: Record<string, string> = {}): Record<string, string> => ({
  CTP_PROJECT_KEY: PROJECT_KEY,
  CTP_CLIENT_ID: 'connector-client',
  CTP_CLIENT_SECRET: 'connector-secret-value',
  SEGMENT_WRITE_KEY: WRITE_KEY,
  ...env,
});
