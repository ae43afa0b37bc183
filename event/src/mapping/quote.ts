import type { Order, Quote, QuoteRequest } from '@commercetools/platform-sdk';
import type { JsonObject, TrackCall } from '../segment/calls';
import { buildMessageId } from './message-id';
import { orderFigures } from './order-figures';
import { buildProducts, type ProductMapping } from './products';
import {
  compact,
  inStores,
  type EventName,
  type EventOccurrence,
  type MappingOptions,
  type MappingResult,
} from './types';

/**
 * B2B quotes. Segment's B2B and e-commerce specs name no quote events; Quote Requested, Quote
 * Accepted and Quote Declined follow their style (object, past-tense action) and carry the
 * figures and products the way order events do.
 */

/**
 * A quote request and a quote hold the same price fields as an order (line items, custom line
 * items, shipping, taxed price, rounding modes), so the order figures and products apply as they are.
 */
const priced = (resource: QuoteRequest | Quote): Order => resource as unknown as Order;

function quoteFigures(resource: QuoteRequest | Quote, options: ProductMapping): JsonObject {
  const figures = orderFigures(priced(resource));
  return {
    currency: figures.currency,
    total: figures.total,
    subtotal: figures.subtotal,
    tax: figures.tax,
    shipping: figures.shipping,
    discount: figures.discount,
    products: buildProducts(priced(resource), options),
  };
}

function quoteTrack(
  resource: QuoteRequest | Quote,
  options: MappingOptions,
  {
    typeId,
    event,
    occurrence,
    properties,
  }: EventOccurrence & { typeId: 'quote-request' | 'quote'; properties: JsonObject },
): MappingResult {
  const userId = resource.customer?.id;
  if (!userId) return { kind: 'skip', reason: 'no-identity' };
  const groupId = resource.businessUnit?.key;
  const track: TrackCall = {
    type: 'track',
    event: event.name,
    userId,
    timestamp: occurrence.timestamp,
    messageId: buildMessageId({
      projectKey: options.projectKey,
      typeId,
      resourceId: resource.id,
      event: event.slug,
      discriminator: occurrence.discriminator,
    }),
    ...(groupId ? { context: { groupId } } : {}),
    properties: compact({ ...properties, business_unit: groupId, store: resource.store?.key }),
    ...inStores([resource.store?.key]),
  };
  return { kind: 'calls', calls: [track] };
}

/** Quote Requested: a buyer asked for a quote, with the cart's figures and products. One per request. */
export function buildQuoteRequested(request: QuoteRequest, options: MappingOptions, event: EventName): MappingResult {
  return quoteTrack(request, options, {
    typeId: 'quote-request',
    event,
    occurrence: { discriminator: 'created', timestamp: request.createdAt },
    properties: { quote_request_id: request.id, ...quoteFigures(request, options) },
  });
}

/** Quote Accepted / Quote Declined: the buyer's answer to a quote, at the state change. */
export function buildQuoteAnswered(quote: Quote, options: MappingOptions, track: EventOccurrence): MappingResult {
  return quoteTrack(quote, options, {
    ...track,
    typeId: 'quote',
    properties: { quote_id: quote.id, quote_request_id: quote.quoteRequest.id, ...quoteFigures(quote, options) },
  });
}
