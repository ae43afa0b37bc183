import customerFull from '../fixtures/customers/customer-full.json';
import customerMinimal from '../fixtures/customers/customer-minimal.json';
import { rejectionOf } from '../support/errors';
import { createInMemoryConnector, type InMemoryConnectorOptions } from '../support/in-memory-connector';
import { changeNotification, messageNotification } from '../support/notifications';

/**
 * The customer handlers without HTTP: a new customer (identify + Signed Up, from the change or the
 * CustomerCreated message), a changed one (identify), and a deleted one (a deletion requested from
 * Segment's Public API, only once commercetools proves it).
 */

function holding(customers: object[], options: InMemoryConnectorOptions = {}) {
  const connector = createInMemoryConnector(options);
  for (const customer of customers) connector.commercetools.add('customer', customer);
  return connector;
}

const change = (type: 'ResourceCreated' | 'ResourceUpdated' | 'ResourceDeleted', id = customerFull.id) =>
  changeNotification(type, 'customer', id, 9);

describe('a new customer → identify, then Signed Up', () => {
  it('reads the customer once and sends both, keyed and dated by the customer', async () => {
    const connector = holding([customerFull]);
    expect(await connector.handle(change('ResourceCreated'))).toEqual({
      kind: 'delivered',
      events: 2,
      detail: { source: 'read' },
    });
    expect(connector.commercetools.reads).toEqual(['customer read']);
    const [identify, signedUp] = connector.segment.accepted();
    expect(identify).toMatchObject({
      type: 'identify',
      userId: customerFull.id,
      timestamp: customerFull.lastModifiedAt,
      traits: { email: customerFull.email, firstName: customerFull.firstName, createdAt: customerFull.createdAt },
      context: { consent: JSON.parse(customerFull.custom.fields.consent) },
    });
    expect(identify?.messageId).toMatch(/^ct-identify-[0-9a-f]{32}$/);
    expect(signedUp).toMatchObject({ type: 'track', event: 'Signed Up', userId: customerFull.id });
    expect(signedUp?.messageId).toMatch(/^ct-signed-up-[0-9a-f]{32}$/);
  });

  it('uses the customer an authenticated CustomerCreated carries, reading nothing', async () => {
    const carried = { ...customerMinimal, id: '3c1f0e9d-8b7a-4c6d-9e5f-4a3b2c1d0e9f' };
    const connector = holding([]);
    const message = messageNotification('customer', carried.id, 'CustomerCreated', { customer: carried });
    expect(await connector.handle(message, { trusted: true })).toEqual({
      kind: 'delivered',
      events: 2,
      detail: { source: 'carried', proof: 'delivery' },
    });
    expect(connector.commercetools.reads).toEqual([]);
    expect(connector.segment.accepted().map((call) => call.userId)).toEqual([carried.id, carried.id]);
  });

  it('reads the customer when the message left its payload out, with the change route’s messageIds', async () => {
    const connector = holding([customerFull]);
    const leftOut = messageNotification('customer', customerFull.id, 'CustomerCreated', {
      payloadNotIncluded: { reason: 'Payload too large', payloadType: 'CustomerCreated' },
    });
    expect(await connector.handle(leftOut, { trusted: true })).toMatchObject({ detail: { source: 'read' } });
    await connector.handle(change('ResourceCreated'));
    const [identify, signedUp, identifyAgain, signedUpAgain] = connector.segment.accepted().map((c) => c.messageId);
    expect([identifyAgain, signedUpAgain]).toEqual([identify, signedUp]);
  });

  it('skips, unread, when both calls are switched off; sends what stays on otherwise', async () => {
    const off = holding([customerFull], { env: { IDENTIFY_CUSTOMERS: 'false', EVENT_SIGNED_UP: 'off' } });
    expect(await off.handle(change('ResourceCreated'))).toEqual({ kind: 'skipped', reason: 'disabled' });
    expect(off.commercetools.reads).toEqual([]);
    const signedUpOnly = holding([customerFull], { env: { IDENTIFY_CUSTOMERS: 'false' } });
    await signedUpOnly.handle(change('ResourceCreated'));
    expect(signedUpOnly.segment.accepted().map((call) => call.type)).toEqual(['track']);
  });
});

describe('a changed customer → identify', () => {
  it('sends only an identify, leaving out the traits a minimal customer lacks', async () => {
    const connector = holding([customerMinimal]);
    expect(await connector.handle(change('ResourceUpdated', customerMinimal.id))).toMatchObject({ events: 1 });
    const [identify] = connector.segment.accepted();
    expect(identify).toMatchObject({ type: 'identify', traits: { email: customerMinimal.email } });
    expect(identify).not.toHaveProperty('traits.firstName');
    expect(identify).not.toHaveProperty('traits.address');
  });

  it('skips a customer commercetools no longer holds as not-found', async () => {
    const connector = holding([]);
    expect(await connector.handle(change('ResourceUpdated'))).toEqual({ kind: 'skipped', reason: 'not-found' });
    expect(connector.segment.sends).toBe(0);
  });
});

describe('a deleted customer → a deletion requested from Segment', () => {
  const TOKEN = { SEGMENT_PUBLIC_API_TOKEN: 'public-api-token-value' };
  const deleted = () => change('ResourceDeleted');
  /** A project that keeps messages, with a Public API token; holding the CustomerDeleted message when `proven`. */
  function withMessages(proven: boolean) {
    const connector = holding([], { env: TOKEN, messages: true });
    if (proven)
      connector.commercetools.publish(messageNotification('customer', customerFull.id, 'CustomerDeleted', {}));
    return connector;
  }

  it('requests it once the CustomerDeleted message is found, with one look-up', async () => {
    const connector = withMessages(true);
    expect(await connector.handle(deleted())).toEqual({
      kind: 'deletion-requested',
      detail: { source: 'read', proof: 'messages-api' },
    });
    expect(connector.commercetools.reads).toEqual(['message look-up']);
    expect(connector.regulations.requested).toEqual([customerFull.id]);
  });

  it('skips a deletion commercetools never made as unproven', async () => {
    const connector = withMessages(false);
    expect(await connector.handle(deleted())).toEqual({ kind: 'skipped', reason: 'unproven' });
    expect(connector.regulations.requested).toEqual([]);
  });

  it('fails as upstream-unavailable when the message is not found yet moments after the deletion', async () => {
    const connector = withMessages(false);
    const justNow = { ...deleted(), modifiedAt: new Date().toISOString() };
    expect(await rejectionOf(connector.handle(justNow))).toMatchObject({ kind: 'upstream-unavailable' });
    expect(connector.regulations.requested).toEqual([]);
  });

  it('cannot prove an unauthenticated deletion in a project without messages: unverified-deletion', async () => {
    const connector = holding([], { env: TOKEN });
    expect(await connector.handle(deleted())).toEqual({ kind: 'skipped', reason: 'unverified-deletion' });
    expect(connector.commercetools.reads).toEqual([]);
    expect(connector.regulations.requested).toEqual([]);
  });

  it('believes an authenticated delivery, unless commercetools still holds the customer', async () => {
    const still = holding([customerFull], { env: TOKEN });
    expect(await still.handle(deleted(), { trusted: true })).toEqual({
      kind: 'skipped',
      reason: 'customer-exists',
      detail: { source: 'read', proof: 'delivery' },
    });
    const gone = holding([], { env: TOKEN });
    expect(await gone.handle(deleted(), { trusted: true })).toMatchObject({ kind: 'deletion-requested' });
    expect(gone.commercetools.reads).toEqual(['customer read']);
    expect([still.regulations.requested, gone.regulations.requested]).toEqual([[], [customerFull.id]]);
  });

  it('skips it as deletion-refused when Segment refuses the request itself, and fails when Segment cannot answer', async () => {
    const connector = withMessages(true);
    connector.regulations.behave('refuse');
    expect(await connector.handle(deleted())).toMatchObject({ kind: 'skipped', reason: 'deletion-refused' });
    connector.regulations.behave('fail');
    expect(await rejectionOf(connector.handle(deleted()))).toMatchObject({ kind: 'upstream-unavailable' });
  });

  it('skips it, reading nothing, without a Public API token or with deletions switched off', async () => {
    const noToken = holding([]);
    expect(await noToken.handle(deleted(), { trusted: true })).toEqual({
      kind: 'skipped',
      reason: 'no-public-api-token',
    });
    const off = holding([], { env: { ...TOKEN, SEGMENT_DELETE_USERS: 'false' } });
    expect(await off.handle(deleted(), { trusted: true })).toEqual({ kind: 'skipped', reason: 'disabled' });
    expect([...noToken.commercetools.reads, ...off.commercetools.reads]).toEqual([]);
  });
});
