import type { CommercetoolsReader } from '../commercetools/reads';
import type { EventSettings, TrackEventKey, TrackEventSpec } from '../events';
import type { MappingOptions, MappingResult } from '../mapping/types';
import type { RegulationsClient } from '../segment/regulations';
import type { SegmentSink } from '../segment/sink';
import type { MessageNotification, Notification } from '../transport/notification';

/** What a handler may use: injected, never imported as singletons. */
export interface HandlerContext {
  commercetools: CommercetoolsReader;
  segment: SegmentSink;
  regulations: RegulationsClient;
  mapping: MappingOptions;
  events: EventSettings;
  /** Aborts when the request's deadline passes: stop before sending anything more. */
  signal: AbortSignal;
}

/** What planning calls needs: everything but the sink (preview and dry runs send nothing). */
export type PlanContext = Pick<HandlerContext, 'commercetools' | 'mapping' | 'events'>;

/** Why a notification needed nothing sent. Each is acknowledged (2xx): retrying cannot change it. */
export type SkipReason =
  | 'unhandled-type'
  | 'other-project'
  | 'not-found'
  | 'invalid-consent'
  | 'no-identity'
  /** The event is switched off in the configuration. */
  | 'disabled'
  /** A handled message that maps to no event (e.g. an order state other than Cancelled). */
  | 'no-event'
  /** A customer deletion, but no Segment Public API token is configured. */
  | 'no-public-api-token'
  /** Segment's Public API refused the deletion request itself. */
  | 'deletion-refused';

export type Outcome =
  | { status: 'delivered'; events: number }
  | { status: 'deletion-requested' }
  | { status: 'skipped'; reason: SkipReason };

export type Handler = (notification: Notification, context: HandlerContext) => Promise<Outcome>;
export type MessageHandler = (notification: MessageNotification, context: HandlerContext) => Promise<Outcome>;

export const skipped = (reason: SkipReason): Outcome => ({ status: 'skipped', reason });

/** The event as configured, or undefined when it is switched off. */
export function enabledEvent(context: HandlerContext, key: TrackEventKey): TrackEventSpec | undefined {
  return context.events.track[key];
}

/** Hands a mapper's calls to Segment and waits until Segment accepted them all. */
export async function deliver(result: MappingResult, context: HandlerContext): Promise<Outcome> {
  if (result.kind === 'skip') return skipped(result.reason);
  if (result.calls.length === 0) return skipped('disabled');
  await context.segment.send(result.calls, context.signal);
  return { status: 'delivered', events: result.calls.length };
}
