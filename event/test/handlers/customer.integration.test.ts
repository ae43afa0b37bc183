import request from 'supertest';
import customerFull from '../fixtures/customers/customer-full.json';
import customerMinimal from '../fixtures/customers/customer-minimal.json';
import { WRITE_KEY } from '../support/environment';
import { useHarness, withHarness } from '../support/harness';
import { changeNotification, messageNotification, pubSubEnvelope } from '../support/notifications';

const harness = useHarness({}, async (h) => {
  await h.seed('customer', customerFull);
  await h.seed('customer', customerMinimal);
});

describe('customer notifications → identify', () => {
  it('sends a created customer as an identify with spec traits, then Signed Up, authenticated with the write key', async () => {
    const res = await request(harness.app)
      .post('/')
      .send(pubSubEnvelope(changeNotification('ResourceCreated', 'customer', customerFull.id)));

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'delivered', events: 2 });
    const [identify, signedUp, ...rest] = harness.segment.events();
    expect(rest).toHaveLength(0);
    expect(signedUp).toMatchObject({
      type: 'track',
      event: 'Signed Up',
      userId: customerFull.id,
      timestamp: new Date(customerFull.createdAt).toISOString(),
      properties: { email: customerFull.email, first_name: customerFull.firstName, last_name: customerFull.lastName },
    });
    expect(signedUp?.messageId).toMatch(/^ct-signed-up-[0-9a-f]{32}$/);
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
    await request(harness.app)
      .post('/')
      .send(changeNotification('ResourceUpdated', 'customer', customerFull.id, 2))
      .expect(200);
    expect(harness.segment.events()[0]?.context).toMatchObject({
      consent: JSON.parse(customerFull.custom.fields.consent),
    });
  });

  it('takes the address from the default billing address', async () => {
    await request(harness.app)
      .post('/')
      .send(changeNotification('ResourceUpdated', 'customer', customerFull.id, 2));
    const billing = customerFull.addresses.find((address) => address.id === customerFull.defaultBillingAddressId);
    const traits = harness.segment.events()[0]?.traits as { address?: Record<string, unknown> };
    expect(traits.address).toMatchObject({
      city: billing?.city,
      postalCode: billing?.postalCode,
      country: billing?.country,
    });
  });

  it('leaves out absent traits for a minimal customer', async () => {
    const res = await request(harness.app)
      .post('/')
      .send(changeNotification('ResourceUpdated', 'customer', customerMinimal.id));
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

  it('sends only an identify when a customer is updated', async () => {
    const res = await request(harness.app)
      .post('/')
      .send(changeNotification('ResourceUpdated', 'customer', customerFull.id, 4));
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    expect(harness.segment.events().map((event) => event.type)).toEqual(['identify']);
  });
});

describe('CustomerCreated message', () => {
  // A customer the stand-in does not hold: only the message's own payload can produce the calls.
  const carried = { ...customerMinimal, id: '3c1f0e9d-8b7a-4c6d-9e5f-4a3b2c1d0e9f', email: 'carried.only@example.com' };

  it('uses the customer an authenticated delivery carries, without reading it again', async () => {
    await withHarness({ trusted: true }, async (trusted) => {
      const res = await request(trusted.app)
        .post('/')
        .send(pubSubEnvelope(messageNotification('customer', carried.id, 'CustomerCreated', { customer: carried })));
      expect(res.body).toEqual({ status: 'delivered', events: 2 });
      const [identify, signedUp] = trusted.segment.events();
      expect(identify).toMatchObject({ type: 'identify', userId: carried.id, traits: { email: carried.email } });
      expect(signedUp).toMatchObject({ type: 'track', event: 'Signed Up', userId: carried.id });
    });
  });

  it('reads the customer when the payload was left out, and matches the change route’s Signed Up messageId', async () => {
    const message = messageNotification('customer', customerFull.id, 'CustomerCreated', {
      payloadNotIncluded: { reason: 'Payload too large', payloadType: 'CustomerCreated' },
    });
    await request(harness.app).post('/').send(pubSubEnvelope(message)).expect(200);
    await request(harness.app)
      .post('/')
      .send(changeNotification('ResourceCreated', 'customer', customerFull.id))
      .expect(200);
    const signedUps = harness.segment.events().filter((event) => event.event === 'Signed Up');
    expect(signedUps).toHaveLength(2);
    expect(signedUps[1]?.messageId).toBe(signedUps[0]?.messageId);
  });
});

describe('customer deletion', () => {
  it('acknowledges and warns when no Segment Public API token is configured', async () => {
    const res = await request(harness.app)
      .post('/')
      .send(changeNotification('ResourceDeleted', 'customer', customerFull.id));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'skipped', reason: 'no-public-api-token' });
    expect(harness.publicApi.received).toHaveLength(0);
    expect(harness.logs.at(-1)).toMatchObject({
      level: 'warn',
      reason: 'no-public-api-token',
      route: 'customer/ResourceDeleted',
    });
  });

  describe('with a Public API token, in a project that keeps messages', () => {
    /** A customer commercetools deleted: its CustomerDeleted message is in the Messages API. */
    const DELETED_ID = customerFull.id;
    const withToken = useHarness({ env: { SEGMENT_PUBLIC_API_TOKEN: 'public-api-token-value' }, messages: true }, (h) =>
      h.publish(messageNotification('customer', DELETED_ID, 'CustomerDeleted', {})),
    );
    const deletion = pubSubEnvelope(changeNotification('ResourceDeleted', 'customer', DELETED_ID, 9));

    it('asks Segment to suppress and delete the user once the CustomerDeleted message is found', async () => {
      const res = await request(withToken.app).post('/').send(deletion);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'deletion-requested' });
      expect(withToken.publicApi.accepted).toHaveLength(1);
      expect(withToken.publicApi.accepted[0]).toMatchObject({
        path: '/regulations',
        authorization: 'Bearer public-api-token-value',
        body: { regulationType: 'SUPPRESS_WITH_DELETE', subjectType: 'USER_ID', subjectIds: [customerFull.id] },
      });
      expect(withToken.logs.at(-1)).toMatchObject({ proof: 'messages-api', outcome: 'deletion-requested' });
      expect(withToken.logText()).not.toContain('public-api-token-value');
    });

    it('requests nothing for a customer id commercetools never deleted (no CustomerDeleted message)', async () => {
      const never = pubSubEnvelope(
        changeNotification('ResourceDeleted', 'customer', 'b0a1c2d3-0000-4000-8000-00000000dead', 9),
      );
      const res = await request(withToken.app).post('/').send(never);
      expect(res.body).toEqual({ status: 'skipped', reason: 'unproven' });
      expect(withToken.publicApi.received).toHaveLength(0);
      expect(withToken.logs.at(-1)).toMatchObject({ level: 'warn', reason: 'unproven' });
    });

    /** The notification's failure line: an error, saying why without the token or Segment's words. */
    const expectRetriedAndLogged = (status: number) => {
      const line = withToken.logs.at(-1);
      expect(line).toMatchObject({
        level: 'error',
        outcome: 'upstream-unavailable',
        route: 'customer/ResourceDeleted',
        reason: expect.stringContaining(`HTTP ${status}`),
      });
      expect(JSON.stringify([line?.reason, line?.cause])).not.toContain(customerFull.id);
      expect(withToken.logText()).not.toContain('public-api-token-value');
    };

    it.each([429, 500, 503, 401, 403, 404, 405, 409, 410, 413])(
      'answers 503 when the Public API answers %i, logs an error, and the redelivery is requested',
      async (status) => {
        withToken.publicApi.behave({ kind: 'status', status });
        const res = await request(withToken.app).post('/').send(deletion);
        expect(res.status).toBe(503);
        expect(res.body).toEqual({
          error: 'upstream-unavailable',
          message: `Segment Public API answered HTTP ${status}${status === 429 ? ' (rate limit or quota)' : ''}`,
        });
        expectRetriedAndLogged(status);
        withToken.publicApi.behave({ kind: 'accept' });
        expect((await request(withToken.app).post('/').send(deletion)).body).toEqual({ status: 'deletion-requested' });
      },
    );

    it.each([
      [400, `{"errors":[{"type":"RequestError","message":"Monthly deletion quota exceeded for ${customerFull.id}"}]}`],
      [422, '{"errors":[{"type":"RequestError","message":"Too many regulations in progress"}]}'],
      [403, '{"message":"Rate limit exceeded"}'],
    ])(
      'answers 503 when a %i says a quota or limit was reached: it passes, so the deletion comes back',
      async (status, body) => {
        withToken.publicApi.behave({ kind: 'status', status, body });
        const res = await request(withToken.app).post('/').send(deletion);
        expect(res.status).toBe(503);
        expect(res.body.message).toBe(`Segment Public API answered HTTP ${status} (rate limit or quota)`);
        expectRetriedAndLogged(status);
      },
    );

    it('answers 503 when the Public API host redirects, without following it to a page that accepts anything', async () => {
      // A proxy or portal in front of the host: what answers there is not Segment.
      withToken.publicApi.behave({
        kind: 'status',
        status: 307,
        headers: { location: `${withToken.segment.url}/login` },
      });
      const res = await request(withToken.app).post('/').send(deletion);
      expect(res.status).toBe(503);
      expect(withToken.segment.received).toHaveLength(0);
      expectRetriedAndLogged(307);
    });

    it.each([
      [400, '{"errors":[{"type":"RequestError","message":"subjectIds: invalid value"}]}'],
      [422, '{}'],
    ])('acknowledges a request Segment refuses as such (%i), and says so in the log', async (status, body) => {
      withToken.publicApi.behave({ kind: 'status', status, body });
      const res = await request(withToken.app).post('/').send(deletion);
      expect(res.body).toEqual({ status: 'skipped', reason: 'deletion-refused' });
      expect(withToken.logs.at(-1)).toMatchObject({ level: 'warn', reason: 'deletion-refused' });
      withToken.publicApi.behave({ kind: 'accept' });
    });
  });

  describe('with a Public API token, in a project without messages', () => {
    const withToken = useHarness({ env: { SEGMENT_PUBLIC_API_TOKEN: 'public-api-token-value' } });

    it('cannot prove an unauthenticated deletion: unverified-deletion, a warning, nothing requested', async () => {
      const res = await request(withToken.app)
        .post('/')
        .send(pubSubEnvelope(changeNotification('ResourceDeleted', 'customer', customerFull.id, 9)));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'skipped', reason: 'unverified-deletion' });
      expect(withToken.publicApi.received).toHaveLength(0);
      expect(withToken.logs.at(-1)).toMatchObject({ level: 'warn', reason: 'unverified-deletion' });
    });
  });
});
