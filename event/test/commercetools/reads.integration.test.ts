import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCommercetoolsApi } from '../../src/commercetools/client';
import { createCommercetoolsReader } from '../../src/commercetools/reads';
import { ConnectorError } from '../../src/errors';

/**
 * A commercetools that hands out tokens but never answers a read. Without the request's signal
 * reaching the HTTP request, a read here would wait for its 60 s timeout and the test would time out.
 */
let server: Server;
let url: string;
let reads = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith('/oauth/token')) {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: 'token', token_type: 'Bearer', expires_in: 3600, scope: 'view_orders:p' }));
      return;
    }
    reads += 1;
    // Never answered.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

it('stops a read when the request’s signal aborts, and says the deadline passed', async () => {
  const api = createCommercetoolsApi(
    { projectKey: 'p', clientId: 'c', clientSecret: 's', apiUrl: url, authUrl: url },
    { limits: { timeoutMs: 60_000, maxRetries: 1, retryDelayMs: 10 } },
  );
  const reader = createCommercetoolsReader(api);
  const deadline = new AbortController();
  const read = reader.getOrder('0a0b0c0d-0000-4000-8000-000000000001', deadline.signal);
  while (reads === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  deadline.abort();
  const error = await read.catch((failure: unknown) => failure);
  expect(error).toBeInstanceOf(ConnectorError);
  expect((error as ConnectorError).kind).toBe('upstream-unavailable');
  expect((error as ConnectorError).publicMessage).toContain('deadline passed');
  // And a read asked for after the deadline is not even attempted.
  const before = reads;
  await expect(reader.getCustomer('0a0b0c0d-0000-4000-8000-000000000002', deadline.signal)).rejects.toMatchObject({
    kind: 'upstream-unavailable',
  });
  expect(reads).toBe(before);
});
