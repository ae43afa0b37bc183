import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { WRITE_KEY } from './support/environment';
import { type Harness, startHarness } from './support/harness';
import { changeNotification, messageNotification, pubSubEnvelope } from './support/notifications';

/** Keys whose values are personal data in commercetools resources. */
const PERSONAL_KEYS = new Set([
  'email',
  'customerEmail',
  'firstName',
  'lastName',
  'streetName',
  'phone',
  'mobile',
  'dateOfBirth',
  'companyName',
]);

function personalValues(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => personalValues(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (PERSONAL_KEYS.has(key) && typeof inner === 'string' && inner.length >= 4) found.add(inner);
      else if (key === 'consent' && typeof inner === 'string') found.add(inner);
      else personalValues(inner, found);
    }
  }
  return found;
}

/** Every order or customer the tests use (the fixtures hold copies of the demo's samples too). */
const FIXTURES = join(__dirname, 'fixtures');
const fixtures = (folder: string) =>
  readdirSync(join(FIXTURES, folder)).map(
    (file) =>
      JSON.parse(readFileSync(join(FIXTURES, folder, file), 'utf8')) as {
        id: string;
        discountCodes?: { discountCode: { obj?: object } }[];
      },
  );

describe('logs', () => {
  let harness: Harness;
  const orders = fixtures('orders');
  const customers = fixtures('customers');
  const SECRETS = ['connector-secret-value', WRITE_KEY, 'public-api-token-secret'];

  beforeAll(async () => {
    harness = await startHarness({ env: { SEGMENT_PUBLIC_API_TOKEN: 'public-api-token-secret', LOG_LEVEL: 'trace' } });
    for (const order of orders) {
      await harness.seed('order', order);
      for (const { discountCode } of order.discountCodes ?? [])
        if (discountCode.obj) await harness.seed('discount-code', discountCode.obj);
    }
    for (const customer of customers) await harness.seed('customer', customer);
  });
  afterAll(() => harness.close());

  it('never contain personal data, consent contents or secrets, whatever happens', async () => {
    const post = (body: unknown) =>
      request(harness.app).post('/').set('content-type', 'application/json').send(JSON.stringify(body));
    for (const order of orders) {
      await post(pubSubEnvelope(changeNotification('ResourceCreated', 'order', order.id)));
      await post(messageNotification('order', order.id, 'OrderStateChanged', { orderState: 'Cancelled' }));
    }
    for (const customer of customers) {
      await post(changeNotification('ResourceCreated', 'customer', customer.id));
      await post(changeNotification('ResourceDeleted', 'customer', customer.id));
    }
    // Failures: Segment down, and requests carrying personal data in places we reject.
    harness.segment.behave({ kind: 'status', status: 500 });
    await post(changeNotification('ResourceCreated', 'order', orders[0]!.id));
    harness.segment.behave({ kind: 'accept' });
    const [someone] = [...personalValues(customers)];
    await post({
      notificationType: 'ResourceCreated',
      projectKey: 'test-project',
      resource: { typeId: 'order', id: someone },
    });
    await post({
      notificationType: 'ResourceCreated',
      projectKey: someone,
      resource: { typeId: 'order', id: orders[0]!.id },
      modifiedAt: someone,
    });
    await post({ message: { data: Buffer.from(JSON.stringify({ email: someone })).toString('base64') } });

    expect(harness.logs.length).toBeGreaterThan(orders.length * 2);
    const text = harness.logText();
    const values = personalValues([orders, customers]);
    expect(values.size).toBeGreaterThan(20);
    for (const value of [...values, ...SECRETS])
      expect({ value, found: text.includes(value) }).toEqual({ value, found: false });
  });
});
