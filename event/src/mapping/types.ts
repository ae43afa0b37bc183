import type { LocalizedString } from '@commercetools/platform-sdk';
import type { AnonymousIdFallback } from '../events';
import type { SkipReason } from '../outcome';
import type { JsonObject, SegmentCall } from '../segment/calls';
import type { CustomFieldNames } from './custom-fields';
import type { TrackingField } from './tracking';

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
  /** Custom fields that hold the shopper's browser identity and context (TRACKING_FIELDS); none when not given. */
  tracking?: readonly TrackingField[];
  /** Order custom fields sent as properties of every order event (ORDER_PROPERTY_FIELDS). */
  orderPropertyFields?: CustomFieldNames;
  /** Customer custom fields sent as identify traits (CUSTOMER_TRAIT_FIELDS). */
  customerTraitFields?: CustomFieldNames;
  /**
   * `context.traits.email` on track events whose person is known to have that email
   * (EMAIL_IN_EVENTS); off when not given.
   */
  emailInEvents?: boolean;
}

/**
 * What a handler learnt about one order before mapping it, beyond the deployment's options: facts
 * that cost a read, asked for once per notification and only when an event needs them.
 */
export interface OrderFacts {
  /**
   * For a guest order with an email: whether a registered customer uses that email. Only `false`
   * lets the email reach Segment (the guest identify, `context.traits.email`); unknown counts as
   * registered.
   */
  guestEmailRegistered?: boolean;
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
export type MappingSkipReason = Extract<SkipReason, 'invalid-consent' | 'no-identity' | 'no-associates' | 'no-event'>;

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
