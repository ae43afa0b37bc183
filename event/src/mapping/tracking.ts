import type { CustomFields } from '@commercetools/platform-sdk';
import type { JsonObject } from '../segment/calls';

/**
 * The shopper's browser context, as the storefront writes it into custom fields of the cart (which
 * commercetools copies to the order at checkout) and of the customer: the Segment anonymousId of
 * the browser (analytics.js' `analytics.user().anonymousId()`), the IP and user agent of the
 * request, the page and the campaign. TRACKING_FIELDS says which field fills which Segment path.
 * Without them, Segment would take the connector's own server for the shopper, and an order would
 * not join the browser session that led to it.
 */

/** Where a tracking field goes in a Segment call: `anonymousId`, or a path of one or two keys under `context`. */
export type TrackingTarget =
  { kind: 'anonymousId' } | { kind: 'context'; keys: readonly [string] | readonly [string, string] };

/** One configured tracking field: the custom field, and where its value goes. */
export interface TrackingField {
  target: TrackingTarget;
  field: string;
}

/** What the tracking fields of a resource hold: the browser's anonymousId and the call's context. */
export interface Tracking {
  anonymousId?: string;
  context: JsonObject;
}

/**
 * Context keys the connector sets itself (consent, the B2B group, the person's traits) or that
 * Segment's library sets (`library`): no tracking field may name them, so a custom field can never
 * overwrite consent or someone's email.
 */
export const CONNECTOR_CONTEXT_KEYS: ReadonlySet<string> = new Set(['consent', 'groupId', 'traits', 'library']);

/** The default TRACKING_FIELDS: where a storefront that follows the README writes the shopper's context. */
export const DEFAULT_TRACKING_FIELDS: Readonly<Record<string, string>> = {
  anonymousId: 'segmentAnonymousId',
  'context.ip': 'clientIp',
  'context.userAgent': 'userAgent',
  'context.locale': 'locale',
  'context.page.url': 'pageUrl',
  'context.page.referrer': 'pageReferrer',
  'context.campaign.name': 'utmCampaign',
  'context.campaign.source': 'utmSource',
  'context.campaign.medium': 'utmMedium',
  'context.campaign.term': 'utmTerm',
  'context.campaign.content': 'utmContent',
};

/** A key of a context path: what Segment's own context keys look like (`userAgent`, `page`, `campaign`). */
const CONTEXT_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * Longest value used, in characters: URLs and user agents run long (a mobile in-app browser's user
 * agent passes 300 characters), everything else (ids, IP, locale, campaign) is short. A longer
 * value is left out, not cut: a cut URL or id is a wrong one.
 */
export const MAX_TRACKING_LONG_LENGTH = 1_000;
export const MAX_TRACKING_LENGTH = 200;
/** Context objects whose values run long: the page, the referrer; and the user agent itself. */
const LONG_VALUED = new Set(['page', 'referrer', 'userAgent']);

/**
 * The target a TRACKING_FIELDS key names, or why it cannot be one (for the configuration's error,
 * which names the setting and the problem, never the value).
 */
export function parseTrackingTarget(path: string): { target: TrackingTarget } | { problem: string } {
  if (path === 'anonymousId') return { target: { kind: 'anonymousId' } };
  const [root, ...keys] = path.split('.');
  if (root !== 'context' || keys.length < 1 || keys.length > 2) {
    return { problem: 'has a target that is not anonymousId, context.<key> or context.<key>.<key>' };
  }
  if (!keys.every((key) => CONTEXT_KEY.test(key))) {
    return { problem: 'has a context key that is not letters, digits and _ (starting with a letter, at most 64)' };
  }
  if (CONNECTOR_CONTEXT_KEYS.has(keys[0] as string)) {
    return {
      problem: `targets a context key the connector or Segment's library sets (${[...CONNECTOR_CONTEXT_KEYS].join(', ')})`,
    };
  }
  return { target: { kind: 'context', keys: keys as [string] | [string, string] } };
}

/** A target written back as its path, for messages and tests: `context.page.url`. */
export const targetPath = (target: TrackingTarget): string =>
  target.kind === 'anonymousId' ? 'anonymousId' : ['context', ...target.keys].join('.');

function maxLengthOf(target: TrackingTarget): number {
  return target.kind === 'context' && LONG_VALUED.has(target.keys[0]) ? MAX_TRACKING_LONG_LENGTH : MAX_TRACKING_LENGTH;
}

/**
 * The tracking a resource's custom fields hold. Only text is used, trimmed, when it is not empty
 * and within its length bound; anything else in such a field is left out.
 */
export function readTracking(custom: CustomFields | undefined, fields: readonly TrackingField[] | undefined): Tracking {
  const tracking: Tracking = { context: {} };
  if (!custom || !fields) return tracking;
  for (const { target, field } of fields) {
    const raw: unknown = custom.fields[field];
    if (typeof raw !== 'string') continue;
    const value = raw.trim();
    if (value === '' || value.length > maxLengthOf(target)) continue;
    if (target.kind === 'anonymousId') {
      tracking.anonymousId = value;
      continue;
    }
    const [key, inner] = target.keys;
    if (inner === undefined) {
      tracking.context[key] = value;
    } else {
      const parent = tracking.context[key];
      tracking.context[key] = { ...(isObject(parent) ? parent : {}), [inner]: value };
    }
  }
  return tracking;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What the connector itself puts in a call's context. */
export interface OwnContext {
  consent?: JsonObject;
  groupId?: string;
  /** The person's email, as `context.traits.email` (see personEmail rules in order-track.ts and customer.ts). */
  email?: string;
}

/**
 * A call's `context`: the tracked context, then what the connector sets itself. The connector's
 * keys come last, so even a tracked key that slipped past the configuration's rules could never
 * overwrite consent, the group or the traits. Absent when there is nothing to say.
 */
export function callContext(tracked: JsonObject, own: OwnContext): { context?: JsonObject } {
  const context: JsonObject = {
    ...tracked,
    ...(own.consent ? { consent: own.consent } : {}),
    ...(own.groupId ? { groupId: own.groupId } : {}),
    ...(own.email ? { traits: { email: own.email } } : {}),
  };
  return Object.keys(context).length > 0 ? { context } : {};
}
