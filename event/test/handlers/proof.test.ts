import { rejectionOf } from '../support/errors';
import { createInMemoryConnector, type InMemoryConnectorOptions } from '../support/in-memory-connector';
import { messageNotification } from '../support/notifications';
import { CANCELLED, OPEN, orderEventId } from '../support/resources/order-states';

/**
 * Claims proven by commercetools, without HTTP: an authenticated delivery is believed; otherwise a
 * project that keeps messages proves a message by its Messages API (one read), and one that does
 * not by the resource's state (see order-states.test.ts).
 */

function holding(options: InMemoryConnectorOptions = {}) {
  const connector = createInMemoryConnector(options);
  for (const order of [OPEN, CANCELLED]) connector.commercetools.add('order', order);
  return connector;
}

const cancellation = (orderId: string, options: { createdAt?: string } = {}) =>
  messageNotification(
    'order',
    orderId,
    'OrderStateChanged',
    { orderState: 'Cancelled', oldOrderState: 'Open' },
    options,
  );

describe('an authenticated delivery', () => {
  it('is believed as it stands: no message is read, even where the project keeps messages', async () => {
    const connector = holding({ messages: true });
    expect(await connector.handle(cancellation(OPEN.id), { trusted: true })).toMatchObject({
      kind: 'delivered',
      detail: { proof: 'delivery' },
    });
    expect(connector.commercetools.reads).toEqual(['order read']);
  });
});

describe("in a project that keeps messages: commercetools' Messages API", () => {
  it('proves a message it holds with one read, and sends it with its stored id and date', async () => {
    const connector = holding({ messages: true });
    const real = cancellation(CANCELLED.id, { createdAt: '2026-11-23T09:00:00.000Z' });
    connector.commercetools.publish(real);
    const tampered = { ...real, createdAt: '2031-01-01T00:00:00.000Z' };
    for (const body of [real, tampered])
      expect(await connector.handle(body)).toEqual({ kind: 'delivered', events: 1, detail: { proof: 'messages-api' } });
    expect(connector.commercetools.reads).toEqual(['message read', 'order read', 'message read', 'order read']);
    expect(connector.segment.accepted().map((call) => [call.messageId, call.timestamp])).toEqual([
      [orderEventId(CANCELLED.id, 'order-cancelled', real.id), '2026-11-23T09:00:00.000Z'],
      [orderEventId(CANCELLED.id, 'order-cancelled', real.id), '2026-11-23T09:00:00.000Z'],
    ]);
  });

  it('believes the stored state, not the claimed one, under a real message id', async () => {
    const connector = holding({ messages: true });
    const confirmed = messageNotification('order', OPEN.id, 'OrderStateChanged', { orderState: 'Confirmed' });
    connector.commercetools.publish(confirmed);
    expect(await connector.handle({ ...confirmed, orderState: 'Cancelled' })).toEqual({
      kind: 'skipped',
      reason: 'no-event',
    });
  });

  it('skips as unproven a message it does not hold, and one it holds of another type or about another resource', async () => {
    const connector = holding({ messages: true });
    const paid = messageNotification('order', OPEN.id, 'OrderPaymentStateChanged', { paymentState: 'Paid' });
    connector.commercetools.publish(paid);
    for (const claim of [
      cancellation(CANCELLED.id),
      { ...paid, type: 'OrderStateChanged', orderState: 'Cancelled' },
      { ...paid, resource: { typeId: 'order', id: CANCELLED.id } },
    ])
      expect(await connector.handle(claim)).toEqual({ kind: 'skipped', reason: 'unproven' });
    expect(connector.segment.sends).toBe(0);
  });

  it('fails as upstream-unavailable for a message created moments ago that it does not hold yet, so it comes back', async () => {
    const connector = holding({ messages: true });
    const fresh = cancellation(CANCELLED.id, { createdAt: new Date().toISOString() });
    expect(await rejectionOf(connector.handle(fresh))).toMatchObject({
      kind: 'upstream-unavailable',
      publicMessage: 'the message is not in the Messages API yet',
    });
  });

  it('fails as upstream-unavailable when the message read fails', async () => {
    const connector = holding({ messages: true });
    connector.commercetools.failNext(1, 'message read');
    expect(await rejectionOf(connector.handle(cancellation(CANCELLED.id)))).toMatchObject({
      kind: 'upstream-unavailable',
      publicMessage: 'commercetools message read failed (HTTP 503)',
    });
  });

  it('no longer proves a message older than the project keeps messages', async () => {
    let now = Date.parse('2026-11-24T10:00:00.000Z');
    const connector = holding({ messages: true, now: () => now });
    const real = cancellation(CANCELLED.id);
    connector.commercetools.publish(real);
    expect(await connector.handle(real)).toMatchObject({ kind: 'delivered' });
    now += 16 * 24 * 60 * 60 * 1000;
    expect(await connector.handle(real)).toEqual({ kind: 'skipped', reason: 'unproven' });
  });
});

describe("the project's settings", () => {
  it('are used as last read: messages enabled later prove messages from the next read on', async () => {
    const connector = holding();
    expect(await connector.handle(cancellation(CANCELLED.id))).toMatchObject({ detail: { proof: 'state' } });
    connector.commercetools.setMessages({ enabled: true });
    expect(await connector.handle(cancellation(CANCELLED.id))).toMatchObject({ detail: { proof: 'state' } });
    await connector.commercetools.project.refresh();
    expect(await connector.handle(cancellation(CANCELLED.id))).toEqual({ kind: 'skipped', reason: 'unproven' });
  });
});
