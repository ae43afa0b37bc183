import type { AddressInfo } from 'node:net';
import { CommercetoolsMock } from '@labdigital/commercetools-mock';
import customerFull from '../src/dev/samples/customers/customer-full.json';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { startConnector, type RunningConnector } from '../src/server';
import { changeNotification, pubSubEnvelope, PROJECT_KEY } from './support/harness';
import { startSegmentCapture, type SegmentCapture } from '../src/dev/segment-capture';

describe('graceful shutdown', () => {
  let ctMock: CommercetoolsMock;
  let segment: SegmentCapture;
  let connector: RunningConnector;
  const lines: string[] = [];

  beforeAll(async () => {
    ctMock = new CommercetoolsMock({
      enableAuthentication: true,
      validateCredentials: true,
      defaultProjectKey: PROJECT_KEY,
      silent: true,
    });
    await ctMock.app.listen({ host: '127.0.0.1', port: 0 });
    await ctMock.project(PROJECT_KEY).unsafeAdd('customer' as never, customerFull as never);
    segment = await startSegmentCapture();
    const ctUrl = `http://127.0.0.1:${(ctMock.app.server.address() as AddressInfo).port}`;
    const config = loadConfig({
      CTP_PROJECT_KEY: PROJECT_KEY,
      CTP_CLIENT_ID: 'client',
      CTP_CLIENT_SECRET: 'secret',
      CTP_API_URL: ctUrl,
      CTP_AUTH_URL: ctUrl,
      SEGMENT_WRITE_KEY: 'write-key',
      SEGMENT_HOST: segment.url,
    });
    connector = await startConnector(
      { ...config, port: 0 },
      {
        logger: createLogger('info', { write: (line: string) => void lines.push(line) }),
        host: '127.0.0.1',
        graceMs: 5_000,
      },
    );
  });
  afterAll(async () => {
    await segment.close();
    await ctMock.app.close();
  });

  it('finishes the notification in flight, answers it, then refuses new connections', async () => {
    const url = `http://127.0.0.1:${connector.port}/`;
    // Segment takes a while, so the notification is still in flight when the signal comes.
    segment.behave({ kind: 'delay', ms: 300 });
    const inFlight = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(pubSubEnvelope(changeNotification('ResourceUpdated', 'customer', customerFull.id, 5))),
    });
    await segment.waitForRequests(1);

    const stopped = connector.stop('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'delivered', events: 1 });
    expect(await stopped).toBe(true);
    expect(segment.events()).toHaveLength(1);

    await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow();
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toEqual(expect.arrayContaining(['shutting down: finishing in-flight notifications', 'stopped']));
  });
});

describe('startConnector wiring', () => {
  it('requires a Pub/Sub push token when PUBSUB_AUDIENCE and PUBSUB_SERVICE_ACCOUNT_EMAIL are set', async () => {
    const config = loadConfig({
      CTP_PROJECT_KEY: PROJECT_KEY,
      CTP_CLIENT_ID: 'client',
      CTP_CLIENT_SECRET: 'secret',
      CTP_API_URL: 'http://127.0.0.1:9',
      CTP_AUTH_URL: 'http://127.0.0.1:9',
      SEGMENT_WRITE_KEY: 'write-key',
      SEGMENT_HOST: 'http://127.0.0.1:9',
      PUBSUB_AUDIENCE: 'https://connector.example.com/',
      PUBSUB_SERVICE_ACCOUNT_EMAIL: 'push@connect-project.iam.gserviceaccount.com',
    });
    const connector = await startConnector(
      { ...config, port: 0 },
      { logger: createLogger('silent'), host: '127.0.0.1' },
    );
    try {
      const response = await fetch(`http://127.0.0.1:${connector.port}/`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: 'unauthorized', message: 'missing bearer token' });
    } finally {
      await connector.stop('test');
    }
  });
});
