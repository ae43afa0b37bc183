import guestOrder from '../fixtures/orders/order-guest.json';
import invalidConsentOrder from '../fixtures/orders/order-invalid-consent.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import taxIncludedOrder from '../fixtures/orders/order-tax-included.json';
import { rejectionOf } from '../support/errors';
import { createInMemoryConnector, type InMemoryConnectorOptions } from '../support/in-memory-connector';
import { changeNotification, messageNotification } from '../support/notifications';
import { registeredTwin } from '../support/resources/customers';

/**
 * The order handlers without HTTP: order ResourceCreated and the OrderCreated message (Order
 * Completed, and a guest's identify), order ResourceUpdated (Order Updated). The commercetools
 * reads they make are counted; what Segment received is asserted call by call.
 */

/** The connector, holding these orders. */
function holding(orders: object[], options: InMemoryConnectorOptions = {}) {
  const connector = createInMemoryConnector({ env: { LOCALE: 'en' }, ...options });
  for (const order of orders) connector.commercetools.add('order', order);
  return connector;
}

const created = (id: string) => changeNotification('ResourceCreated', 'order', id);
const messageIds = (connector: ReturnType<typeof holding>) =>
  connector.segment.accepted().map((call) => call.messageId);

describe('order ResourceCreated → Order Completed', () => {
  it('reads the order once and sends Order Completed under the customer, with the code the shopper typed', async () => {
    const connector = holding([taxExcludedOrder]);
    const outcome = await connector.handle(created(taxExcludedOrder.id));
    expect(outcome).toEqual({ kind: 'delivered', events: 1, detail: { source: 'read' } });
    expect(connector.commercetools.reads).toEqual(['order read']);
    const [track, ...others] = connector.segment.accepted();
    expect(others).toEqual([]);
    expect(track).toMatchObject({
      type: 'track',
      event: 'Order Completed',
      userId: taxExcludedOrder.customerId,
      timestamp: taxExcludedOrder.createdAt,
      properties: { order_id: taxExcludedOrder.id, total: 227.46, currency: 'USD', coupon: 'SAVE10' },
    });
    expect(track?.messageId).toMatch(/^ct-order-completed-[0-9a-f]{32}$/);
  });

  it('identifies a guest whose email no customer uses before the track: the order, then the email look-up', async () => {
    const connector = holding([guestOrder]);
    expect(await connector.handle(created(guestOrder.id))).toMatchObject({ kind: 'delivered', events: 2 });
    expect(connector.commercetools.reads).toEqual(['order read', 'customer look-up']);
    const calls = connector.segment.accepted();
    expect(calls.map((call) => [call.type, call.anonymousId, call.userId])).toEqual([
      ['identify', guestOrder.anonymousId, undefined],
      ['track', guestOrder.anonymousId, undefined],
    ]);
    expect(calls[0]).toMatchObject({ traits: { email: guestOrder.customerEmail } });
  });

  it('never ties a guest email to a registered account, whatever its letter case', async () => {
    const connector = holding([guestOrder]);
    connector.commercetools.add('customer', registeredTwin(guestOrder.customerEmail));
    expect(await connector.handle(created(guestOrder.id))).toMatchObject({ kind: 'delivered', events: 1 });
    expect(connector.segment.accepted().map((call) => call.type)).toEqual(['track']);
  });

  it('skips an order commercetools does not hold as not-found, sending nothing', async () => {
    const connector = holding([]);
    expect(await connector.handle(created(taxExcludedOrder.id))).toEqual({ kind: 'skipped', reason: 'not-found' });
    expect(connector.segment.sends).toBe(0);
  });

  it('skips an order whose consent field cannot be read as invalid-consent, sending nothing', async () => {
    const connector = holding([invalidConsentOrder]);
    expect(await connector.handle(created(invalidConsentOrder.id))).toEqual({
      kind: 'skipped',
      reason: 'invalid-consent',
      detail: { source: 'read' },
    });
    expect(connector.segment.sends).toBe(0);
  });

  it('reads nothing when Order Completed is switched off', async () => {
    const connector = holding([taxExcludedOrder], { env: { EVENT_ORDER_COMPLETED: 'off' } });
    expect(await connector.handle(created(taxExcludedOrder.id))).toEqual({ kind: 'skipped', reason: 'disabled' });
    expect(connector.commercetools.reads).toEqual([]);
  });

  it('fails as upstream-unavailable when commercetools cannot answer, sending nothing', async () => {
    const connector = holding([guestOrder]);
    connector.commercetools.failNext(1);
    expect(await rejectionOf(connector.handle(created(guestOrder.id)))).toMatchObject({
      kind: 'upstream-unavailable',
    });
    expect(connector.segment.sends).toBe(0);
  });

  it('fails as upstream-unavailable when the guest look-up fails after the order was read', async () => {
    const connector = holding([guestOrder]);
    connector.commercetools.failNext(1, 'customer look-up');
    expect(await rejectionOf(connector.handle(created(guestOrder.id)))).toMatchObject({
      kind: 'upstream-unavailable',
      publicMessage: 'commercetools customer look-up failed (HTTP 503)',
    });
    expect(connector.segment.sends).toBe(0);
  });

  it('gives a redelivery the same messageIds', async () => {
    const connector = holding([guestOrder]);
    await connector.handle(created(guestOrder.id));
    await connector.handle(created(guestOrder.id));
    const [identify, track, identifyAgain, trackAgain] = messageIds(connector);
    expect([identifyAgain, trackAgain]).toEqual([identify, track]);
  });
});

describe('OrderCreated message → Order Completed', () => {
  /** An order commercetools does not hold: only the message can produce its event. */
  const carried = { ...taxIncludedOrder, id: '1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b', discountCodes: [] };
  const orderCreated = (order: object & { id: string }) =>
    messageNotification('order', order.id, 'OrderCreated', { order });

  it('uses the order an authenticated delivery carries, reading nothing', async () => {
    const connector = holding([]);
    const outcome = await connector.handle(orderCreated(carried), { trusted: true });
    expect(outcome).toEqual({ kind: 'delivered', events: 1, detail: { source: 'carried', proof: 'delivery' } });
    expect(connector.commercetools.reads).toEqual([]);
    expect(connector.segment.accepted()[0]).toMatchObject({ properties: { order_id: carried.id, total: 127.2 } });
  });

  it('reads the order again when the carried discount codes are not expanded, so the coupon is the code', async () => {
    const connector = holding([taxExcludedOrder]);
    const unexpanded = {
      ...taxExcludedOrder,
      discountCodes: taxExcludedOrder.discountCodes.map(({ discountCode, state }) => ({
        state,
        discountCode: { typeId: discountCode.typeId, id: discountCode.id },
      })),
    };
    const outcome = await connector.handle(orderCreated(unexpanded), { trusted: true });
    expect(outcome).toMatchObject({ kind: 'delivered', detail: { source: 'read', proof: 'delivery' } });
    expect(connector.commercetools.reads).toEqual(['order read']);
    expect(connector.segment.accepted()[0]).toMatchObject({ properties: { coupon: 'SAVE10' } });
  });

  it('believes an unauthenticated delivery only as far as commercetools holds the order (no messages kept)', async () => {
    const connector = holding([]);
    expect(await connector.handle(orderCreated(carried))).toEqual({
      kind: 'skipped',
      reason: 'not-found',
      detail: { source: 'read', proof: 'state' },
    });
    expect(connector.commercetools.reads).toEqual(['order read']);
    expect(connector.segment.sends).toBe(0);
  });

  it('sends the messageIds of the change route, so receiving both never doubles an event', async () => {
    const connector = holding([guestOrder]);
    const leftOut = messageNotification('order', guestOrder.id, 'OrderCreated', {
      payloadNotIncluded: { reason: 'Payload too large', payloadType: 'OrderCreated' },
    });
    await connector.handle(leftOut, { trusted: true });
    await connector.handle(created(guestOrder.id));
    const [identify, track, identifyAgain, trackAgain] = messageIds(connector);
    expect([identifyAgain, trackAgain]).toEqual([identify, track]);
  });
});

describe('order ResourceUpdated → Order Updated', () => {
  const updated = (version: number) => changeNotification('ResourceUpdated', 'order', taxExcludedOrder.id, version);

  it('sends Order Updated from the order as read, dated and keyed by its version', async () => {
    const connector = holding([taxExcludedOrder]);
    expect(await connector.handle(updated(taxExcludedOrder.version))).toEqual({ kind: 'delivered', events: 1 });
    expect(connector.commercetools.reads).toEqual(['order read']);
    expect(connector.segment.accepted()[0]).toMatchObject({
      event: 'Order Updated',
      timestamp: taxExcludedOrder.lastModifiedAt,
      properties: { order_id: taxExcludedOrder.id, order_state: 'Open', payment_state: 'Paid' },
    });
  });

  it('keys the event by the version read, not the one notified: two quick updates make one event', async () => {
    const connector = holding([taxExcludedOrder]);
    await connector.handle(updated(taxExcludedOrder.version - 1));
    await connector.handle(updated(taxExcludedOrder.version));
    connector.commercetools.add('order', { ...taxExcludedOrder, version: taxExcludedOrder.version + 1 });
    await connector.handle(updated(taxExcludedOrder.version + 1));
    const [first, second, third] = messageIds(connector);
    expect(second).toBe(first);
    expect(third).not.toBe(first);
  });

  it('skips an order commercetools no longer holds as not-found', async () => {
    expect(await holding([]).handle(updated(2))).toEqual({ kind: 'skipped', reason: 'not-found' });
  });
});
