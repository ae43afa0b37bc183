import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { OAuth2Client } from 'google-auth-library';
import request from 'supertest';
import { createPubSubAuthenticator } from '../../src/transport/pubsub-auth';
import customerFull from '../fixtures/customers/customer-full.json';
import taxIncludedOrder from '../fixtures/orders/order-tax-included.json';
import type { FaultProxy } from '../support/fault-proxy';
import { rejectionOf } from '../support/errors';
import { useHarness } from '../support/harness';
import { NO_PRODUCT_READS } from '../support/environment';
import { changeNotification, messageNotification, pubSubEnvelope } from '../support/notifications';

const AUDIENCE = 'https://segment-connector.europe-west1.gcp.commercetools.app/';
const SERVICE_ACCOUNT = 'ct-connect-push@ct-connect-project.iam.gserviceaccount.com';
const KID = '6f7254101f56e41cf35c9926de84a2d552b4c6f1';

// A stand-in for one of Google's signing keys, and an attacker's key.
const google = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicPem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
const certs = async () => ({ [KID]: publicPem(google.publicKey) });

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Claims as Google puts them on a push subscription's OIDC token. */
function googleClaims(overrides: Record<string, unknown> = {}) {
  const iat = nowSeconds() - 10;
  return {
    aud: AUDIENCE,
    azp: '113774264463038321964',
    email: SERVICE_ACCOUNT,
    email_verified: true,
    exp: iat + 3600,
    iat,
    iss: 'https://accounts.google.com',
    sub: '113774264463038321964',
    ...overrides,
  };
}

function signToken(claims: object, options: { key?: KeyObject; kid?: string } = {}): string {
  const signed = `${base64url({ alg: 'RS256', kid: options.kid ?? KID, typ: 'JWT' })}.${base64url(claims)}`;
  const signature = createSign('RSA-SHA256')
    .update(signed)
    .sign(options.key ?? google.privateKey, 'base64url');
  return `${signed}.${signature}`;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('createPubSubAuthenticator', () => {
  const authenticate = createPubSubAuthenticator(
    { audience: AUDIENCE, serviceAccountEmail: SERVICE_ACCOUNT },
    { certs },
  );

  it.each(['https://accounts.google.com', 'accounts.google.com'])(
    'accepts a Google-signed token from issuer %s',
    async (iss) => {
      await expect(authenticate(bearer(signToken(googleClaims({ iss }))))).resolves.toBeUndefined();
    },
  );

  it('accepts the Bearer scheme in any case, and the configured email in any case', async () => {
    const shouting = createPubSubAuthenticator(
      { audience: AUDIENCE, serviceAccountEmail: SERVICE_ACCOUNT.toUpperCase() },
      { certs },
    );
    await expect(shouting({ authorization: `bearer ${signToken(googleClaims())}` })).resolves.toBeUndefined();
  });

  it.each([
    ['no Authorization header', {}],
    ['an empty Authorization header', { authorization: '' }],
    ['the Basic scheme', { authorization: `Basic ${Buffer.from('user:password').toString('base64')}` }],
    ['a bare token without a scheme', { authorization: signToken(googleClaims()) }],
    ['Bearer without a token', { authorization: 'Bearer ' }],
    ['two tokens', { authorization: `Bearer ${signToken(googleClaims())} ${signToken(googleClaims())}` }],
  ])('rejects %s as a missing bearer token', async (_case, headers) => {
    const error = await rejectionOf(authenticate(headers));
    expect(error.kind).toBe('unauthorized');
    expect(error.publicMessage).toBe('missing bearer token');
  });

  const [header = '', payload = '', signature = ''] = signToken(googleClaims()).split('.');
  it.each([
    ['a token that is not a JWT', 'not-a-jwt'],
    ['a token with two segments', `${header}.${payload}`],
    ['a token whose header is not JSON', `bm90IGpzb24.${payload}.${signature}`],
    ['a token signed by another key', signToken(googleClaims(), { key: attacker.privateKey })],
    [
      'a token whose claims were changed after signing',
      `${header}.${base64url(googleClaims({ aud: 'https://elsewhere.example/' }))}.${signature}`,
    ],
    ['an unsigned token (alg none)', `${base64url({ alg: 'none', kid: KID })}.${payload}.`],
    ['a token signed with an unknown key id', signToken(googleClaims(), { kid: 'retired-key' })],
    ['a token for another audience', signToken(googleClaims({ aud: 'https://another-service.example/' }))],
    ['a token from another issuer', signToken(googleClaims({ iss: 'https://issuer.example' }))],
    // OAuth2Client#verifyIdToken's default issuers include the universe domain; ours do not.
    ['a token issued by the universe domain', signToken(googleClaims({ iss: 'googleapis.com' }))],
    ['an expired token', signToken(googleClaims({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }))],
    ['a token issued in the future', signToken(googleClaims({ iat: nowSeconds() + 3600, exp: nowSeconds() + 7200 }))],
    ['a token valid for more than a day', signToken(googleClaims({ exp: nowSeconds() + 2 * 86_400 }))],
    ['a token without an expiry', signToken(googleClaims({ exp: undefined }))],
  ])('rejects %s as an invalid push token', async (_case, token) => {
    const error = await rejectionOf(authenticate(bearer(token)));
    expect(error.kind).toBe('unauthorized');
    expect(error.publicMessage).toBe('invalid push token');
  });

  it.each([
    ['another service account', { email: 'intruder@other-project.iam.gserviceaccount.com' }],
    ['an unverified email', { email_verified: false }],
    ['no email_verified claim', { email_verified: undefined }],
    ['no email', { email: undefined }],
  ])('rejects a token for %s when a service account is configured', async (_case, overrides) => {
    const error = await rejectionOf(authenticate(bearer(signToken(googleClaims(overrides)))));
    expect(error.kind).toBe('unauthorized');
    expect(error.publicMessage).toBe('token not issued to the expected service account');
  });

  it('never carries the token in the error, its message or its cause', async () => {
    // The library quotes the whole token in some of its messages (e.g. a bad signature).
    const token = signToken(googleClaims(), { key: attacker.privateKey });
    const error = await rejectionOf(authenticate(bearer(token)));
    const [, , tokenSignature = ''] = token.split('.');
    expect(inspect(error, { depth: 10 })).not.toContain(tokenSignature);
    expect(JSON.stringify(error)).not.toContain(tokenSignature);
  });

  it('reports unavailable signing keys as an upstream failure, not as a bad token', async () => {
    const unreachable = createPubSubAuthenticator(
      { audience: AUDIENCE, serviceAccountEmail: SERVICE_ACCOUNT },
      { certs: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9')) },
    );
    const error = await rejectionOf(unreachable(bearer(signToken(googleClaims()))));
    expect(error.kind).toBe('upstream-unavailable');
  });
});

describe('createPubSubAuthenticator with the library fetching the certificates', () => {
  let certServer: Server;
  let certRequests = 0;
  let client: OAuth2Client;

  beforeAll(async () => {
    // Google's certificate endpoint, on loopback: same JSON shape and caching header.
    const body = JSON.stringify(await certs());
    certServer = createServer((_req, res) => {
      certRequests += 1;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=21600' }).end(body);
    });
    await new Promise<void>((resolve) => certServer.listen(0, '127.0.0.1', resolve));
    const { port } = certServer.address() as AddressInfo;
    client = new OAuth2Client({
      endpoints: { oauth2FederatedSignonPemCertsUrl: `http://127.0.0.1:${port}/oauth2/v1/certs` },
    });
  });
  afterAll(() => new Promise<void>((resolve) => certServer.close(() => resolve())));

  it('verifies against the fetched certificates and fetches them once while cached', async () => {
    const authenticate = createPubSubAuthenticator(
      { audience: AUDIENCE, serviceAccountEmail: SERVICE_ACCOUNT },
      { client },
    );
    await expect(authenticate(bearer(signToken(googleClaims())))).resolves.toBeUndefined();
    await expect(authenticate(bearer(signToken(googleClaims())))).resolves.toBeUndefined();
    const error = await rejectionOf(authenticate(bearer(signToken(googleClaims(), { key: attacker.privateKey }))));
    expect(error.publicMessage).toBe('invalid push token');
    expect(certRequests).toBe(1);
  });
});

describe('POST / with Pub/Sub push authentication', () => {
  const notification = () => pubSubEnvelope(changeNotification('ResourceUpdated', 'customer', customerFull.id, 2));
  const harness = useHarness(
    {
      proxied: true,
      env: NO_PRODUCT_READS,
      authenticate: createPubSubAuthenticator({ audience: AUDIENCE, serviceAccountEmail: SERVICE_ACCOUNT }, { certs }),
    },
    (h) => h.seed('customer', customerFull),
  );
  const proxy = () => harness.proxy as FaultProxy;

  it('answers 401 JSON to a request without a token, and sends nothing to Segment', async () => {
    const res = await request(harness.app).post('/').send(notification());

    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ error: 'unauthorized', message: 'missing bearer token' });
    expect(harness.segment.received).toHaveLength(0);
  });

  it('answers 401 to a forged token without echoing it, in the answer or the logs', async () => {
    const token = signToken(googleClaims(), { key: attacker.privateKey });
    const res = await request(harness.app).post('/').set('Authorization', `Bearer ${token}`).send(notification());

    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'unauthorized', message: 'invalid push token' });
    const [, , tokenSignature = ''] = token.split('.');
    expect(res.text).not.toContain(tokenSignature);
    expect(harness.logText()).not.toContain(tokenSignature);
    expect(harness.segment.received).toHaveLength(0);
  });

  it('processes a notification pushed with a valid token', async () => {
    const res = await request(harness.app)
      .post('/')
      .set('Authorization', `Bearer ${signToken(googleClaims())}`)
      .send(notification());

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    expect(harness.segment.events()).toEqual([expect.objectContaining({ type: 'identify', userId: customerFull.id })]);
  });

  it('uses the order a message carries as is once the token verified: no commercetools read at all', async () => {
    // commercetools does not hold this order: only the carried copy can produce the event.
    const carried = { ...taxIncludedOrder, id: '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f', discountCodes: [] };
    const before = proxy().count();
    const res = await request(harness.app)
      .post('/')
      .set('Authorization', `Bearer ${signToken(googleClaims())}`)
      .send(pubSubEnvelope(messageNotification('order', carried.id, 'OrderCreated', { order: carried })));

    expect(res.body).toEqual({ status: 'delivered', events: 1 });
    expect(proxy().count() - before).toBe(0);
    expect(harness.segment.events()).toEqual([
      expect.objectContaining({
        event: 'Order Completed',
        properties: expect.objectContaining({ order_id: carried.id, total: 127.2 }),
      }),
    ]);
    expect(harness.logs.at(-1)).toMatchObject({ outcome: 'delivered', source: 'carried', resourceId: carried.id });
  });
});
