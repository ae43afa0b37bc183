import type { ProjectSettings } from '../commercetools/project';
import type { ProductCatalog } from '../commercetools/catalog';
import type { CommercetoolsReader } from '../commercetools/reads';
import type { EventSettings, TrackEventKey, TrackEventSpec } from '../events';
import type { MappingOptions, MappingResult } from '../mapping/types';
import { skipped, type Outcome } from '../outcome';
import type { RegulationsClient } from '../segment/regulations';
import { SegmentRejection, type SegmentSink } from '../segment/sink';
import type { MessageNotification, Notification } from '../transport/notification';

/** What a handler may use: injected, never imported as singletons. */
export interface HandlerContext {
  commercetools: CommercetoolsReader;
  /** The project's settings the proofs depend on (whether it keeps messages). */
  project: ProjectSettings;
  segment: SegmentSink;
  regulations: RegulationsClient;
  mapping: MappingOptions;
  /** Where products' categories are read; none when PRODUCT_CATEGORIES is off. */
  catalog?: ProductCatalog;
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
export type PlanContext = Pick<HandlerContext, 'commercetools' | 'mapping' | 'events' | 'catalog'> & {
  signal?: AbortSignal;
};

/**
 * The mapping options for a resource with these line items: the deployment's, with the categories
 * of their products when categories are read (one query at most, none when all are cached).
 */
export async function mappingFor(
  context: PlanContext,
  lineItems: readonly { productId: string }[],
): Promise<MappingOptions> {
  if (!context.catalog || lineItems.length === 0) return context.mapping;
  const categories = await context.catalog.categoriesOf(
    lineItems.map((item) => item.productId),
    context.signal,
  );
  return { ...context.mapping, products: { ...context.mapping.products, categories } };
}

export type Handler = (notification: Notification, context: HandlerContext) => Promise<Outcome>;
export type MessageHandler = (notification: MessageNotification, context: HandlerContext) => Promise<Outcome>;

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
      kind: 'skipped',
      reason: 'segment-rejected',
      detail: { messageIds: error.messageIds, segmentMessage: error.segmentMessage },
    };
  }
  return { kind: 'delivered', events: result.calls.length };
}
