import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientBuilder, type AuthMiddlewareOptions, type HttpMiddlewareOptions } from '@commercetools/ts-client';
import { createApiBuilderFromCtpClient, type ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import type { Config } from '../config';
import {
  createHttpAgent,
  isNetworkError,
  sendRequest,
  type HttpAgent,
  type HttpAnswer,
  type HttpRequest,
} from '../outbound/agent';
import { commercetoolsOperationOf, noopMetrics, serverAddressOf, type Metrics } from '../telemetry/metrics';

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

/**
 * The abort signal of the notification a read is made for. ts-client passes no signal of its own
 * per request, so the reader runs each read inside this context, and the HTTP client below gives
 * the signal to every request it sends for that read.
 */
const requestSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `read` so that the commercetools API requests it makes stop when `signal` aborts. */
export function withRequestSignal<T>(signal: AbortSignal | undefined, read: () => Promise<T>): Promise<T> {
  return signal ? requestSignal.run(signal, read) : read();
}

/** The options ts-client passes its httpClient that this client reads; it ignores the others. */
interface TsClientInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What ts-client reads of an answer: the status, the headers, and the body through text(). */
interface TsClientResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text(): Promise<string>;
}

type TsClientHttp = (url: string, init?: TsClientInit) => Promise<TsClientResponse>;

const responseOf = ({ status, headers, text }: HttpAnswer): TsClientResponse => ({
  status,
  headers,
  text: () => Promise.resolve(text),
});

/**
 * ts-client's httpClient, on the shared undici agent. Each attempt has its own timeout (undici's
 * header and body timeouts: no timer or signal per request) and stops when the notification's
 * deadline passes. A read (or a token request) that got no answer at all (refused, reset,
 * timed out) is safe to repeat: it is, after a jittered delay, unless the caller gave up meanwhile.
 * ts-client itself retries 429 and 5xx.
 */
function httpRetryingNetworkErrors(
  agent: HttpAgent,
  limits: CommercetoolsClientLimits,
  options: {
    /** Repeat any method, not only reads: token requests change nothing. */
    anyMethod?: boolean;
    /** Stop when the signal of withRequestSignal's context aborts. */
    requestSignal?: boolean;
    /** Told of every attempt: its method, URL, status (0 for no answer) and duration. */
    measure?: (attempt: { method: string; url: string; status: number; ms: number }) => void;
  } = {},
): TsClientHttp {
  const { measure } = options;
  const sendOnce = async (request: HttpRequest): Promise<HttpAnswer> => {
    if (!measure) return sendRequest(agent, request);
    const started = performance.now();
    const { method, url } = request;
    try {
      const answer = await sendRequest(agent, request);
      measure({ method, url, status: answer.status, ms: performance.now() - started });
      return answer;
    } catch (error) {
      measure({ method, url, status: 0, ms: performance.now() - started });
      throw error;
    }
  };
  return async (url, init = {}) => {
    const deadline = options.requestSignal ? requestSignal.getStore() : undefined;
    if (deadline?.aborted) throw deadline.reason;
    const method = (init.method ?? 'GET').toUpperCase();
    const repeatable = options.anyMethod || method === 'GET' || method === 'HEAD';
    const request: HttpRequest = {
      url,
      method,
      ...(init.headers ? { headers: init.headers } : {}),
      ...(typeof init.body === 'string' ? { body: init.body } : {}),
      timeoutMs: limits.timeoutMs,
      ...(deadline ? { signal: deadline } : {}),
    };
    for (let attempt = 0; ; attempt += 1) {
      try {
        return responseOf(await sendOnce(request));
      } catch (error) {
        if (deadline?.aborted) throw deadline.reason;
        if (!isNetworkError(error) || !repeatable || attempt >= limits.maxRetries) throw error;
        await sleep(Math.round(limits.retryDelayMs * (1 + Math.random()) * 2 ** attempt));
      }
    }
  };
}

/**
 * One token request at a time. ts-client caches the token, but every request that starts before
 * the first token arrived asks for one of its own: at a cold start under load that is one token
 * per request. Identical concurrent token requests share one answer.
 */
function singleFlight(http: TsClientHttp): TsClientHttp {
  const inFlight = new Map<string, Promise<TsClientResponse>>();
  return (url, init) => {
    const key = `${url}\n${typeof init?.body === 'string' ? init.body : ''}`;
    let shared = inFlight.get(key);
    if (!shared) {
      shared = http(url, init).finally(() => inFlight.delete(key));
      inFlight.set(key, shared);
    }
    // The body is read whole: every caller can read it.
    return shared;
  };
}

export interface CommercetoolsApiOptions {
  /** Timeouts and retries; DEFAULT_COMMERCETOOLS_LIMITS by default. */
  limits?: CommercetoolsClientLimits;
  /** Where every request is counted; nothing is recorded by default. */
  metrics?: Metrics;
  /** The HTTP agent; a private one by default (the deploy scripts make a few requests and exit). */
  agent?: HttpAgent;
}

/** The platform SDK's request builder over ts-client, on the given HTTP agent. */
export function createCommercetoolsApi(
  settings: Config['commercetools'],
  options: CommercetoolsApiOptions = {},
): ByProjectKeyRequestBuilder {
  const { limits = DEFAULT_COMMERCETOOLS_LIMITS, metrics = noopMetrics, agent = createHttpAgent() } = options;
  const measured = metrics !== noopMetrics;
  const auth: AuthMiddlewareOptions = {
    host: settings.authUrl,
    projectKey: settings.projectKey,
    credentials: { clientId: settings.clientId, clientSecret: settings.clientSecret },
    ...(settings.scopes ? { scopes: settings.scopes } : {}),
    // The auth middleware has no timeout of its own: give its requests one. A token request is
    // shared by concurrent reads, so no single notification's deadline may abort it.
    httpClient: singleFlight(
      httpRetryingNetworkErrors(agent, limits, {
        anyMethod: true,
        ...(measured
          ? { measure: ({ url, status, ms }) => metrics.tokenFetch({ server: serverAddressOf(url), status, ms }) }
          : {}),
      }),
    ),
  };
  const http: HttpMiddlewareOptions = {
    host: settings.apiUrl,
    httpClient: httpRetryingNetworkErrors(agent, limits, {
      requestSignal: true,
      ...(measured
        ? {
            measure: ({ method, url, status, ms }) =>
              metrics.commercetoolsRequest({
                server: serverAddressOf(url),
                operation: commercetoolsOperationOf(method, url),
                status,
                ms,
              }),
          }
        : {}),
    }),
    // No `timeout`: ts-client would arm a timer and an AbortController per request; the agent's
    // own timeouts bound each attempt, and their errors are retried like any network error.
    enableRetry: limits.maxRetries > 0,
    retryConfig: {
      maxRetries: limits.maxRetries,
      retryDelay: limits.retryDelayMs,
      backoff: true,
      maxDelay: limits.timeoutMs,
      retryOnAbort: false,
      // Network errors and timeouts are retried by httpRetryingNetworkErrors.
      retryCodes: [429, 500, 502, 503, 504],
    },
    maskSensitiveHeaderData: true,
    // Nothing reads them; converting every answer's headers costs an object per request.
    includeResponseHeaders: false,
  };
  const client = new ClientBuilder()
    .withProjectKey(settings.projectKey)
    .withClientCredentialsFlow(auth)
    .withHttpMiddleware(http)
    .withUserAgentMiddleware({ libraryName: 'commercetools-segment-connector', libraryVersion: '0.1.0' })
    .build();
  return createApiBuilderFromCtpClient(client).withProjectKey({ projectKey: settings.projectKey });
}
