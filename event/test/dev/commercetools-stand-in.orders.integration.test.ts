import { startCommercetoolsStandIn, type CommercetoolsStandIn } from '../../src/dev/commercetools-stand-in';
import guestOrder from '../fixtures/orders/order-guest.json';
import customerMinimal from '../fixtures/customers/customer-minimal.json';

/**
 * commercetools refuses an order's setCustomerId for a customer it does not hold, and the
 * OrderCustomerSet proof without messages relies on it (an order's customerId is a customer
 * commercetools knows); the mock accepts any id, so the stand-in keeps the rule.
 */
const PROJECT_KEY = 'stand-in-project';
let standIn: CommercetoolsStandIn;
let token: string;

beforeAll(async () => {
  standIn = await startCommercetoolsStandIn({ projectKey: PROJECT_KEY });
  await standIn.add('order', guestOrder);
  await standIn.add('customer', customerMinimal);
  const basic = Buffer.from('client:secret').toString('base64');
  const answer = await fetch(`${standIn.url}/oauth/token?grant_type=client_credentials`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}` },
  });
  token = ((await answer.json()) as { access_token: string }).access_token;
});
afterAll(() => standIn.close());

async function setCustomerId(customerId: string, version: number) {
  const answer = await fetch(`${standIn.url}/${PROJECT_KEY}/orders/${guestOrder.id}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ version, actions: [{ action: 'setCustomerId', customerId }] }),
  });
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
}

describe('the stand-in’s orders', () => {
  it('refuse setCustomerId for a customer the project does not hold, as commercetools does', async () => {
    const refused = await setCustomerId('00000000-0000-4000-8000-00000000dead', guestOrder.version);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ errors: [{ code: 'ReferencedResourceNotFound' }] });
  });

  it('set a customer the project holds', async () => {
    const set = await setCustomerId(customerMinimal.id, guestOrder.version);
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ customerId: customerMinimal.id, version: guestOrder.version + 1 });
  });
});
