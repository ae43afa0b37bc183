import { AsyncLocalStorage } from 'node:async_hooks';
import { ClientBuilder, type AuthMiddlewareOptions, type HttpMiddlewareOptions } from '@commercetools/ts-client';
import { createApiBuilderFromCtpClient, type ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import type { Config } from '../config';
import { commercetoolsOperationOf, noopMetrics, serverAddressOf, type Metrics } from '../metrics/metrics';

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The abort signal of the notification a read is made for. ts-client has no per-request signal,
 * so the reader runs each read inside this context and the API's fetch joins it to its own.
 */
const requestSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `read` so that the commercetools API requests it makes stop when `signal` aborts. */
export function withRequestSignal<T>(signal: AbortSignal | undefined, read: () => Promise<T>): Promise<T> {
  return signal ? requestSignal.run(signal, read) : read();
}

/**
 * A request that never reached an answer: refused, reset, DNS… (undici's "fetch failed"). Checked
 * by name, not instanceof: fetch's TypeError may come from another realm (test sandboxes do that).
 */
function isNetworkError(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return name === 'TypeError' && message === 'fetch failed';
}

/**
 * fetch that retries network errors. ts-client retries status codes and its own timeouts, but
 * lets a reset or refused connection through on the first try; a read (or a token request) is
 * safe to repeat, so repeat it, after a jittered delay, unless the caller gave up meanwhile.
 */
function fetchRetryingNetworkErrors(
  limits: CommercetoolsClientLimits,
  options: { timeout?: boolean; anyMethod?: boolean; requestSignal?: boolean } = {},
  /** Told of every attempt: its method, URL, status (0 for no answer) and duration. */
  measure?: (method: string, url: string, status: number, ms: number) => void,
): typeof fetch {
  const fetchOnce: typeof fetch = measure
    ? async (input, init) => {
        const started = performance.now();
        const method = (init?.method ?? 'GET').toUpperCase();
        const url = input instanceof Request ? input.url : String(input);
        try {
          const response = await fetch(input, init);
          measure(method, url, response.status, performance.now() - started);
          return response;
        } catch (error) {
          measure(method, url, 0, performance.now() - started);
          throw error;
        }
      }
    : fetch;
  return async (input, init) => {
    const deadline = options.requestSignal ? requestSignal.getStore() : undefined;
    if (deadline?.aborted) throw deadline.reason;
    for (let attempt = 0; ; attempt += 1) {
      const own = init?.signal ?? (options.timeout ? AbortSignal.timeout(limits.timeoutMs) : undefined);
      const signal = deadline && own ? AbortSignal.any([own, deadline]) : (deadline ?? own);
      try {
        return await fetchOnce(input, { ...init, ...(signal ? { signal } : {}) });
      } catch (error) {
        const method = (init?.method ?? 'GET').toUpperCase();
        const repeatable = options.anyMethod || method === 'GET' || method === 'HEAD';
        if (deadline?.aborted) throw deadline.reason;
        if (!isNetworkError(error) || !repeatable || signal?.aborted || attempt >= limits.maxRetries) throw error;
        await sleep(Math.round(limits.retryDelayMs * (1 + Math.random()) * 2 ** attempt));
      }
    }
  };
}

/**
 * One token request at a time. ts-client caches the token, but every request that starts before
 * the first token arrived asks for one of its own: at a cold start under load that is one token
 * per request. Identical concurrent token requests share one answer, each caller reading a copy.
 */
function singleFlight(fetchFn: typeof fetch): typeof fetch {
  const inFlight = new Map<string, Promise<Response>>();
  return async (input, init) => {
    const key = `${String(input)}\n${typeof init?.body === 'string' ? init.body : ''}`;
    let shared = inFlight.get(key);
    if (!shared) {
      shared = fetchFn(input, init).finally(() => inFlight.delete(key));
      inFlight.set(key, shared);
    }
    return (await shared).clone();
  };
}

export function createCommercetoolsApi(
  settings: Config['commercetools'],
  limits: CommercetoolsClientLimits = DEFAULT_COMMERCETOOLS_LIMITS,
  metrics: Metrics = noopMetrics,
): ByProjectKeyRequestBuilder {
  const measured = metrics !== noopMetrics;
  const auth: AuthMiddlewareOptions = {
    host: settings.authUrl,
    projectKey: settings.projectKey,
    credentials: { clientId: settings.clientId, clientSecret: settings.clientSecret },
    ...(settings.scopes ? { scopes: settings.scopes } : {}),
    // The auth middleware has no timeout of its own: give its requests one. A token request is
    // shared by concurrent reads, so no single notification's deadline may abort it.
    httpClient: singleFlight(
      fetchRetryingNetworkErrors(
        limits,
        { timeout: true, anyMethod: true },
        measured ? (_method, url, status, ms) => metrics.tokenFetch(serverAddressOf(url), status, ms) : undefined,
      ),
    ),
  };
  const http: HttpMiddlewareOptions = {
    host: settings.apiUrl,
    httpClient: fetchRetryingNetworkErrors(
      limits,
      { requestSignal: true },
      measured
        ? (method, url, status, ms) =>
            metrics.commercetoolsRequest(serverAddressOf(url), commercetoolsOperationOf(method, url), status, ms)
        : undefined,
    ),
    timeout: limits.timeoutMs,
    enableRetry: limits.maxRetries > 0,
    retryConfig: {
      maxRetries: limits.maxRetries,
      retryDelay: limits.retryDelayMs,
      backoff: true,
      maxDelay: limits.timeoutMs,
      retryOnAbort: true,
      // Network errors are retried by fetchRetryingNetworkErrors, timeouts by ts-client itself.
      retryCodes: [429, 500, 502, 503, 504],
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
