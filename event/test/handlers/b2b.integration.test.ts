import request from 'supertest';
import customerMinimal from '../fixtures/customers/customer-minimal.json';
import { buildMessageId } from '../../src/mapping/message-id';
import { SEGMENT_MAX_EVENT_BYTES } from '../../src/segment/limits';
import { seedOrders, useHarness } from '../support/harness';
import { changeNotification, messageNotification, pubSubEnvelope } from '../support/notifications';
import {
  associate,
  customerId,
  QUOTE_ID,
  QUOTE_REQUEST_ID,
  quote,
  quoteRequest,
  unit,
  UNIT_ID,
  unitOrder,
} from '../support/resources/b2b';

/**
 * B2B through the HTTP endpoint, against the commercetools mock over HTTP (which holds business
 * units, quote requests and quotes) and the Segment capture. Deliveries are unauthenticated, as on
 * Connect: everything is read from commercetools.
 */
const harness = useHarness({}, async (h) => {
  await h.seed('business-unit', unit);
  await h.seed('quote-request', quoteRequest);
  await h.seed('quote', quote);
  await seedOrders(h, unitOrder);
  // Customers commercetools holds: the associates, and one since removed from the unit.
  for (const n of [1, 2, 3, 42]) await h.seed('customer', { ...customerMinimal, id: customerId(n) });
});
const post = (body: object) => request(harness.app).post('/').send(pubSubEnvelope(body));
const events = () => harness.segment.events();

describe('business units as Segment groups', () => {
  it('sends one group call per associate, with the unit’s key and traits', async () => {
    const res = await post(changeNotification('ResourceCreated', 'business-unit', UNIT_ID, unit.version));
    expect(res.body).toEqual({ status: 'delivered', events: 3 });
    const groups = events();
    expect(groups.map((call) => [call.type, call.userId, call.groupId])).toEqual(
      [1, 2, 3].map((n) => ['group', customerId(n), 'acme-procurement']),
    );
    expect(groups[0]?.traits).toEqual({
      name: 'ACME Procurement',
      email: 'procurement@acme.example.com',
      // The default billing address, in the identify shape.
      address: { street: 'Main Street 1', city: 'Seattle', postalCode: '98104', state: 'WA', country: 'US' },
      createdAt: '2026-01-10T08:00:00.000Z',
      unit_type: 'Division',
      status: 'Active',
      parent_unit: 'acme',
      top_level_unit: 'acme',
      stores: ['us-webshop'],
    });
    expect(new Set(groups.map((call) => call.messageId)).size).toBe(3);
  });

  it('gives a redelivery the same messageIds, and a new version new ones', async () => {
    await post(changeNotification('ResourceUpdated', 'business-unit', UNIT_ID, unit.version)).expect(200);
    const first = events().map((call) => call.messageId);
    harness.segment.reset();
    await post(changeNotification('ResourceUpdated', 'business-unit', UNIT_ID, unit.version)).expect(200);
    expect(events().map((call) => call.messageId)).toEqual(first);

    harness.segment.reset();
    await harness.seed('business-unit', { ...unit, version: unit.version + 1 });
    await post(changeNotification('ResourceUpdated', 'business-unit', UNIT_ID, unit.version + 1)).expect(200);
    const next = events().map((call) => call.messageId);
    expect(next.some((id) => first.includes(id))).toBe(false);
    await harness.seed('business-unit', unit);
  });

  it('delivers every group call of a unit with 500 associates, within Segment’s limits', async () => {
    const large = {
      ...unit,
      id: 'b0b0b0b0-0000-4000-8000-000000000500',
      key: 'acme-global',
      associates: Array.from({ length: 500 }, (_, n) => associate(1_000 + n)),
    };
    await harness.seed('business-unit', large);
    const res = await post(changeNotification('ResourceCreated', 'business-unit', large.id, large.version));
    expect(res.body).toEqual({ status: 'delivered', events: 500 });
    expect(new Set(events().map((call) => call.userId)).size).toBe(500);
    expect(harness.segment.received).toHaveLength(harness.segment.accepted.length);
    for (const call of events())
      expect(Buffer.byteLength(JSON.stringify(call))).toBeLessThanOrEqual(SEGMENT_MAX_EVENT_BYTES);
  });

  it('tracks Account Added User for an associate the unit holds, in the unit’s group, with the roles', async () => {
    const res = await post(
      messageNotification('business-unit', UNIT_ID, 'BusinessUnitAssociateAdded', {
        associate: associate(1, ['forged-role']),
      }),
    );
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    expect(events()[0]).toMatchObject({
      type: 'track',
      event: 'Account Added User',
      userId: customerId(1),
      context: { groupId: 'acme-procurement' },
      // The unit's roles, not the message's: the delivery was not authenticated.
      properties: { business_unit: 'acme-procurement', roles: ['admin', 'buyer'] },
    });
  });

  it('sends nothing for an added associate the unit does not hold', async () => {
    const res = await post(
      messageNotification('business-unit', UNIT_ID, 'BusinessUnitAssociateAdded', { associate: associate(99) }),
    );
    expect(res.body).toEqual({ status: 'skipped', reason: 'unproven' });
    expect(harness.segment.received).toHaveLength(0);
  });

  it('tracks Account Removed User for a customer no longer an associate, and nothing for one still there', async () => {
    const removed = await post(
      messageNotification('business-unit', UNIT_ID, 'BusinessUnitAssociateRemoved', { associate: associate(42) }),
    );
    expect(removed.body).toEqual({ status: 'delivered', events: 1 });
    expect(events()[0]).toMatchObject({
      event: 'Account Removed User',
      userId: customerId(42),
      context: { groupId: 'acme-procurement' },
      properties: { business_unit: 'acme-procurement' },
    });
    harness.segment.reset();
    const stillThere = await post(
      messageNotification('business-unit', UNIT_ID, 'BusinessUnitAssociateRemoved', { associate: associate(1) }),
    );
    expect(stillThere.body).toEqual({ status: 'skipped', reason: 'unproven' });
  });

  it('keys a removal proven by the unit by the unit, the customer and the change, dated by commercetools', async () => {
    const copies = await Promise.all(
      ['2026-01-01T00:00:00.000Z', '2030-01-01T00:00:00.000Z'].map((createdAt) =>
        post(
          messageNotification(
            'business-unit',
            UNIT_ID,
            'BusinessUnitAssociateRemoved',
            { associate: associate(42) },
            { createdAt },
          ),
        ),
      ),
    );
    for (const copy of copies) expect(copy.body).toEqual({ status: 'delivered', events: 1 });
    const removals = events();
    expect(new Set(removals.map((call) => call.messageId)).size).toBe(1);
    expect(removals[0]).toMatchObject({
      timestamp: unit.lastModifiedAt,
      messageId: buildMessageId({
        projectKey: 'test-project',
        typeId: 'business-unit',
        resourceId: UNIT_ID,
        event: 'account-removed-user',
        discriminator: `removed-${customerId(42)}`,
      }),
    });
  });

  it('sends nothing for the removal of a customer commercetools does not hold', async () => {
    const res = await post(
      messageNotification('business-unit', UNIT_ID, 'BusinessUnitAssociateRemoved', { associate: associate(77) }),
    );
    expect(res.body).toEqual({ status: 'skipped', reason: 'not-found' });
    expect(harness.segment.received).toHaveLength(0);
  });

  it('refuses an associate whose customer id is not a commercetools identifier (an email, 5,000 characters), without echoing it', async () => {
    for (const id of ['jane.doe@example.com', 'x'.repeat(5_000)]) {
      const res = await post(
        messageNotification('business-unit', UNIT_ID, 'BusinessUnitAssociateRemoved', {
          associate: { customer: { typeId: 'customer', id } },
        }),
      );
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).not.toContain(id.slice(0, 40));
    }
    expect(harness.segment.received).toHaveLength(0);
    expect(harness.logText()).not.toContain('jane.doe@example.com');
  });
});

describe('associate changes in a project that keeps messages', () => {
  const withMessages = useHarness({ messages: true }, async (h) => {
    await h.seed('business-unit', unit);
    await h.seed('customer', { ...customerMinimal, id: customerId(42) });
  });

  it('believes a removal the Messages API holds, with its date and id, and nothing under other ids', async () => {
    const real = await withMessages.publish(
      messageNotification(
        'business-unit',
        UNIT_ID,
        'BusinessUnitAssociateRemoved',
        { associate: associate(42) },
        { createdAt: '2026-11-23T08:00:00.000Z' },
      ),
    );
    const forged = messageNotification('business-unit', UNIT_ID, 'BusinessUnitAssociateRemoved', {
      associate: associate(42),
    });
    const send = (body: object) => request(withMessages.app).post('/').send(pubSubEnvelope(body));
    expect((await send(real)).body).toEqual({ status: 'delivered', events: 1 });
    expect((await send(real)).body).toEqual({ status: 'delivered', events: 1 });
    expect((await send(forged)).body).toEqual({ status: 'skipped', reason: 'unproven' });
    const sent = withMessages.segment.events();
    expect(sent.map((call) => call.messageId)).toEqual([sent[0]?.messageId, sent[0]?.messageId]);
    expect(sent[0]).toMatchObject({
      event: 'Account Removed User',
      userId: customerId(42),
      timestamp: '2026-11-23T08:00:00.000Z',
    });
  });

  it('sends nothing for a removal the Messages API holds about another unit', async () => {
    const other = await withMessages.publish(
      messageNotification('business-unit', 'b0b0b0b0-0000-4000-8000-0000000000ff', 'BusinessUnitAssociateRemoved', {
        associate: associate(42),
      }),
    );
    const res = await request(withMessages.app)
      .post('/')
      .send(pubSubEnvelope({ ...other, resource: { typeId: 'business-unit', id: UNIT_ID } }));
    expect(res.body).toEqual({ status: 'skipped', reason: 'unproven' });
  });
});

describe('orders and quotes of a unit', () => {
  it('puts a unit’s order in its group, with the purchase order number and the quote', async () => {
    await post(changeNotification('ResourceCreated', 'order', unitOrder.id)).expect(200);
    expect(events()[0]).toMatchObject({
      event: 'Order Completed',
      userId: customerId(2),
      context: { groupId: 'acme-procurement' },
      properties: {
        order_id: unitOrder.id,
        business_unit: 'acme-procurement',
        purchase_order_number: 'PO-2026-0042',
        quote_id: QUOTE_ID,
        total: 227.46,
      },
    });
  });

  it('tracks Quote Requested with the request’s figures and products', async () => {
    const res = await post(
      messageNotification('quote-request', QUOTE_REQUEST_ID, 'QuoteRequestCreated', {
        quoteRequest: { id: QUOTE_REQUEST_ID },
      }),
    );
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    const [requested] = events();
    expect(requested).toMatchObject({
      event: 'Quote Requested',
      userId: customerId(2),
      context: { groupId: 'acme-procurement' },
      properties: {
        quote_request_id: QUOTE_REQUEST_ID,
        business_unit: 'acme-procurement',
        currency: 'USD',
        total: 227.46,
      },
    });
    expect((requested?.properties?.products as unknown[]).length).toBe(unitOrder.lineItems.length);
  });

  it('tracks Quote Accepted for an accepted quote, and nothing for a claimed decline commercetools does not hold', async () => {
    const accepted = await post(
      messageNotification('quote', QUOTE_ID, 'QuoteStateChanged', { quoteState: 'Accepted', oldQuoteState: 'Pending' }),
    );
    expect(accepted.body).toEqual({ status: 'delivered', events: 1 });
    expect(events()[0]).toMatchObject({
      event: 'Quote Accepted',
      properties: { quote_id: QUOTE_ID, quote_request_id: QUOTE_REQUEST_ID, total: 227.46 },
    });
    harness.segment.reset();
    const declined = await post(
      messageNotification('quote', QUOTE_ID, 'QuoteStateChanged', { quoteState: 'Declined', oldQuoteState: 'Pending' }),
    );
    expect(declined.body).toEqual({ status: 'skipped', reason: 'unproven' });
    expect(harness.segment.received).toHaveLength(0);
  });
});

describe('switched off', () => {
  const off = useHarness(
    { env: { GROUP_BUSINESS_UNITS: 'false', EVENT_ACCOUNT_ADDED_USER: 'off', EVENT_QUOTE_ACCEPTED: 'Quote Approved' } },
    async (h) => {
      await h.seed('business-unit', unit);
      await h.seed('quote', quote);
    },
  );

  it('sends no group calls and no Account Added User, and renames Quote Accepted with the same messageId', async () => {
    const postOff = (body: object) => request(off.app).post('/').send(pubSubEnvelope(body));
    expect((await postOff(changeNotification('ResourceUpdated', 'business-unit', UNIT_ID, unit.version))).body).toEqual(
      { status: 'skipped', reason: 'disabled' },
    );
    expect(
      (
        await postOff(
          messageNotification('business-unit', UNIT_ID, 'BusinessUnitAssociateAdded', { associate: associate(1) }),
        )
      ).body,
    ).toEqual({ status: 'skipped', reason: 'disabled' });
    const message = messageNotification(
      'quote',
      QUOTE_ID,
      'QuoteStateChanged',
      { quoteState: 'Accepted' },
      { id: 'a5a5a5a5-0000-4000-8000-000000000001' },
    );
    await postOff(message).expect(200);
    await post(message).expect(200);
    const [renamed] = off.segment.events();
    const [original] = events();
    expect(renamed?.event).toBe('Quote Approved');
    expect(renamed?.messageId).toBe(original?.messageId);
  });
});
