import type { ProjectSettings } from '../commercetools/project';
import type { CommercetoolsReader } from '../commercetools/reads';
import type { EventSettings, TrackEventKey, TrackEventSpec } from '../events';
import type { MappingOptions, MappingResult } from '../mapping/types';
import type { RegulationsClient } from '../segment/regulations';
import { SegmentRejection, type SegmentSink } from '../segment/sink';
import type { MessageNotification, Notification } from '../transport/notification';
import type { ProofKind } from './proof';

/** What a handler may use: injected, never imported as singletons. */
export interface HandlerContext {
  commercetools: CommercetoolsReader;
  /** The project's settings the proofs depend on (whether it keeps messages). */
  project: ProjectSettings;
  segment: SegmentSink;
  regulations: RegulationsClient;
  mapping: MappingOptions;
  events: EventSettings;
  /**
   * Whether the delivery was authenticated (a verified Pub/Sub OIDC token, or a fresh SNS
   * signature from the configured topic). Only then is what it carries used as is; otherwise every
   * claim is proven by commercetools (see proof.ts), so nothing reaches Segment that commercetools
   * does not hold.
   */
  trusted: boolean;
  /** Aborts when the request's deadline passes: stop before sending anything more. */
  signal: AbortSignal;
}

/** What planning calls needs: everything but the sink (preview and dry runs send nothing). */
export type PlanContext = Pick<HandlerContext, 'commercetools' | 'mapping' | 'events'> & { signal?: AbortSignal };

/**
 * Why a notification needed nothing sent, and how loudly that is logged. Each is acknowledged
 * (2xx): retrying cannot change it. `warn` points at a data or set-up problem someone should
 * look at; `error` at events that are lost unless someone replays them after a fix.
 */
export const SKIP_REASONS = {
  'unhandled-type': 'info',
  'other-project': 'warn',
  /** commercetools does not hold the resource (deleted since, or never existed: a forgery). */
  'not-found': 'info',
  /**
   * An unauthenticated message that commercetools does not confirm: its Messages API holds no such
   * message, or (messages disabled) the resource is not in the state claimed. A forgery, or a
   * message older than the project's message retention.
   */
  unproven: 'warn',
  /** A customer deletion from an unauthenticated delivery, in a project that keeps no messages: nothing can prove it. */
  'unverified-deletion': 'warn',
  'invalid-consent': 'warn',
  'no-identity': 'warn',
  /** A business unit without associates: nobody to put in its Segment group. */
  'no-associates': 'info',
  /** A payment event, but the payment belongs to no order (yet): a cart's payment, say. */
  'no-order': 'info',
  /** The event is switched off in the configuration. */
  disabled: 'info',
  /** A handled message that maps to no event (e.g. an order state other than Cancelled). */
  'no-event': 'info',
  /** A customer deletion, but no Segment Public API token is configured. */
  'no-public-api-token': 'warn',
  /** Segment's Public API refused the deletion request itself. */
  'deletion-refused': 'warn',
  /** A customer deletion was notified, but commercetools still holds the customer. */
  'customer-exists': 'warn',
  /** Segment refused this notification's events for good (a 4xx other than 429), even sent alone. */
  'segment-rejected': 'error',
} as const satisfies Record<string, 'info' | 'warn' | 'error'>;

export type SkipReason = keyof typeof SKIP_REASONS;

/** Where a handler took the resource it mapped from. */
export type ResourceSource = 'carried' | 'read';

/** What the log line says beyond the outcome itself; never part of the HTTP answer. */
export interface OutcomeDetail {
  source?: ResourceSource;
  /** How the message was proven (see proof.ts). */
  proof?: ProofKind;
  /** segment-rejected: the messageIds Segment refused, and what Segment said. */
  messageIds?: string[];
  segmentMessage?: string;
}

export type Outcome = (
  { status: 'delivered'; events: number } | { status: 'deletion-requested' } | { status: 'skipped'; reason: SkipReason }
) & { detail?: OutcomeDetail };

export type Handler = (notification: Notification, context: HandlerContext) => Promise<Outcome>;
export type MessageHandler = (notification: MessageNotification, context: HandlerContext) => Promise<Outcome>;

export const skipped = (reason: SkipReason): Outcome => ({ status: 'skipped', reason });

/** The outcome with where its resource came from, for the log line. */
export const withSource = (source: ResourceSource, outcome: Outcome): Outcome => withDetail({ source }, outcome);

/** The outcome with more for its log line (where its resource came from, how its message was proven). */
export const withDetail = (detail: OutcomeDetail, outcome: Outcome): Outcome => ({
  ...outcome,
  detail: { ...outcome.detail, ...detail },
});

/** The event as configured, or undefined when it is switched off. */
export function enabledEvent(context: Pick<HandlerContext, 'events'>, key: TrackEventKey): TrackEventSpec | undefined {
  return context.events.track[key];
}

/**
 * Hands a mapper's calls to Segment and waits until Segment accepted them all. A refusal that
 * can never succeed becomes a `segment-rejected` skip (acknowledged, logged as an error); transient
 * failures propagate as upstream-unavailable, so the notification is redelivered.
 */
export async function sendCalls(result: MappingResult, context: HandlerContext): Promise<Outcome> {
  if (result.kind === 'skip') return skipped(result.reason);
  try {
    await context.segment.send(result.calls, context.signal);
  } catch (error) {
    if (!(error instanceof SegmentRejection)) throw error;
    return {
      status: 'skipped',
      reason: 'segment-rejected',
      detail: { messageIds: error.messageIds, segmentMessage: error.segmentMessage },
    };
  }
  return { status: 'delivered', events: result.calls.length };
}
