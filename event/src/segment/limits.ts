import type { GroupCall, IdentifyCall, JsonObject, SegmentCall, TrackCall } from './calls';

/**
 * Segment's tracking API refuses a whole request (HTTP 400) when any event in it is over 32 KB,
 * when the request is over 500 KB, or when it holds over 2,500 events
 * (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#max-request-size).
 * analytics-node's own 32 KB check does not count UTF-8 bytes, so the connector measures itself.
 */
export const SEGMENT_MAX_EVENT_BYTES = 32 * 1024;
export const SEGMENT_MAX_REQUEST_BYTES = 500 * 1024;
export const SEGMENT_MAX_EVENTS_PER_REQUEST = 2_500;

/**
 * What analytics-node adds to a call before it goes out (`type`, `integrations`,
 * `context.library`, `_metadata`), at most; test/segment/sink.integration.test.ts checks it against what arrives.
 */
export const ANALYTICS_NODE_ADDITION_BYTES = 400;

/** The budget of a call as the sink measures it: the event as sent stays under 32 KB, with room to spare. */
export const MAX_CALL_BYTES = 32_000;

/**
 * Product fields that can go before any product does, in this order. What stays lets a
 * destination still count and value every product that is listed: ids, name, price, quantity,
 * line total and discount.
 */
export const OPTIONAL_PRODUCT_FIELDS = [
  'image_url',
  'url',
  'category',
  'brand',
  'variant',
  'position',
  'coupon',
] as const;

/** Identify traits that are kept whatever happens: who the user is. */
const ESSENTIAL_TRAITS = new Set(['email', 'firstName', 'lastName', 'name', 'createdAt']);

export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** The call as it goes to analytics-node: without the connector's own routing hints. */
const sent = ({ stores: _stores, ...call }: SegmentCall): SegmentCall => call;

export type Fitted = { kind: 'fits'; call: SegmentCall } | { kind: 'too-large'; bytes: number };

/**
 * The call as it may be sent: unchanged when it is within `maxBytes` (its JSON's UTF-8 bytes),
 * otherwise reduced until it fits. A track call keeps its identity and every figure outside
 * `products`; its products lose the optional fields, then its shipments lose their products
 * (`shipments_truncated: true`), then products go from the end, and `products_truncated: true`
 * and `products_count` (every product) say so. An identify or group call
 * loses its largest non-essential traits first, and says `traits_truncated: true`. A call that
 * cannot be brought under the limit that way is 'too-large'.
 */
export function fitCall(original: SegmentCall, maxBytes = MAX_CALL_BYTES): Fitted {
  const call = original.stores ? sent(original) : original;
  const bytes = jsonBytes(call);
  if (bytes <= maxBytes) return { kind: 'fits', call };
  const fitted = call.type === 'track' ? fitTrack(call, maxBytes) : fitTraits(call, maxBytes);
  if (fitted && jsonBytes(fitted) <= maxBytes) return { kind: 'fits', call: fitted };
  return { kind: 'too-large', bytes };
}

function fitTrack(call: TrackCall, maxBytes: number): TrackCall | undefined {
  const products = call.properties.products;
  if (!Array.isArray(products)) return undefined;
  let properties = call.properties;
  const withProducts = (list: unknown[]): TrackCall => ({
    ...call,
    properties: { ...properties, products: list, products_truncated: true, products_count: products.length },
  });
  let current = products as unknown[];
  for (const field of OPTIONAL_PRODUCT_FIELDS) {
    current = current.map((product) => withoutKey(product, field));
    const candidate = withProducts(current);
    if (jsonBytes(candidate) <= maxBytes) return candidate;
  }
  // Then what each shipment holds: the shipments keep their tracking, and `products` names the goods.
  const shipments = properties.shipments;
  if (Array.isArray(shipments) && shipments.some((shipment) => withoutKey(shipment, 'products') !== shipment)) {
    properties = {
      ...properties,
      shipments: shipments.map((shipment) => withoutKey(shipment, 'products')),
      shipments_truncated: true,
    };
    const candidate = withProducts(current);
    if (jsonBytes(candidate) <= maxBytes) return candidate;
  }
  // Then products from the end: the sizes add up exactly (JSON array = items and commas).
  const base = jsonBytes(withProducts([]));
  let room = maxBytes - base;
  let kept = 0;
  for (const product of current) {
    const cost = jsonBytes(product) + (kept > 0 ? 1 : 0);
    if (cost > room) break;
    room -= cost;
    kept += 1;
  }
  return withProducts(current.slice(0, kept));
}

function fitTraits<T extends IdentifyCall | GroupCall>(call: T, maxBytes: number): T | undefined {
  const traits: JsonObject = { ...call.traits, traits_truncated: true };
  const droppable = Object.keys(call.traits)
    .filter((key) => !ESSENTIAL_TRAITS.has(key))
    .sort((a, b) => jsonBytes(call.traits[b]) - jsonBytes(call.traits[a]));
  for (const key of droppable) {
    delete traits[key];
    const candidate: T = { ...call, traits: { ...traits } };
    if (jsonBytes(candidate) <= maxBytes) return candidate;
  }
  return undefined;
}

function withoutKey(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || !(key in value)) return value;
  const { [key]: _dropped, ...rest } = value as JsonObject;
  return rest;
}
