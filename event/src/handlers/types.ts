import type { CommercetoolsReader } from '../commercetools/reads';
import type { MappingOptions, MappingResult } from '../mapping/types';
import type { SegmentSink } from '../segment/sink';
import type { Notification } from '../transport/notification';

/** What a handler may use: injected, never imported as singletons. */
export interface HandlerContext {
  commercetools: CommercetoolsReader;
  segment: SegmentSink;
  mapping: MappingOptions;
  /** Aborts when the request's deadline passes: stop before sending anything more. */
  signal: AbortSignal;
}

/** Why a notification needed nothing sent. Each is acknowledged (2xx): retrying cannot change it. */
export type SkipReason =
  | 'unhandled-type'
  | 'other-project'
  | 'not-found'
  | 'invalid-consent'
  | 'no-identity';

export type Outcome =
  | { status: 'delivered'; events: number }
  | { status: 'skipped'; reason: SkipReason };

export type Handler = (notification: Notification, context: HandlerContext) => Promise<Outcome>;

export const skipped = (reason: SkipReason): Outcome => ({ status: 'skipped', reason });

/** Hands a mapper's calls to Segment and waits until Segment accepted them all. */
export async function deliver(result: MappingResult, context: HandlerContext): Promise<Outcome> {
  if (result.kind === 'skip') return skipped(result.reason);
  await context.segment.send(result.calls, context.signal);
  return { status: 'delivered', events: result.calls.length };
}
