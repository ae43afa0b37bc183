import type { ProductCatalog } from './commercetools/catalog';
import type { ProjectSettings } from './commercetools/project';
import type { CommercetoolsReader } from './commercetools/reads';
import { ConnectorError, upstreamUnavailable, type ErrorKind } from './errors';
import type { EventSettings } from './events';
import type { HandlerContext } from './handlers/types';
import type { Logger } from './logger';
import { noopMetrics, type Metrics } from './telemetry/metrics';
import { noopSpan, noopTracing, type NotificationSpan, type Tracing } from './telemetry/tracing';
import type { MappingOptions } from './mapping/types';
import { SKIP_REASONS, skipped, type Outcome } from './outcome';
import { findHandler, routeKey } from './routing';
import type { RegulationsClient } from './segment/regulations';
import type { SegmentSink } from './segment/sink';
import type { DecodedNotification, Decoder } from './transport/notification';
import type { ByteAccount } from './transport/parse';

/**
 * From a decoded request body to its outcome: the one path every entry point takes (the HTTP
 * route, replay, the demo). Entry points add only their own edge: reading the body, turning the
 * result into an answer.
 */
export interface PipelineDependencies {
  commercetools: CommercetoolsReader;
  /** The project's settings the proofs depend on. */
  project: ProjectSettings;
  segment: SegmentSink;
  regulations: RegulationsClient;
  logger: Logger;
  mapping: MappingOptions;
  /** Where products' categories are read; none when PRODUCT_CATEGORIES is off. */
  catalog?: ProductCatalog;
  events: EventSettings;
  /** Turns request bodies into notifications. */
  decode: Decoder;
  /**
   * Longest time one notification may take before it fails as upstream-unavailable. Pub/Sub
   * waits about 10 s for a push answer; answering inside that keeps its redelivery (and our
   * messageIds) in charge.
   */
  deadlineMs?: number;
  /** Where outcomes are counted; records nothing by default. */
  metrics?: Metrics;
  /** One span per notification; none by default. */
  tracing?: Tracing;
}

export const DEFAULT_DEADLINE_MS = 8_500;

/** What the edge knows of the request before its body was decoded. */
export interface RequestTrust {
  /** The request carried a verified credential (a Pub/Sub push OIDC token). */
  authenticated: boolean;
  /**
   * When the request arrived (performance.now(), ms), if it waited for its turn: the deadline
   * runs from then, since the sender's own deadline did.
   */
  receivedAt?: number;
  /** The request's share of the edge's byte budget: JSON the body carries is charged to it before it is parsed. */
  account?: ByteAccount;
}

export type FailureKind = ErrorKind | 'internal' | 'payload-too-large' | 'request-timeout';

/** What became of one delivery. */
export type Processed =
  | { kind: 'outcome'; outcome: Outcome }
  /** A transport's own message (an SNS subscription confirmation…), answered without routing. */
  | { kind: 'control'; status: string }
  | { kind: 'failure'; failure: FailureKind; message: string };

/**
 * The one table of answers: acknowledge (2xx) or have the message redelivered (5xx). Skips are
 * acknowledged, since retrying cannot change them; so is a notification whose events Segment
 * refused for good (`skipped` / `segment-rejected`, logged as an error to be replayed after a fix).
 */
export const ANSWERS = {
  delivered: 200,
  'deletion-requested': 200,
  skipped: 200,
  control: 200,
  'bad-request': 400,
  unauthorized: 401,
  'request-timeout': 408,
  'payload-too-large': 413,
  'upstream-unavailable': 503,
  overloaded: 503,
  internal: 500,
} as const satisfies Record<Outcome['kind'] | FailureKind | 'control', number>;

/** The HTTP status and JSON body that answer a processed delivery. */
export function answerOf(processed: Processed): { status: number; body: Record<string, unknown> } {
  switch (processed.kind) {
    case 'outcome': {
      // The outcome's kind is the answer's `status`; its detail is for the log only.
      const { kind, detail: _detail, ...rest } = processed.outcome;
      return { status: ANSWERS[kind], body: { status: kind, ...rest } };
    }
    case 'control':
      return { status: ANSWERS.control, body: { status: processed.status } };
    case 'failure':
      return { status: ANSWERS[processed.failure], body: { error: processed.failure, message: processed.message } };
  }
}

/** A failure's answer, for failures found before a body reached the pipeline (body parser, authentication). */
export const failure = (kind: FailureKind, message: string): Processed => ({ kind: 'failure', failure: kind, message });

function withDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(upstreamUnavailable('processing deadline passed'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Decodes one request body, routes it, runs its handler within the deadline, logs one line
 * (ids and outcome, never personal data) and says what became of it. Never rejects.
 */
export function processDelivery(body: unknown, deps: PipelineDependencies, trust: RequestTrust): Promise<Processed> {
  const tracing = deps.tracing ?? noopTracing;
  // Traces off: no closure, no span.
  if (tracing === noopTracing) return processInSpan(noopSpan, body, deps, trust);
  return tracing.notification((span) => processInSpan(span, body, deps, trust));
}

/** processDelivery's work, within the notification's span (the no-op one when traces are off). */
async function processInSpan(
  span: NotificationSpan,
  body: unknown,
  deps: PipelineDependencies,
  trust: RequestTrust,
): Promise<Processed> {
  const started = process.hrtime.bigint();
  const elapsedMs = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
  const logger = span.logger(deps.logger);
  const metrics = deps.metrics ?? noopMetrics;
  metrics.notificationStarted();
  let decoded: DecodedNotification | undefined;
  try {
    const request = await deps.decode(body, trust.account);
    if (request.kind === 'control') {
      await request.run?.();
      metrics.notificationHandled({ route: 'control', outcome: request.status, ms: elapsedMs() });
      span.handled({ route: 'control', outcome: request.status, transport: request.transport });
      logger.info(
        { transport: request.transport, outcome: request.status, durationMs: elapsedMs() },
        'transport message processed',
      );
      return { kind: 'control', status: request.status };
    }
    decoded = request;
    const outcome = await handle(decoded, deps, trust);
    if (ANSWERS[outcome.kind] < 300) decoded.acknowledge?.();
    const level = outcome.kind === 'skipped' ? SKIP_REASONS[outcome.reason] : 'info';
    const reason = outcome.kind === 'skipped' ? { reason: outcome.reason } : {};
    const events = outcome.kind === 'delivered' ? { events: outcome.events } : {};
    const durationMs = elapsedMs();
    const route = routeOf(decoded);
    metrics.notificationHandled({ route, outcome: outcome.kind, ...reason, ms: durationMs });
    span.handled({ route, outcome: outcome.kind, ...reason, transport: decoded.delivery.transport });
    logger[level](
      {
        ...describe(decoded),
        outcome: outcome.kind,
        ...reason,
        ...events,
        ...outcome.detail,
        durationMs,
      },
      'notification processed',
    );
    return { kind: 'outcome', outcome };
  } catch (error) {
    const kind = error instanceof ConnectorError ? error.kind : 'internal';
    const message = error instanceof ConnectorError ? error.publicMessage : 'internal error';
    const durationMs = elapsedMs();
    const route = decoded ? routeOf(decoded) : 'none';
    metrics.notificationHandled({ route, outcome: kind, ms: durationMs });
    span.handled({ route, outcome: kind, ...(decoded ? { transport: decoded.delivery.transport } : {}) });
    const fields = { ...(decoded ? describe(decoded) : {}), outcome: kind, durationMs };
    if (kind === 'bad-request' || kind === 'unauthorized' || kind === 'overloaded')
      logger.warn({ ...fields, reason: message }, 'notification rejected');
    else logger.error({ ...fields, reason: message, cause: causeOf(error) }, 'notification failed');
    return failure(kind, message);
  }
}

async function handle(
  { notification, delivery }: DecodedNotification,
  deps: PipelineDependencies,
  trust: RequestTrust,
): Promise<Outcome> {
  if (notification.projectKey !== deps.mapping.projectKey) return skipped('other-project');
  const handler = findHandler(notification);
  if (!handler) return skipped('unhandled-type');
  const waitedMs = trust.receivedAt === undefined ? 0 : performance.now() - trust.receivedAt;
  const remainingMs = (deps.deadlineMs ?? DEFAULT_DEADLINE_MS) - waitedMs;
  if (remainingMs <= 0) throw upstreamUnavailable('processing deadline passed while waiting for a turn');
  const signal = AbortSignal.timeout(Math.ceil(remainingMs));
  const context: HandlerContext = {
    commercetools: deps.commercetools,
    project: deps.project,
    segment: deps.segment,
    regulations: deps.regulations,
    mapping: deps.mapping,
    ...(deps.catalog ? { catalog: deps.catalog } : {}),
    events: deps.events,
    trusted: trust.authenticated || delivery.authenticated === true,
    signal,
  };
  return withDeadline(handler(notification, context), signal);
}

/**
 * The route, for metrics, traces and logs alike: one of the routing table's, or `other` for
 * anything it does not serve. A resource type or message type the table does not know is the
 * sender's own text (an email, a 600 KB string): it never reaches a log line or a metric series.
 */
function routeOf({ notification }: DecodedNotification): string {
  return findHandler(notification) ? routeKey(notification) : 'other';
}

/**
 * A transport's delivery id (Pub/Sub's messageId, a CloudEvent's id), logged when it looks like
 * one: the envelope lets a sender write any text there.
 */
const DELIVERY_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Identifiers only: what operators need to find the resource, nothing personal. */
function describe(decoded: DecodedNotification) {
  const { notification, delivery } = decoded;
  return {
    route: routeOf(decoded),
    resourceId: notification.resource.id,
    ...(notification.notificationType === 'Message' ? { messageId: notification.id } : {}),
    ...(notification.version !== undefined ? { version: notification.version } : {}),
    transport: delivery.transport,
    ...(delivery.deliveryId && DELIVERY_ID.test(delivery.deliveryId) ? { deliveryId: delivery.deliveryId } : {}),
    ...(delivery.deliveryAttempt ? { deliveryAttempt: delivery.deliveryAttempt } : {}),
  };
}

/**
 * An error's class and message chain, without payloads. HTTP client errors (ts-client throws plain
 * objects, not Errors) can echo request details in their message: of those, only the name, the
 * commercetools error code and the status are kept.
 */
export function causeOf(error: unknown): string[] {
  const chain: string[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && chain.length < 4) {
    const { name, message, statusCode, code } = current as {
      name?: unknown;
      message?: unknown;
      statusCode?: unknown;
      code?: unknown;
    };
    const label = typeof name === 'string' ? name : 'Error';
    const codeText = typeof code === 'string' ? ` [${code}]` : '';
    chain.push(
      typeof statusCode === 'number'
        ? `${label} (HTTP ${statusCode})${codeText}`
        : `${label}: ${typeof message === 'string' ? message : 'unknown'}${codeText}`,
    );
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}
