import type { LocalizedString } from '@commercetools/platform-sdk';
import type { AnonymousIdFallback } from '../events';
import type { SkipReason } from '../outcome';
import type { JsonObject, SegmentCall } from '../segment/calls';

/** What every mapper needs to know about the deployment; handed in by the handler, never read from the environment. */
export interface MappingOptions {
  /** commercetools project key: part of every messageId, so two projects never share ids. */
  projectKey: string;
  /** Preferred locale for names (e.g. product names); the first available one is used otherwise. */
  locale?: string;
  /** Name of the custom field that holds the shopper's consent as JSON. */
  consentFieldName: string;
  /** Identity of orders without customerId and anonymousId; `none` when not given. */
  anonymousIdFallback?: AnonymousIdFallback;
  /** What products carry beyond the line item's own fields; nothing more when not given. */
  products?: ProductOptions;
}

/** How products gain brand, url and category (PRODUCT_* settings), and the categories read for them. */
export interface ProductOptions {
  /** The variant attribute whose value is `brand`. */
  brandAttribute?: string;
  /** The product page's URL with placeholders ({slug}, {sku}, {productKey}, {productId}, {variantKey}, {locale}). */
  urlTemplate?: string;
  /** `category` as the path from the root category (`Men > Shoes`), rather than the category's own name. */
  categoryPath?: boolean;
  /**
   * Per product id, the names of its first category's path, from the root category to that
   * category; read by the handler for the notification at hand (see commercetools/catalog.ts).
   */
  categories?: ProductCategories;
}

/** Per product id, the names of its first category's path from the root: `[Men, Shoes, Trail]`. */
export type ProductCategories = ReadonlyMap<string, readonly LocalizedString[]>;

/** A track event to build: its Segment name and the stable slug its messageIds are made of. */
export interface EventName {
  name: string;
  slug: string;
}

/** One occurrence of an event: what makes its messageId unique, and when it happened. */
export interface Occurrence {
  discriminator: string | number;
  timestamp: string;
}

/** Which track event a call is, and which occurrence of it. */
export interface EventOccurrence {
  event: EventName;
  occurrence: Occurrence;
}

/** Why a mapper produced nothing to send: the skip reasons a mapper can find by itself. */
export type MappingSkipReason = Extract<SkipReason, 'invalid-consent' | 'no-identity' | 'no-associates'>;

export type MappingResult = { kind: 'calls'; calls: SegmentCall[] } | { kind: 'skip'; reason: MappingSkipReason };

/** The calls of several results, in order; the first skip wins (they describe the same resource). */
export function combineResults(...results: MappingResult[]): MappingResult {
  const skip = results.find((result) => result.kind === 'skip');
  if (skip) return skip;
  return { kind: 'calls', calls: results.flatMap((result) => (result.kind === 'calls' ? result.calls : [])) };
}

/**
 * The object without its undefined values. Segment payloads leave absent facts out rather than
 * sending `null`, which downstream destinations would store as a real (empty) value.
 */
export function compact(object: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/**
 * The routing hint of a call about a resource of these stores (see SegmentCall.stores): absent
 * when the resource belongs to none.
 */
export function inStores(keys: readonly (string | undefined)[] | undefined): { stores?: string[] } {
  const stores = [...new Set((keys ?? []).filter((key): key is string => typeof key === 'string' && key !== ''))];
  return stores.length > 0 ? { stores } : {};
}
