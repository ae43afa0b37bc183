import request from 'supertest';
import customerFull from './fixtures/customers/customer-full.json';
import customerMinimal from './fixtures/customers/customer-minimal.json';
import { changeNotification, pubSubEnvelope, startHarness, WRITE_KEY, type Harness } from './support/harness';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
  await harness.seed('customer', customerFull);
  await harness.seed('customer', customerMinimal);
});
afterAll(() => harness.close());
beforeEach(() => harness.segment.reset());

describe('customer notifications → identify', () => {
  it('sends the created customer as an identify with spec traits, authenticated with the write key', async () => {
    const res = await request(harness.app)
      .post('/')
      .send(pubSubEnvelope(changeNotification('ResourceCreated', 'customer', customerFull.id)));

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    const [identify, ...rest] = harness.segment.events();
    expect(rest).toHaveLength(0);
    expect(identify).toMatchObject({
      type: 'identify',
      userId: customerFull.id,
      timestamp: new Date(customerFull.lastModifiedAt).toISOString(),
      traits: {
        email: customerFull.email,
        firstName: customerFull.firstName,
        lastName: customerFull.lastName,
        name: `${customerFull.firstName} ${customerFull.lastName}`,
        birthday: customerFull.dateOfBirth,
        createdAt: customerFull.createdAt,
        customerNumber: customerFull.customerNumber,
        company: { name: customerFull.companyName },
      },
    });
    expect(identify?.messageId).toMatch(/^ct-identify-[0-9a-f]{32}$/);
    const expectedAuth = `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`;
    expect(harness.segment.accepted[0]?.authorization).toBe(expectedAuth);
  });

  it("sends the customer's consent field as context.consent", async () => {
    await request(harness.app).post('/').send(changeNotification('ResourceUpdated', 'customer', customerFull.id, 2)).expect(200);
    expect(harness.segment.events()[0]?.context).toMatchObject({ consent: JSON.parse(customerFull.custom.fields.consent) });
  });

  it('takes the address from the default billing address', async () => {
    await request(harness.app).post('/').send(changeNotification('ResourceUpdated', 'customer', customerFull.id, 2));
    const billing = customerFull.addresses.find((address) => address.id === customerFull.defaultBillingAddressId);
    const traits = harness.segment.events()[0]?.traits as { address?: Record<string, unknown> };
    expect(traits.address).toMatchObject({ city: billing?.city, postalCode: billing?.postalCode, country: billing?.country });
  });

  it('leaves out absent traits for a minimal customer', async () => {
    const res = await request(harness.app).post('/').send(changeNotification('ResourceUpdated', 'customer', customerMinimal.id));
    expect(res.status).toBe(200);
    const traits = harness.segment.events()[0]?.traits as Record<string, unknown>;
    expect(traits.email).toBe(customerMinimal.email);
    expect(traits).not.toHaveProperty('firstName');
    expect(traits).not.toHaveProperty('address');
    expect(Object.values(traits)).not.toContain(undefined);
  });

  it('sends the same messageId when the same notification is delivered twice', async () => {
    const notification = pubSubEnvelope(changeNotification('ResourceUpdated', 'customer', customerFull.id, 3));
    await request(harness.app).post('/').send(notification).expect(200);
    await request(harness.app).post('/').send(notification).expect(200);
    const [first, second] = harness.segment.events();
    expect(first?.messageId).toBeDefined();
    expect(second?.messageId).toBe(first?.messageId);
  });

  it('acknowledges a customer that no longer exists and sends nothing', async () => {
    const res = await request(harness.app)
      .post('/')
      .send(changeNotification('ResourceUpdated', 'customer', '00000000-0000-4000-8000-00000000dead'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'skipped', reason: 'not-found' });
    expect(harness.segment.received).toHaveLength(0);
  });

  it('acknowledges a customer deletion without sending anything (not handled yet)', async () => {
    const res = await request(harness.app).post('/').send(changeNotification('ResourceDeleted', 'customer', customerFull.id));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'skipped', reason: 'unhandled-type' });
    expect(harness.segment.received).toHaveLength(0);
  });
});
