import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import {
  admissionLimitsOf,
  createAdmissionGate,
  DEFAULT_MAX_CONCURRENT_NOTIFICATIONS,
  receivedAtOf,
  type AdmissionLimits,
} from './admission';
import { ConnectorError } from './errors';
import type { InFlight } from './in-flight';
import { noopMetrics } from './metrics/metrics';
import { answerOf, causeOf, failure, processDelivery, type PipelineDependencies, type Processed } from './pipeline';
import { createDecoder } from './transport/decode';

export interface AppDependencies extends Omit<PipelineDependencies, 'decode'> {
  /** Largest accepted body. */
  bodyLimit?: string;
  /** Turns request bodies into notifications; every transport by default. */
  decode?: PipelineDependencies['decode'];
  /**
   * Checks who sent the request (e.g. the Pub/Sub push OIDC token) before anything else is read;
   * rejects with an unauthorized error. None by default. A request that passed it is
   * authenticated: the resources its notification carries are used as they are.
   */
  authenticate?: (headers: Request['headers']) => Promise<void>;
  /** How many notifications are worked on at once, and how many may wait (see admission.ts). */
  admission?: AdmissionLimits;
  /** Counts the notifications in progress, so that shutdown can wait for them; none by default. */
  inFlight?: InFlight;
}

function answer(res: Response, processed: Processed): void {
  const { status, body } = answerOf(processed);
  res.status(status).json(body);
}

/** The HTTP edge: reads the body, hands it to the pipeline, answers with what became of it. */
export function createApp(deps: AppDependencies): express.Express {
  const { logger } = deps;
  const metrics = deps.metrics ?? noopMetrics;
  const pipeline: PipelineDependencies = { ...deps, decode: deps.decode ?? createDecoder() };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/health', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });

  // Self-hosting only (METRICS_PROMETHEUS): absent otherwise, so it answers 404 like any other path.
  const { prometheusHandler } = metrics;
  if (prometheusHandler) app.get('/metrics', (req, res) => prometheusHandler(req, res));

  // Who is asking is checked before the body is even read.
  const authenticateRequest: RequestHandler = async (req, res, next) => {
    if (!deps.authenticate) return next();
    try {
      await deps.authenticate(req.headers);
      next();
    } catch (error) {
      // Keys that cannot be fetched are our problem (retry), not the sender's.
      const kind =
        error instanceof ConnectorError && error.kind === 'upstream-unavailable' ? error.kind : 'unauthorized';
      const message = error instanceof ConnectorError ? error.publicMessage : 'unauthorized';
      metrics.requestRejected(kind);
      logger.warn({ outcome: kind, reason: message }, 'request rejected');
      answer(res, failure(kind, message));
    }
  };

  // Past the waiting line's end: redelivered later, by Pub/Sub's back-off, rather than queued for seconds.
  const admit = createAdmissionGate(
    deps.admission ?? admissionLimitsOf(DEFAULT_MAX_CONCURRENT_NOTIFICATIONS),
    (_req, res) => {
      metrics.requestRejected('overloaded');
      logger.warn({ outcome: 'overloaded' }, 'request turned away: too many notifications waiting');
      answer(res, failure('overloaded', 'the connector is at capacity; retry later'));
    },
  );

  // Any content type: Pub/Sub sends application/json, SNS text/plain, hand-made posts often nothing.
  // The turn is taken first: waiting requests are neither authenticated nor parsed yet.
  app.post(
    '/',
    admit,
    authenticateRequest,
    express.json({ limit: deps.bodyLimit ?? '1mb', type: () => true, strict: true }),
    async (req: Request, res: Response) => {
      const trust = { authenticated: deps.authenticate !== undefined, receivedAt: receivedAtOf(req) };
      const processed = processDelivery(req.body, pipeline, trust);
      answer(res, await (deps.inFlight?.track(processed) ?? processed));
    },
  );

  app.use((_req, res) => {
    res.status(404).json({ error: 'not-found', message: 'POST notifications to /' });
  });

  // Body-parser failures: the request itself is wrong, so it is never worth a retry.
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      metrics.requestRejected('payload-too-large');
      logger.warn({ outcome: 'payload-too-large' }, 'notification rejected');
      return answer(res, failure('payload-too-large', 'the body exceeds the size limit'));
    }
    const status = (error as { status?: number }).status;
    if (status && status >= 400 && status < 500) {
      metrics.requestRejected('bad-request');
      logger.warn({ outcome: 'bad-request', reason: type ?? 'unreadable body' }, 'notification rejected');
      const message = type === 'entity.parse.failed' ? 'the body is not valid JSON' : 'the body could not be read';
      return answer(res, failure('bad-request', message));
    }
    metrics.requestRejected('internal');
    logger.error({ outcome: 'internal', cause: causeOf(error) }, 'request failed');
    return answer(res, failure('internal', 'internal error'));
  };
  app.use(onError);
  return app;
}
