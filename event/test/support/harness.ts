import type { AddressInfo } from 'node:net';
import { CommercetoolsMock } from '@labdigital/commercetools-mock';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import { createCommercetoolsApi, type CommercetoolsClientLimits } from '../../src/commercetools/client';
import { createCommercetoolsReader } from '../../src/commercetools/reads';
import { createLogger } from '../../src/logger';
import { createSegmentSink, DEFAULT_SEGMENT_LIMITS, type SegmentSink, type SegmentSinkLimits } from '../../src/segment/sink';
import { startSegmentCapture, type SegmentCapture } from './segment-capture';

export const PROJECT_KEY = 'test-project';
export const WRITE_KEY = 'test-write-key';

export interface Harness {
  app: Express;
  ctMock: CommercetoolsMock;
  ctUrl: string;
  segment: SegmentCapture;
  sink: SegmentSink;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  /** The raw log text, for greps. */
  logText(): string;
  /** Store a resource in the commercetools stand-in exactly as given. */
  seed(typeId: string, resource: object): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Point the app at this commercetools URL instead of the stand-in (e.g. a closed port). */
  commercetoolsUrl?: string;
  segmentLimits?: Partial<SegmentSinkLimits>;
  commercetoolsLimits?: Partial<CommercetoolsClientLimits>;
  deadlineMs?: number;
  locale?: string;
}

/**
 * The app as it runs in production, wired with its real adapters to local stand-ins: the
 * commercetools mock served over HTTP and a capturing Segment server, both on loopback.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const ctMock = new CommercetoolsMock({
    enableAuthentication: true,
    validateCredentials: true,
    defaultProjectKey: PROJECT_KEY,
    silent: true,
  });
  await ctMock.app.listen({ host: '127.0.0.1', port: 0 });
  const ctUrl = `http://127.0.0.1:${(ctMock.app.server.address() as AddressInfo).port}`;
  const segment = await startSegmentCapture();

  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  const apiUrl = options.commercetoolsUrl ?? ctUrl;
  const api = createCommercetoolsApi(
    { projectKey: PROJECT_KEY, clientId: 'connector-client', clientSecret: 'connector-secret-value', apiUrl, authUrl: apiUrl },
    { timeoutMs: 1_000, maxRetries: 1, retryDelayMs: 50, ...options.commercetoolsLimits },
  );
  const sink = createSegmentSink(
    { writeKey: WRITE_KEY, host: segment.url },
    { ...DEFAULT_SEGMENT_LIMITS, httpRequestTimeoutMs: 1_000, maxRetries: 1, maxTotalBackoffSeconds: 2, maxRateLimitSeconds: 1, ...options.segmentLimits },
  );
  const app = createApp({
    commercetools: createCommercetoolsReader(api),
    segment: sink,
    logger,
    mapping: { projectKey: PROJECT_KEY, consentFieldName: 'consent', ...(options.locale ? { locale: options.locale } : {}) },
    deadlineMs: options.deadlineMs ?? 5_000,
  });

  return {
    app,
    ctMock,
    ctUrl,
    segment,
    sink,
    get logs() {
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    logText: () => lines.join(''),
    async seed(typeId, resource) {
      // The stand-in's typing covers its own resource map; fixtures are full commercetools JSON.
      await ctMock.project(PROJECT_KEY).unsafeAdd(typeId as never, resource as never);
    },
    async close() {
      await sink.close(1_000).catch(() => undefined);
      await segment.close();
      await ctMock.app.close();
    },
  };
}

/** A Google Pub/Sub push request body carrying `notification`, as Connect on GCP delivers it. */
export function pubSubEnvelope(notification: object, options: { messageId?: string; deliveryAttempt?: number } = {}) {
  return {
    message: {
      data: Buffer.from(JSON.stringify(notification)).toString('base64'),
      attributes: {},
      messageId: options.messageId ?? '1234567890',
      publishTime: '2026-11-23T10:00:00.000Z',
    },
    subscription: 'projects/connect-project/subscriptions/segment-connector',
    ...(options.deliveryAttempt ? { deliveryAttempt: options.deliveryAttempt } : {}),
  };
}

/** A change notification for `resource`, as commercetools sends it. */
export function changeNotification(
  notificationType: 'ResourceCreated' | 'ResourceUpdated' | 'ResourceDeleted',
  typeId: string,
  id: string,
  version = 1,
) {
  return {
    notificationType,
    projectKey: PROJECT_KEY,
    resource: { typeId, id },
    resourceUserProvidedIdentifiers: {},
    version,
    ...(notificationType === 'ResourceUpdated' ? { oldVersion: version - 1 } : {}),
    modifiedAt: '2026-11-23T09:59:58.000Z',
  };
}
