import { startCommercetoolsStandIn, type CommercetoolsStandIn } from '../../src/dev/commercetools-stand-in';

/**
 * The Messages API the stand-in adds to the mock keeps commercetools' rules the connector's
 * proofs rely on: messages kept only while the project's messages are enabled, only for their
 * retention, behind a token, found by id or by a resource-and-type predicate.
 */
const PROJECT_KEY = 'stand-in-project';
const DAY = 24 * 60 * 60 * 1000;
let clock = Date.parse('2026-11-24T10:00:00.000Z');
let standIn: CommercetoolsStandIn;
let token: string;

const message = (id: string, type: string, resourceId: string, createdAt = '2026-11-24T09:00:00.000Z') => ({
  notificationType: 'Message',
  projectKey: PROJECT_KEY,
  id,
  version: 1,
  sequenceNumber: 1,
  resource: { typeId: 'customer', id: resourceId },
  resourceVersion: 1,
  type,
  createdAt,
  lastModifiedAt: createdAt,
});

const get = (path: string, auth = `Bearer ${token}`) =>
  fetch(`${standIn.url}/${PROJECT_KEY}${path}`, { headers: { authorization: auth } });

beforeAll(async () => {
  standIn = await startCommercetoolsStandIn({ projectKey: PROJECT_KEY, now: () => clock });
  const basic = Buffer.from('client:secret').toString('base64');
  const answer = await fetch(`${standIn.url}/oauth/token?grant_type=client_credentials`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}` },
  });
  token = ((await answer.json()) as { access_token: string }).access_token;
});
afterAll(() => standIn.close());

describe('the stand-in’s Messages API', () => {
  it('keeps no message while the project’s messages are disabled, as a new project starts', async () => {
    expect(await standIn.publish(message('m-disabled', 'CustomerDeleted', 'c-1'))).toBe(false);
    expect((await get('/messages/m-disabled')).status).toBe(404);
    await standIn.setMessages({ enabled: true });
    // Enabling later does not bring back what was never kept.
    expect((await get('/messages/m-disabled')).status).toBe(404);
  });

  it('answers a kept message by id, without the notification fields, and 404 with commercetools’ error otherwise', async () => {
    await standIn.setMessages({ enabled: true });
    expect(await standIn.publish(message('m-kept', 'CustomerDeleted', 'c-2'))).toBe(true);
    const found = await get('/messages/m-kept');
    expect(found.status).toBe(200);
    const body = (await found.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id: 'm-kept', type: 'CustomerDeleted', resource: { typeId: 'customer', id: 'c-2' } });
    expect(body).not.toHaveProperty('notificationType');
    const missing = await get('/messages/m-none');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ errors: [{ code: 'ResourceNotFound' }] });
  });

  it('finds the newest message of a type about a resource with predicate variables', async () => {
    await standIn.setMessages({ enabled: true });
    await standIn.publish(message('m-a', 'CustomerDeleted', 'c-3', '2026-11-24T08:00:00.000Z'));
    await standIn.publish(message('m-b', 'CustomerDeleted', 'c-3', '2026-11-24T08:30:00.000Z'));
    await standIn.publish(message('m-c', 'CustomerCreated', 'c-3'));
    const query = new URLSearchParams({
      where: 'resource(typeId = :typeId and id = :id) and type = :type',
      'var.typeId': 'customer',
      'var.id': 'c-3',
      'var.type': 'CustomerDeleted',
      sort: 'createdAt desc',
      limit: '1',
    });
    const page = (await (await get(`/messages?${query}`)).json()) as { results: { id: string }[] };
    expect(page.results.map((result) => result.id)).toEqual(['m-b']);
    const unsupported = await get(`/messages?${new URLSearchParams({ where: 'type != "x"' })}`);
    expect(unsupported.status).toBe(400);
  });

  it('forgets a message after the project’s retention', async () => {
    await standIn.setMessages({ enabled: true, deleteDaysAfterCreation: 2 });
    await standIn.publish(message('m-old', 'CustomerDeleted', 'c-4', new Date(clock).toISOString()));
    clock += DAY;
    expect((await get('/messages/m-old')).status).toBe(200);
    clock += 2 * DAY;
    expect((await get('/messages/m-old')).status).toBe(404);
  });

  it('requires a valid token', async () => {
    expect((await get('/messages/m-kept', 'Bearer not-a-token')).status).toBe(401);
    expect((await get('/messages/m-kept', '')).status).toBe(401);
  });
});
