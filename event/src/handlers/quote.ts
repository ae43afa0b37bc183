import { buildQuoteAnswered, buildQuoteRequested } from '../mapping/quote';
import { readMessage } from '../transport/messages';
import { deliver, enabledEvent, from, skipped, type MessageHandler } from './types';

/** QuoteRequestCreated message → Quote Requested, from the quote request commercetools holds. */
export const handleQuoteRequestCreated: MessageHandler = async (notification, context) => {
  readMessage(notification, 'QuoteRequestCreated');
  const event = enabledEvent(context, 'quoteRequested');
  if (!event) return skipped('disabled');
  const request = await context.commercetools.getQuoteRequest(notification.resource.id, context.signal);
  if (!request) return from('read', skipped('not-found'));
  return from('read', await deliver(buildQuoteRequested(request, context.mapping, event), context));
};

/**
 * QuoteStateChanged to Accepted or Declined → Quote Accepted / Quote Declined, from the quote
 * commercetools holds. An unauthenticated message is believed only when the quote is in that state.
 */
export const handleQuoteStateChanged: MessageHandler = async (notification, context) => {
  const { quoteState } = readMessage(notification, 'QuoteStateChanged');
  const key = quoteState === 'Accepted' ? 'quoteAccepted' : quoteState === 'Declined' ? 'quoteDeclined' : undefined;
  if (!key) return skipped('no-event');
  const event = enabledEvent(context, key);
  if (!event) return skipped('disabled');
  const quote = await context.commercetools.getQuote(notification.resource.id, context.signal);
  if (!quote) return from('read', skipped('not-found'));
  if (!context.trusted && quote.quoteState !== quoteState) return from('read', skipped('no-event'));
  const occurrence = { discriminator: notification.id, timestamp: notification.createdAt };
  return from('read', await deliver(buildQuoteAnswered(quote, context.mapping, event, occurrence), context));
};
