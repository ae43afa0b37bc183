import customerMinimal from '../fixtures/customers/customer-minimal.json';
import { buildMessageId } from '../../src/mapping/message-id';
import { PROJECT_KEY } from '../support/environment';
import { createInMemoryConnector, type InMemoryConnectorOptions } from '../support/in-memory-connector';
import { changeNotification, messageNotification } from '../support/notifications';
import { associate, customerId, unit, UNIT_ID } from '../support/resources/b2b';

/**
 * The business unit handlers without HTTP: a unit created or changed (one group call per
 * associate), and an associate added or removed (Account Added User, Account Removed User),
 * proven against the unit or the Messages API.
 */

/** The connector holding the unit, and the customers 1, 2, 3 (its associates) and 42 (removed since). */
function holding(options: InMemoryConnectorOptions = {}) {
  const connector = createInMemoryConnector(options);
  connector.commercetools.add('business-unit', unit);
  for (const n of [1, 2, 3, 42]) connector.commercetools.add('customer', { ...customerMinimal, id: customerId(n) });
  return connector;
}

const changed = (version = unit.version) => changeNotification('ResourceUpdated', 'business-unit', UNIT_ID, version);
const associateMessage = (
  type: 'BusinessUnitAssociateAdded' | 'BusinessUnitAssociateRemoved',
  n: number,
  options: { createdAt?: string; roles?: string[] } = {},
) =>
  messageNotification(
    'business-unit',
    UNIT_ID,
    type,
    { associate: associate(n, options.roles) },
    options.createdAt ? { createdAt: options.createdAt } : {},
  );

describe('a unit created or changed → a group call per associate', () => {
  it('reads the unit once and puts each associate in its group, with its traits', async () => {
    const connector = holding();
    expect(await connector.handle(changed())).toEqual({ kind: 'delivered', events: 3, detail: { source: 'read' } });
    expect(connector.commercetools.reads).toEqual(['business unit read']);
    const groups = connector.segment.accepted();
    expect(groups.map((call) => call.type === 'group' && [call.userId, call.groupId])).toEqual(
      [1, 2, 3].map((n) => [customerId(n), 'acme-procurement']),
    );
    expect(groups[0]).toMatchObject({
      traits: { name: 'ACME Procurement', unit_type: 'Division', parent_unit: 'acme', stores: ['us-webshop'] },
    });
  });

  it('gives a redelivery the same messageIds and a new version of the unit new ones', async () => {
    const connector = holding();
    await connector.handle(changed());
    await connector.handle(changed());
    connector.commercetools.add('business-unit', { ...unit, version: unit.version + 1 });
    await connector.handle(changed(unit.version + 1));
    const ids = connector.segment.accepted().map((call) => call.messageId);
    expect(ids.slice(3, 6)).toEqual(ids.slice(0, 3));
    expect(ids.slice(6).some((id) => ids.slice(0, 3).includes(id))).toBe(false);
  });

  it('sends all 500 group calls of a large unit in one send', async () => {
    const connector = holding();
    const large = { ...unit, associates: Array.from({ length: 500 }, (_, n) => associate(1_000 + n)) };
    connector.commercetools.add('business-unit', large);
    expect(await connector.handle(changed())).toMatchObject({ kind: 'delivered', events: 500 });
    expect(connector.segment.sends).toBe(1);
  });

  it('skips a unit without associates as no-associates, and one commercetools does not hold as not-found', async () => {
    const connector = holding();
    connector.commercetools.add('business-unit', { ...unit, associates: [] });
    expect(await connector.handle(changed())).toMatchObject({ kind: 'skipped', reason: 'no-associates' });
    connector.commercetools.remove('business-unit', UNIT_ID);
    expect(await connector.handle(changed())).toEqual({ kind: 'skipped', reason: 'not-found' });
  });

  it('reads nothing when GROUP_BUSINESS_UNITS is off', async () => {
    const connector = holding({ env: { GROUP_BUSINESS_UNITS: 'false' } });
    expect(await connector.handle(changed())).toEqual({ kind: 'skipped', reason: 'disabled' });
    expect(connector.commercetools.reads).toEqual([]);
  });
});

describe('an associate added or removed, in a project without messages: the unit proves it', () => {
  it('tracks Account Added User for an associate the unit holds, with the unit’s roles, not the message’s', async () => {
    const connector = holding();
    const added = associateMessage('BusinessUnitAssociateAdded', 1, { roles: ['forged-role'] });
    expect(await connector.handle(added)).toEqual({
      kind: 'delivered',
      events: 1,
      detail: { source: 'read', proof: 'state' },
    });
    expect(connector.segment.accepted()[0]).toMatchObject({
      event: 'Account Added User',
      userId: customerId(1),
      context: { groupId: 'acme-procurement' },
      properties: { business_unit: 'acme-procurement', roles: ['admin', 'buyer'] },
    });
  });

  it('skips an added associate the unit does not hold as unproven', async () => {
    const connector = holding();
    expect(await connector.handle(associateMessage('BusinessUnitAssociateAdded', 99))).toMatchObject({
      reason: 'unproven',
    });
    expect(connector.segment.sends).toBe(0);
  });

  it('tracks Account Removed User for a customer no longer an associate, every copy keyed by the removal', async () => {
    const connector = holding();
    for (const createdAt of ['2026-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z'])
      await connector.handle(associateMessage('BusinessUnitAssociateRemoved', 42, { createdAt }));
    const removals = connector.segment.accepted();
    expect(removals).toHaveLength(2);
    for (const removal of removals)
      expect(removal).toMatchObject({
        event: 'Account Removed User',
        userId: customerId(42),
        timestamp: unit.lastModifiedAt,
        messageId: buildMessageId({
          projectKey: PROJECT_KEY,
          typeId: 'business-unit',
          resourceId: UNIT_ID,
          event: 'account-removed-user',
          discriminator: `removed-${customerId(42)}`,
        }),
      });
  });

  it('skips the removal of a customer still an associate as unproven, and of one commercetools does not hold as not-found', async () => {
    const connector = holding();
    expect(await connector.handle(associateMessage('BusinessUnitAssociateRemoved', 1))).toMatchObject({
      reason: 'unproven',
    });
    expect(await connector.handle(associateMessage('BusinessUnitAssociateRemoved', 77))).toMatchObject({
      reason: 'not-found',
    });
    expect(connector.segment.sends).toBe(0);
  });

  it('reads nothing when Account Added User is switched off', async () => {
    const connector = holding({ env: { EVENT_ACCOUNT_ADDED_USER: 'off' } });
    expect(await connector.handle(associateMessage('BusinessUnitAssociateAdded', 1))).toEqual({
      kind: 'skipped',
      reason: 'disabled',
    });
    expect(connector.commercetools.reads).toEqual([]);
  });
});

describe('an associate removed, in a project that keeps messages: the Messages API proves it', () => {
  it('believes a removal commercetools holds, with its date and id, and nothing under another id', async () => {
    const connector = holding({ messages: true });
    const real = associateMessage('BusinessUnitAssociateRemoved', 42, { createdAt: '2026-11-23T08:00:00.000Z' });
    connector.commercetools.publish(real);
    expect(await connector.handle(real)).toMatchObject({ kind: 'delivered', detail: { proof: 'messages-api' } });
    expect(connector.commercetools.reads).toEqual(['message read', 'business unit read', 'customer read']);
    expect(await connector.handle(associateMessage('BusinessUnitAssociateRemoved', 42))).toMatchObject({
      reason: 'unproven',
    });
    expect(connector.segment.accepted()).toEqual([
      expect.objectContaining({ userId: customerId(42), timestamp: '2026-11-23T08:00:00.000Z' }),
    ]);
  });

  it('skips a held removal about another unit, claimed for this one, as unproven', async () => {
    const connector = holding({ messages: true });
    const other = messageNotification(
      'business-unit',
      'b0b0b0b0-0000-4000-8000-0000000000ff',
      'BusinessUnitAssociateRemoved',
      { associate: associate(42) },
    );
    connector.commercetools.publish(other);
    const claimed = { ...other, resource: { typeId: 'business-unit', id: UNIT_ID } };
    expect(await connector.handle(claimed)).toEqual({ kind: 'skipped', reason: 'unproven' });
  });
});
