import {
  ClientBuilder,
  type AuthMiddlewareOptions,
  type HttpMiddlewareOptions,
} from '@commercetools/ts-client';
import { createApiBuilderFromCtpClient, type ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import type { Config } from '../config';

/**
 * Bounds for every commercetools call. Pub/Sub gives a push request about 10 s; the worst case of
 * one handler (token + two reads, each with one retry) must stay well inside that.
 */
export interface CommercetoolsClientLimits {
  /** Per-request timeout, ms. */
  timeoutMs: number;
  /** Retries after the first attempt, for network errors, 429 and 5xx. */
  maxRetries: number;
  /** First retry delay, ms (doubled with jitter on each further retry). */
  retryDelayMs: number;
}

export const DEFAULT_COMMERCETOOLS_LIMITS: CommercetoolsClientLimits = {
  timeoutMs: 2_000,
  maxRetries: 1,
  retryDelayMs: 100,
};

/** fetch with a deadline, for the token endpoint (the auth middleware has no timeout of its own). */
function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) =>
    fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
}

export function createCommercetoolsApi(
  settings: Config['commercetools'],
  limits: CommercetoolsClientLimits = DEFAULT_COMMERCETOOLS_LIMITS,
): ByProjectKeyRequestBuilder {
  const auth: AuthMiddlewareOptions = {
    host: settings.authUrl,
    projectKey: settings.projectKey,
    credentials: { clientId: settings.clientId, clientSecret: settings.clientSecret },
    ...(settings.scopes ? { scopes: settings.scopes } : {}),
    httpClient: fetchWithTimeout(limits.timeoutMs),
  };
  const http: HttpMiddlewareOptions = {
    host: settings.apiUrl,
    httpClient: fetch,
    timeout: limits.timeoutMs,
    enableRetry: limits.maxRetries > 0,
    retryConfig: {
      maxRetries: limits.maxRetries,
      retryDelay: limits.retryDelayMs,
      backoff: true,
      maxDelay: limits.timeoutMs,
      retryOnAbort: true,
      retryCodes: [429, 500, 502, 503, 504, 'ETIMEDOUT', 'ECONNREFUSED', 'ECONNRESET'],
    },
    maskSensitiveHeaderData: true,
  };
  const client = new ClientBuilder()
    .withProjectKey(settings.projectKey)
    .withClientCredentialsFlow(auth)
    .withHttpMiddleware(http)
    .withUserAgentMiddleware({ libraryName: 'commercetools-segment-connector', libraryVersion: '0.1.0' })
    .build();
  return createApiBuilderFromCtpClient(client).withProjectKey({ projectKey: settings.projectKey });
}
