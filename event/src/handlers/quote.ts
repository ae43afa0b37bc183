import { buildQuoteAnswered, buildQuoteRequested } from '../mapping/quote';
import { skipped, withDetail } from '../outcome';
import { readMessage } from '../transport/messages';
import { proveMessage } from './proof';
import { reachedState } from './states';
import { enabledEvent, mappingFor, sendCalls, type MessageHandler } from './types';

/**
 * QuoteRequestCreated message → Quote Requested, from the quote request commercetools holds (which
 * proves the creation in a project without messages).
 */
export const handleQuoteRequestCreated: MessageHandler = async (notification, context) => {
  const event = enabledEvent(context, 'quoteRequested');
  if (!event) return skipped('disabled');
  const proven = await proveMessage(notification, 'QuoteRequestCreated', context);
  if (!proven) return skipped('unproven');
  const detail = { source: 'read', proof: proven.kind } as const;
  const request = await context.commercetools.getQuoteRequest(notification.resource.id, context.signal);
  if (!request) return withDetail(detail, skipped('not-found'));
  const mapping = await mappingFor(context, request.lineItems);
  return withDetail(detail, await sendCalls(buildQuoteRequested(request, mapping, event), context));
};

const QUOTE_EVENTS = { Accepted: 'quoteAccepted', Declined: 'quoteDeclined' } as const;

const quoteEventOf = (state: string) => QUOTE_EVENTS[state as keyof typeof QUOTE_EVENTS];

/**
 * QuoteStateChanged to Accepted or Declined → Quote Accepted / Quote Declined, from the quote
 * commercetools holds. The state and date are the proven message's; in a project without
 * messages, the quote must be in the claimed state now (keyed by the quote and the state).
 */
export const handleQuoteStateChanged: MessageHandler = async (notification, context) => {
  const claimed = readMessage(notification, 'QuoteStateChanged').quoteState;
  if (!quoteEventOf(claimed)) return skipped('no-event');
  const proven = await proveMessage(notification, 'QuoteStateChanged', context);
  if (!proven) return skipped('unproven');
  const { quoteState } = proven.kind === 'state' ? proven.claim : proven.fields;
  const key = quoteEventOf(quoteState);
  if (!key) return skipped('no-event');
  const event = enabledEvent(context, key);
  if (!event) return skipped('disabled');
  const detail = { source: 'read', proof: proven.kind } as const;
  const quote = await context.commercetools.getQuote(notification.resource.id, context.signal);
  if (!quote) return withDetail(detail, skipped('not-found'));
  if (proven.kind === 'state' && quote.quoteState !== quoteState) return withDetail(detail, skipped('unproven'));
  const occurrence =
    proven.kind === 'state'
      ? { discriminator: reachedState(quoteState), timestamp: quote.lastModifiedAt }
      : { discriminator: proven.id, timestamp: proven.createdAt };
  const mapping = await mappingFor(context, quote.lineItems);
  return withDetail(detail, await sendCalls(buildQuoteAnswered(quote, mapping, { event, occurrence }), context));
};
