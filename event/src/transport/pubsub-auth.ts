import type { IncomingHttpHeaders } from 'node:http';
import { OAuth2Client } from 'google-auth-library';
import { unauthorized, upstreamUnavailable } from '../errors';

/**
 * The issuers Google puts on the OIDC tokens of authenticated push subscriptions. Named here
 * rather than left to OAuth2Client#verifyIdToken, whose default list also accepts the client's
 * universe domain as an issuer.
 */
const GOOGLE_ISSUERS = ['https://accounts.google.com', 'accounts.google.com'];

/** RFC 6750 b64token; one token, nothing after it. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

export interface PubSubAuthSettings {
  /** The audience configured on the push subscription (usually the endpoint URL). */
  audience: string;
  /** The push subscription's service account: tokens issued to any other account are refused. */
  serviceAccountEmail: string;
}

export interface PubSubAuthOptions {
  /** The client that fetches (and caches) Google's signing certificates. A new one by default. */
  client?: OAuth2Client;
  /** Signing certificates by key id (PEM), instead of fetching Google's; for tests. */
  certs?: () => Promise<Record<string, string>>;
}

export type Authenticate = (headers: IncomingHttpHeaders) => Promise<void>;

/**
 * Checks the `Authorization: Bearer <OIDC token>` that Pub/Sub push adds when the subscription
 * has authentication enabled: Google's signature, issuer, lifetime, audience and the push
 * service account. Rejects with an unauthorized error whose message is generic; the
 * token never appears in errors (the library's own messages quote it, so they are dropped).
 */
export function createPubSubAuthenticator(settings: PubSubAuthSettings, options: PubSubAuthOptions = {}): Authenticate {
  const client = options.client ?? new OAuth2Client();
  const loadCerts = options.certs ?? (async () => (await client.getFederatedSignonCertsAsync()).certs);
  const expectedEmail = settings.serviceAccountEmail.toLowerCase();

  return async (headers) => {
    const token = BEARER.exec(headers.authorization ?? '')?.[1];
    if (!token) throw unauthorized('missing bearer token');

    let certs: Awaited<ReturnType<typeof loadCerts>>;
    try {
      certs = await loadCerts();
    } catch (error) {
      // Not the caller's fault: Google's certificates could not be fetched.
      throw upstreamUnavailable('push token verification keys unavailable', error);
    }

    let payload;
    try {
      const ticket = await client.verifySignedJwtWithCertsAsync(token, certs, settings.audience, GOOGLE_ISSUERS);
      payload = ticket.getPayload();
    } catch {
      throw unauthorized('invalid push token');
    }
    if (!payload) throw unauthorized('invalid push token');

    if (payload.email_verified !== true || payload.email?.toLowerCase() !== expectedEmail) {
      throw unauthorized('token not issued to the expected service account');
    }
  };
}
