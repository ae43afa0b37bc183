/**
 * The bench's floor: the least any connector must do for a guest-order notification, written as
 * plainly as it can be, so the bench can print the connector's cost beside it.
 *
 * Express parses the Pub/Sub envelope; the order is read and its email looked up among
 * registered customers over keep-alive undici pools; identify + Order Completed go to Segment in
 * one request; the answer is 200 once Segment accepted it. One token, fetched at start-up. No
 * validation beyond what the answer needs, no mapping beyond a handful of fields, no retries,
 * no limits, no logs: nothing a production connector could do without.
 */
import express from 'express';
import { Pool } from 'undici';

const projectKey = process.env.CTP_PROJECT_KEY ?? 'bench-project';
const commercetools = new Pool(process.env.CTP_API_URL ?? '', { connections: 64 });
const segment = new Pool(process.env.SEGMENT_HOST ?? '', { connections: 64 });
const segmentAuthorization = `Basic ${Buffer.from(`${process.env.SEGMENT_WRITE_KEY ?? ''}:`).toString('base64')}`;

interface GuestOrder {
  id: string;
  orderNumber?: string;
  customerEmail?: string;
  anonymousId?: string;
  totalPrice: { centAmount: number; currencyCode: string; fractionDigits: number };
}

async function token(): Promise<string> {
  const auth = new Pool(process.env.CTP_AUTH_URL ?? '');
  const { body } = await auth.request({
    method: 'POST',
    path: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const { access_token } = (await body.json()) as { access_token: string };
  await auth.close();
  return `Bearer ${access_token}`;
}

async function main(): Promise<void> {
  const authorization = await token();
  const get = async (path: string): Promise<unknown> => {
    const { statusCode, body } = await commercetools.request({ method: 'GET', path, headers: { authorization } });
    const parsed = await body.json();
    if (statusCode !== 200) throw new Error(`commercetools answered ${statusCode}`);
    return parsed;
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.post('/', express.json({ limit: '1mb', type: () => true }), async (req, res) => {
    try {
      const data = (req.body as { message?: { data?: string } }).message?.data ?? '';
      const notification = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { resource: { id: string } };
      const order = (await get(`/${projectKey}/orders/${notification.resource.id}`)) as GuestOrder;
      const email = order.customerEmail?.toLowerCase() ?? '';
      const where = new URLSearchParams({ where: 'lowercaseEmail = :email', 'var.email': email, limit: '1' });
      const registered = (await get(`/${projectKey}/customers?${where.toString()}`)) as { results: { id: string }[] };
      const userId = registered.results[0]?.id;
      const anonymousId = order.anonymousId ?? order.id;
      const total = order.totalPrice.centAmount / 10 ** order.totalPrice.fractionDigits;
      const timestamp = new Date().toISOString();
      const batch = [
        { type: 'identify', messageId: `identify-${order.id}`, anonymousId, userId, traits: { email }, timestamp },
        {
          type: 'track',
          event: 'Order Completed',
          messageId: `order-${order.id}`,
          anonymousId,
          properties: {
            order_id: order.id,
            checkout_id: order.orderNumber,
            total,
            currency: order.totalPrice.currencyCode,
          },
          timestamp,
        },
      ];
      const answer = await segment.request({
        method: 'POST',
        path: '/v1/batch',
        headers: { 'content-type': 'application/json', authorization: segmentAuthorization },
        body: JSON.stringify({ batch, sentAt: timestamp }),
      });
      await answer.body.dump();
      res.status(answer.statusCode === 200 ? 200 : 503).end();
    } catch {
      res.status(503).end();
    }
  });
  const server = app.listen(Number(process.env.PORT), '127.0.0.1');
  server.keepAliveTimeout = 65_000;
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
  });
}

void main();
