/**
 * The one HTTP stack for both upstreams: an undici Agent (a keep-alive pool per origin, with a
 * bound on its connections), used by the commercetools client and by analytics-node instead of
 * global fetch. undici's request API answers with the status, headers and a body read once, with
 * none of fetch's WHATWG streams, Request/Response objects or per-request signal plumbing.
 */
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';

export interface HttpAgentLimits {
  /** Most connections open to one origin; requests beyond wait for one to be free. */
  connectionsPerOrigin: number;
  /** How long an idle keep-alive connection is kept, ms (the server's own hint can shorten it). */
  keepAliveTimeoutMs: number;
  /** Longest wait for a connection to be established, ms. */
  connectTimeoutMs: number;
}

export const DEFAULT_HTTP_AGENT_LIMITS: HttpAgentLimits = {
  connectionsPerOrigin: 128,
  keepAliveTimeoutMs: 30_000,
  connectTimeoutMs: 2_000,
};

export type HttpAgent = Dispatcher & { close(): Promise<void> };

export function createHttpAgent(limits: HttpAgentLimits = DEFAULT_HTTP_AGENT_LIMITS): HttpAgent {
  return new Agent({
    connections: limits.connectionsPerOrigin,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    keepAliveMaxTimeout: limits.keepAliveTimeoutMs,
    connect: { timeout: limits.connectTimeoutMs },
  });
}

export interface HttpRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  /** Per attempt: the longest wait for the answer's headers, and then between two body chunks, ms. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body, read whole and decoded as UTF-8. */
  text: string;
}

/** One request through the agent, its body read whole. Redirects are not followed. */
export async function sendRequest(agent: HttpAgent, request: HttpRequest): Promise<HttpAnswer> {
  const url = new URL(request.url);
  const answer = await agent.request({
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: request.method as Dispatcher.HttpMethod,
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.body !== undefined ? { body: request.body } : {}),
    headersTimeout: request.timeoutMs,
    bodyTimeout: request.timeoutMs,
    ...(request.signal ? { signal: request.signal } : {}),
  });
  return { status: answer.statusCode, headers: answer.headers, text: await answer.body.text() };
}

/** Errors of a request that got no answer at all: refused, reset, timed out, closed. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * A request that never reached an answer (and may be repeated when it is a read). Checked by
 * code, not instanceof: errors may come from another realm (test sandboxes do that). An abort by
 * the caller is not one: the caller gave up.
 */
export function isNetworkError(error: unknown): boolean {
  if (error instanceof undiciErrors.RequestAbortedError) return false;
  const { code } = (error ?? {}) as { code?: unknown };
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code);
}
