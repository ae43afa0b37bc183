import customerFull from '../fixtures/customers/customer-full.json';
import guestOrder from '../fixtures/orders/order-guest.json';
import { rejectionOf } from '../support/errors';
import { createInMemoryConnector } from '../support/in-memory-connector';
import { changeNotification } from '../support/notifications';

/**
 * sendCalls, the one way a handler sends: what each settlement Segment gives makes of the
 * notification's outcome. A guest order makes two calls (identify, Order Completed), so a partial
 * acknowledgement would show.
 */

function holdingGuestOrder() {
  const connector = createInMemoryConnector();
  connector.commercetools.add('order', guestOrder);
  return connector;
}

const orderCreated = changeNotification('ResourceCreated', 'order', guestOrder.id);

describe('the outcome of each settlement', () => {
  it('accepted: delivered, with the number of calls, in one send', async () => {
    const connector = holdingGuestOrder();
    expect(await connector.handle(orderCreated)).toEqual({ kind: 'delivered', events: 2, detail: { source: 'read' } });
    expect(connector.segment.sends).toBe(1);
    expect(connector.segment.settled.map(({ settlement }) => settlement.kind)).toEqual(['accepted', 'accepted']);
  });

  it('refused for good: acknowledged as segment-rejected, naming the refused messageIds and what Segment said', async () => {
    const connector = holdingGuestOrder();
    connector.segment.behave({ kind: 'refuse', message: '[400] refused: invalid event' });
    const outcome = await connector.handle(orderCreated);
    const refused = connector.segment.settled.map(({ call }) => call.messageId);
    expect(refused).toHaveLength(2);
    expect(outcome).toEqual({
      kind: 'skipped',
      reason: 'segment-rejected',
      detail: { source: 'read', messageIds: refused, segmentMessage: '[400] refused: invalid event' },
    });
  });

  it('refused because its call cannot be brought under 32 KB: segment-rejected, nothing sent', async () => {
    const connector = createInMemoryConnector();
    connector.commercetools.add('customer', { ...customerFull, firstName: 'x'.repeat(40_000) });
    const outcome = await connector.handle(changeNotification('ResourceUpdated', 'customer', customerFull.id));
    expect(outcome).toMatchObject({
      kind: 'skipped',
      reason: 'segment-rejected',
      detail: {
        messageIds: [expect.any(String)],
        segmentMessage: 'event over 32768 bytes even without its optional detail',
      },
    });
    expect(connector.segment.accepted()).toEqual([]);
  });

  it.each([
    ['failed (5xx, 429, a network error)', { kind: 'fail' } as const],
    ['not answered before the deadline', { kind: 'hang' } as const],
  ])('%s: upstream-unavailable, so the notification is redelivered', async (_label, behaviour) => {
    const connector = holdingGuestOrder();
    connector.segment.behave(behaviour);
    const error = await rejectionOf(connector.handle(orderCreated, { signal: AbortSignal.timeout(100) }));
    expect(error).toMatchObject({ kind: 'upstream-unavailable' });
    expect(connector.segment.accepted()).toEqual([]);
  });

  it('a redelivery after Segment failed sends the very messageIds it failed', async () => {
    const connector = holdingGuestOrder();
    connector.segment.behave({ kind: 'fail' });
    await rejectionOf(connector.handle(orderCreated));
    const failed = connector.segment.settled.map(({ call }) => call.messageId);
    connector.segment.reset();
    await connector.handle(orderCreated);
    expect(connector.segment.accepted().map((call) => call.messageId)).toEqual(failed);
  });

  it('a deadline already passed: nothing is read or sent', async () => {
    const connector = holdingGuestOrder();
    const error = await rejectionOf(connector.handle(orderCreated, { signal: AbortSignal.abort() }));
    expect(error).toMatchObject({ kind: 'upstream-unavailable' });
    expect([connector.commercetools.reads, connector.segment.sends]).toEqual([[], 0]);
  });
});
