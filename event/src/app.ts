import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { CommercetoolsReader } from './commercetools/reads';
import { ConnectorError, upstreamUnavailable } from './errors';
import type { EventSettings } from './events';
import type { HandlerContext, Outcome } from './handlers/types';
import type { Logger } from './logger';
import type { MappingOptions } from './mapping/types';
import { findHandler, routeKey } from './routing';
import type { RegulationsClient } from './segment/regulations';
import type { SegmentSink } from './segment/sink';
import { createDecoder } from './transport/decode';
import type { DecodedDelivery, Decoder } from './transport/notification';

export interface AppDependencies {
  commercetools: CommercetoolsReader;
  segment: SegmentSink;
  regulations: RegulationsClient;
  logger: Logger;
  mapping: MappingOptions;
  events: EventSettings;
  /**
   * Longest time one notification may take before we answer 503. Pub/Sub waits about 10 s for
   * a push answer; answering inside that keeps its redelivery (and our messageIds) in charge.
   */
  deadlineMs?: number;
  /** Largest accepted body. */
  bodyLimit?: string;
  /** Turns request bodies into notifications; every transport by default. */
  decode?: Decoder;
  /**
   * Checks who sent the request (e.g. the Pub/Sub push OIDC token) before anything else is read;
   * rejects with an unauthorized error. None by default.
   */
  authenticate?: (headers: Request['headers']) => Promise<void>;
}

export const DEFAULT_DEADLINE_MS = 8_500;

/** The one place where outcomes and errors become HTTP answers. */
const ANSWERS = {
  delivered: 200,
  'deletion-requested': 200,
  skipped: 200,
  'bad-request': 400,
  unauthorized: 401,
  'payload-too-large': 413,
  'upstream-unavailable': 503,
  internal: 500,
} as const;

function sendError(res: Response, kind: keyof typeof ANSWERS, message: string): void {
  res.status(ANSWERS[kind]).json({ error: kind, message });
}

function withDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(upstreamUnavailable('processing deadline passed'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export function createApp(deps: AppDependencies): express.Express {
  const { logger } = deps;
  const deadlineMs = deps.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const decode = deps.decode ?? createDecoder();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/health', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });

  // Who is asking is checked before the body is even read.
  const authenticateRequest: RequestHandler = async (req, res, next) => {
    if (!deps.authenticate) return next();
    try {
      await deps.authenticate(req.headers);
      next();
    } catch (error) {
      // Keys that cannot be fetched are our problem (retry), not the sender's.
      const kind = error instanceof ConnectorError && error.kind === 'upstream-unavailable' ? error.kind : 'unauthorized';
      const message = error instanceof ConnectorError ? error.publicMessage : 'unauthorized';
      logger.warn({ outcome: kind, reason: message }, 'request rejected');
      sendError(res, kind, message);
    }
  };

  // Any content type: Pub/Sub sends application/json, SNS text/plain, hand-made posts often nothing.
  app.post('/', authenticateRequest, express.json({ limit: deps.bodyLimit ?? '1mb', type: () => true, strict: true }), async (req: Request, res: Response) => {
    const started = process.hrtime.bigint();
    const elapsedMs = () => Number((process.hrtime.bigint() - started) / 1_000_000n);
    let decoded: DecodedDelivery | undefined;
    try {
      const request = await decode(req.body);
      if (request.kind === 'control') {
        await request.run?.();
        logger.info({ transport: request.transport, outcome: request.status, durationMs: elapsedMs() }, 'transport message processed');
        res.status(200).json({ status: request.status });
        return;
      }
      decoded = request;
      const { notification } = decoded;
      const handler = findHandler(notification);
      let outcome: Outcome;
      if (notification.projectKey !== deps.mapping.projectKey) {
        outcome = { status: 'skipped', reason: 'other-project' };
      } else if (!handler) {
        outcome = { status: 'skipped', reason: 'unhandled-type' };
      } else {
        const signal = AbortSignal.timeout(deadlineMs);
        const context: HandlerContext = {
          commercetools: deps.commercetools,
          segment: deps.segment,
          regulations: deps.regulations,
          mapping: deps.mapping,
          events: deps.events,
          signal,
        };
        outcome = await withDeadline(handler(notification, context), signal);
      }
      const level = outcome.status === 'skipped' && isNoteworthy(outcome.reason) ? 'warn' : 'info';
      logger[level]({ ...describe(decoded), outcome: outcome.status, ...reasonOf(outcome), durationMs: elapsedMs() }, 'notification processed');
      res.status(ANSWERS[outcome.status]).json(outcome);
    } catch (error) {
      const kind = error instanceof ConnectorError ? error.kind : 'internal';
      const message = error instanceof ConnectorError ? error.publicMessage : 'internal error';
      const fields = { ...(decoded ? describe(decoded) : {}), outcome: kind, durationMs: elapsedMs() };
      if (kind === 'bad-request' || kind === 'unauthorized') logger.warn({ ...fields, reason: message }, 'notification rejected');
      else logger.error({ ...fields, reason: message, cause: causeOf(error) }, 'notification failed');
      sendError(res, kind, message);
    }
  });

  app.use((_req, res) => {
    res.status(404).json({ error: 'not-found', message: 'POST notifications to /' });
  });

  // Body-parser failures: the request itself is wrong, so it is never worth a retry.
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      logger.warn({ outcome: 'payload-too-large' }, 'notification rejected');
      return sendError(res, 'payload-too-large', 'the body exceeds the size limit');
    }
    const status = (error as { status?: number }).status;
    if (status && status >= 400 && status < 500) {
      logger.warn({ outcome: 'bad-request', reason: type ?? 'unreadable body' }, 'notification rejected');
      return sendError(res, 'bad-request', type === 'entity.parse.failed' ? 'the body is not valid JSON' : 'the body could not be read');
    }
    logger.error({ outcome: 'internal', cause: causeOf(error) }, 'request failed');
    return sendError(res, 'internal', 'internal error');
  };
  app.use(onError);
  return app;
}

/** Identifiers only: what operators need to find the resource, nothing personal. */
function describe({ notification, delivery }: DecodedDelivery) {
  return {
    route: routeKey(notification),
    resourceId: notification.resource.id,
    ...(notification.notificationType === 'Message' ? { messageId: notification.id } : {}),
    ...(notification.version !== undefined ? { version: notification.version } : {}),
    transport: delivery.transport,
    ...(delivery.deliveryId ? { deliveryId: delivery.deliveryId } : {}),
    ...(delivery.deliveryAttempt ? { deliveryAttempt: delivery.deliveryAttempt } : {}),
  };
}

function reasonOf(outcome: Outcome) {
  switch (outcome.status) {
    case 'skipped':
      return { reason: outcome.reason };
    case 'delivered':
      return { events: outcome.events };
    case 'deletion-requested':
      return {};
  }
}

/** Skips that point at a data or set-up problem someone should look at. */
function isNoteworthy(reason: string): boolean {
  return ['invalid-consent', 'no-identity', 'other-project', 'no-public-api-token', 'deletion-refused'].includes(reason);
}

/**
 * An error's class and message chain, without payloads. HTTP client errors (ts-client throws plain
 * objects, not Errors) can echo request details in their message: of those, only the name, the
 * commercetools error code and the status are kept.
 */
function causeOf(error: unknown): string[] {
  const chain: string[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && chain.length < 4) {
    const { name, message, statusCode, code } = current as { name?: unknown; message?: unknown; statusCode?: unknown; code?: unknown };
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
