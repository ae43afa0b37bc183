import express, { type Request, type RequestHandler, type Response } from 'express';
import {
  admissionLimitsOf,
  createAdmissionGate,
  DEFAULT_MAX_CONCURRENT_NOTIFICATIONS,
  receivedAtOf,
  type AdmissionGate,
  type AdmissionLimits,
} from './admission';
import { ConnectorError } from '../errors';
import { BodyError, DEFAULT_BODY_LIMITS, receiveBody, type BodyLimits, type IncomingBody } from './body';
import { createByteBudget, defaultByteBudget, type ByteBudget, type RequestAccount } from './budget';
import type { InFlight } from './in-flight';
import { noopMetrics } from '../telemetry/metrics';
import {
  answerOf,
  causeOf,
  failure,
  processDelivery,
  type FailureKind,
  type PipelineDependencies,
  type Processed,
} from '../pipeline';
import { createDecoder } from '../transport/decode';
import { DEFAULT_JSON_LIMITS, parseJsonBytes } from '../transport/parse';

export interface AppDependencies extends Omit<PipelineDependencies, 'decode'> {
  /** Body size, deadline and what a waiting request may hold (see body.ts). */
  body?: Partial<BodyLimits>;
  /** What every request in progress may hold together; by default a share of the heap (see budget.ts). */
  budget?: ByteBudget;
  /** Turns request bodies into notifications; every transport by default. */
  decode?: PipelineDependencies['decode'];
  /**
   * Checks who sent the request (e.g. the Pub/Sub push OIDC token) before its body is read
   * beyond what came with its headers; rejects with an unauthorized error. None by default. A
   * request that passed it is authenticated: the resources its notification carries are used as they are.
   */
  authenticate?: (headers: Request['headers']) => Promise<void>;
  /** How many notifications are worked on at once, and how many may wait (see admission.ts). */
  admission?: AdmissionLimits;
  /** Counts the notifications in progress, so that shutdown can wait for them; none by default. */
  inFlight?: InFlight;
  /** The admission gate itself, to watch its line (tests); built from `admission` when absent. */
  gate?: AdmissionGate;
}

/** What the edge keeps of a request between its middlewares. */
interface Incoming {
  body: IncomingBody;
  account: RequestAccount;
  /** The pipeline is working on it: the account closes when it is done, not when the sender leaves. */
  working: boolean;
}

const incomingOf = (res: Response) => res.locals.incoming as Incoming;

function answer(req: Request, res: Response, processed: Processed): void {
  if (res.headersSent || res.destroyed) return;
  const { status, body } = answerOf(processed);
  // A body left unread cannot be skipped on a kept-alive connection: close it after the answer.
  if (!req.complete) res.setHeader('Connection', 'close');
  res.status(status).json(body);
}

/** The HTTP edge: reads the body, hands it to the pipeline, answers with what became of it. */
export function createApp(deps: AppDependencies): express.Express {
  const { logger } = deps;
  const metrics = deps.metrics ?? noopMetrics;
  const pipeline: PipelineDependencies = { ...deps, decode: deps.decode ?? createDecoder() };
  const bodyLimits: BodyLimits = { ...DEFAULT_BODY_LIMITS, ...deps.body };
  const budget = deps.budget ?? createByteBudget(defaultByteBudget());
  const gate =
    deps.gate ?? createAdmissionGate(deps.admission ?? admissionLimitsOf(DEFAULT_MAX_CONCURRENT_NOTIFICATIONS));
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/health', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });

  // Self-hosting only (METRICS_PROMETHEUS): absent otherwise, so it answers 404 like any other path.
  const { prometheusHandler } = metrics;
  if (prometheusHandler) app.get('/metrics', (req, res) => prometheusHandler(req, res));

  /** A request refused before the pipeline: counted, logged (the kind only), answered. */
  const reject = (req: Request, res: Response, { kind, message }: { kind: FailureKind; message: string }) => {
    metrics.requestRejected(kind);
    logger.warn({ outcome: kind, reason: message }, 'request rejected');
    answer(req, res, failure(kind, message));
  };
  const rejectBody = (req: Request, res: Response, error: BodyError) => {
    if (error.kind === 'aborted') return; // the sender hung up: no one to answer
    reject(req, res, { kind: error.kind, message: error.message });
  };

  // Arrival: the request's account opens and its body starts being taken off the socket, before
  // it has a turn (see body.ts); both end with the request.
  const receive: RequestHandler = (req, res, next) => {
    const account = budget.open();
    const incoming: Incoming = {
      account,
      working: false,
      body: receiveBody(req, {
        account,
        limits: bodyLimits,
        onFailure: (error) => rejectBody(req, res, error),
      }),
    };
    res.locals.incoming = incoming;
    res.once('close', () => {
      incoming.body.discard();
      if (!incoming.working) account.close();
    });
    if (incoming.body.refused) return rejectBody(req, res, incoming.body.refused);
    next();
  };

  // Past the waiting line's end: redelivered later, by Pub/Sub's back-off, rather than queued for seconds.
  const admit: RequestHandler = (req, res, next) =>
    gate.admit(req, res, {
      proceed: next,
      turnAway: () => {
        metrics.requestRejected('overloaded');
        logger.warn({ outcome: 'overloaded' }, 'request turned away: too many notifications waiting');
        answer(req, res, failure('overloaded', 'the connector is at capacity; retry later'));
      },
    });

  // Who is asking is checked before the body is read (beyond what came with the headers).
  const authenticateRequest: RequestHandler = async (req, res, next) => {
    if (!deps.authenticate) return next();
    try {
      await deps.authenticate(req.headers);
      next();
    } catch (error) {
      // Keys that cannot be fetched are our problem (retry), not the sender's.
      const kind =
        error instanceof ConnectorError && error.kind === 'upstream-unavailable' ? error.kind : 'unauthorized';
      reject(req, res, { kind, message: error instanceof ConnectorError ? error.publicMessage : 'unauthorized' });
    }
  };

  const handle = async (req: Request, res: Response) => {
    const incoming = incomingOf(res);
    const { account } = incoming;
    let raw: Buffer;
    try {
      raw = await incoming.body.read();
    } catch (error) {
      if (error instanceof BodyError) return rejectBody(req, res, error);
      throw error;
    }
    incoming.working = true;
    try {
      let body: unknown;
      try {
        body = parseJsonBytes(raw, 'the body', { limits: DEFAULT_JSON_LIMITS, account });
      } catch (error) {
        if (!(error instanceof ConnectorError)) throw error;
        return reject(req, res, { kind: error.kind, message: error.publicMessage });
      } finally {
        account.release(raw.length);
      }
      const trust = { authenticated: deps.authenticate !== undefined, receivedAt: receivedAtOf(req), account };
      const processed = processDelivery(body, pipeline, trust);
      answer(req, res, await (deps.inFlight?.track(processed) ?? processed));
    } finally {
      incoming.working = false;
      account.close();
    }
  };

  // Any content type: Pub/Sub sends application/json, SNS text/plain, hand-made posts often nothing.
  // The turn is taken first: waiting requests are neither authenticated nor read past their headers' share.
  app.post('/', receive, admit, authenticateRequest, handle);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not-found', message: 'POST notifications to /' });
  });

  // Nothing above throws on purpose; whatever does is a bug, answered 500 without its details.
  app.use(((error, req, res, _next) => {
    metrics.requestRejected('internal');
    logger.error({ outcome: 'internal', cause: causeOf(error) }, 'request failed');
    answer(req, res, failure('internal', 'internal error'));
  }) as express.ErrorRequestHandler);
  return app;
}
