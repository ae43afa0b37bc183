/**
 * What became of one notification: the words the handlers, the mappers, the pipeline and the
 * tools share. An outcome is logged once per notification and decides the HTTP answer (see
 * pipeline.ts); its detail is logged only.
 */

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
  /** Segment refused this notification's events for good (a 4xx other than 408 and 429), even sent alone. */
  'segment-rejected': 'error',
} as const satisfies Record<string, 'info' | 'warn' | 'error'>;

export type SkipReason = keyof typeof SKIP_REASONS;

/** Where a handler took the resource it mapped from: carried by the notification, or read from commercetools. */
export type ResourceSource = 'carried' | 'read';

/** How a message was proven (see handlers/proof.ts). */
export type ProofKind =
  /** The delivery was authenticated: the notification is the message. */
  | 'delivery'
  /** commercetools' Messages API holds a message of this id, type and resource. */
  | 'messages-api'
  /** The project keeps no messages: the handler must find the claim in the resource's current state. */
  | 'state';

/** What the log line says beyond the outcome itself; never part of the HTTP answer. */
export interface OutcomeDetail {
  source?: ResourceSource;
  /** How the message was proven. */
  proof?: ProofKind;
  /** segment-rejected: the messageIds Segment refused, and what Segment said. */
  messageIds?: string[];
  segmentMessage?: string;
}

export type Outcome = (
  { kind: 'delivered'; events: number } | { kind: 'deletion-requested' } | { kind: 'skipped'; reason: SkipReason }
) & { detail?: OutcomeDetail };

export const skipped = (reason: SkipReason): Outcome => ({ kind: 'skipped', reason });

/** The outcome with more for its log line (where its resource came from, how its message was proven). */
export const withDetail = (detail: OutcomeDetail, outcome: Outcome): Outcome => ({
  ...outcome,
  detail: { ...outcome.detail, ...detail },
});

/** The outcome with where its resource came from, for the log line. */
export const withSource = (source: ResourceSource, outcome: Outcome): Outcome => withDetail({ source }, outcome);
