import { createInMemoryConnector, type InMemoryConnectorOptions } from '../support/in-memory-connector';
import { changeNotification, messageNotification } from '../support/notifications';
import { customerId, QUOTE_ID, QUOTE_REQUEST_ID, quote, quoteRequest, unitOrder } from '../support/resources/b2b';

/**
 * The quote handlers without HTTP, and a B2B order: QuoteRequestCreated (Quote Requested),
 * QuoteStateChanged (Quote Accepted, Quote Declined), each read from commercetools; an order of a
 * business unit in the unit's group.
 */

function holding(options: InMemoryConnectorOptions = {}) {
  const connector = createInMemoryConnector(options);
  connector.commercetools.add('quote-request', quoteRequest);
  connector.commercetools.add('quote', quote);
  connector.commercetools.add('order', unitOrder);
  return connector;
}

const requested = () =>
  messageNotification('quote-request', QUOTE_REQUEST_ID, 'QuoteRequestCreated', {
    quoteRequest: { id: QUOTE_REQUEST_ID },
  });
const quoteStateChanged = (quoteState: string, id?: string) =>
  messageNotification('quote', QUOTE_ID, 'QuoteStateChanged', { quoteState }, id ? { id } : {});

describe('Quote Requested', () => {
  it('reads the quote request and tracks it with its figures and products, in the unit’s group', async () => {
    const connector = holding();
    expect(await connector.handle(requested())).toEqual({
      kind: 'delivered',
      events: 1,
      detail: { source: 'read', proof: 'state' },
    });
    expect(connector.commercetools.reads).toEqual(['quote request read']);
    const [event] = connector.segment.accepted();
    expect(event).toMatchObject({
      event: 'Quote Requested',
      userId: customerId(2),
      context: { groupId: 'acme-procurement' },
      properties: { quote_request_id: QUOTE_REQUEST_ID, business_unit: 'acme-procurement', total: 227.46 },
    });
    expect(event?.type === 'track' && event.properties.products).toHaveLength(quoteRequest.lineItems.length);
  });

  it('skips a quote request commercetools does not hold as not-found', async () => {
    const connector = holding();
    connector.commercetools.remove('quote-request', QUOTE_REQUEST_ID);
    expect(await connector.handle(requested())).toMatchObject({ kind: 'skipped', reason: 'not-found' });
  });
});

describe('Quote Accepted and Quote Declined', () => {
  it('tracks an accepted quote, keyed by the state commercetools shows', async () => {
    const connector = holding();
    expect(await connector.handle(quoteStateChanged('Accepted'))).toMatchObject({ kind: 'delivered' });
    expect(connector.segment.accepted()[0]).toMatchObject({
      event: 'Quote Accepted',
      timestamp: quote.lastModifiedAt,
      properties: { quote_id: QUOTE_ID, quote_request_id: QUOTE_REQUEST_ID, total: 227.46 },
    });
  });

  it('skips a claimed decline of a quote commercetools holds as accepted as unproven', async () => {
    const connector = holding();
    expect(await connector.handle(quoteStateChanged('Declined'))).toEqual({
      kind: 'skipped',
      reason: 'unproven',
      detail: { source: 'read', proof: 'state' },
    });
    expect(connector.segment.sends).toBe(0);
  });

  it('skips a state that is no event without reading anything', async () => {
    const connector = holding();
    expect(await connector.handle(quoteStateChanged('Pending'))).toEqual({ kind: 'skipped', reason: 'no-event' });
    expect(connector.commercetools.reads).toEqual([]);
  });

  it('sends a renamed Quote Accepted under the same messageId', async () => {
    const message = quoteStateChanged('Accepted', 'a5a5a5a5-0000-4000-8000-000000000001');
    const original = holding();
    const renamed = holding({ env: { EVENT_QUOTE_ACCEPTED: 'Quote Approved' } });
    await original.handle(message);
    await renamed.handle(message);
    expect(renamed.segment.accepted()[0]).toMatchObject({
      event: 'Quote Approved',
      messageId: original.segment.accepted()[0]?.messageId,
    });
  });
});

describe('an order of a business unit', () => {
  it('goes in the unit’s group, with the purchase order number and the quote', async () => {
    const connector = holding();
    await connector.handle(changeNotification('ResourceCreated', 'order', unitOrder.id));
    expect(connector.segment.accepted()[0]).toMatchObject({
      event: 'Order Completed',
      userId: customerId(2),
      context: { groupId: 'acme-procurement' },
      properties: { business_unit: 'acme-procurement', purchase_order_number: 'PO-2026-0042', quote_id: QUOTE_ID },
    });
  });
});
