import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSegmentCapture, type SegmentCapture } from '../../src/dev/segment-capture';
import {
  generateBackfillData,
  seedBackfillData,
  startBackfillCommercetools,
  type BackfillCommercetools,
  type BackfillData,
} from './backfill-data';
import { startFaultProxy, type FaultProxy } from './fault-proxy';

/**
 * What a backfill runs against in the tests: the commercetools mock seeded with generated
 * customers and orders, a fault proxy in front of it, the Segment capture, and a directory of its
 * own for checkpoints.
 */
export interface BackfillStandIns {
  commercetools: BackfillCommercetools;
  proxy: FaultProxy;
  segment: SegmentCapture;
  data: BackfillData;
  workDir: string;
  /** The settings a backfill (the engine or the command line) reads, pointed at the proxy and the capture. */
  environment(): Record<string, string>;
  close(): Promise<void>;
}

export async function startBackfillStandIns(
  projectKey: string,
  counts: { customers: number; orders: number },
): Promise<BackfillStandIns> {
  const commercetools = await startBackfillCommercetools(projectKey);
  const proxy = await startFaultProxy(commercetools.url);
  const segment = await startSegmentCapture();
  const data = generateBackfillData(projectKey, counts.customers, counts.orders);
  await seedBackfillData(commercetools, data);
  const workDir = await mkdtemp(join(tmpdir(), `${projectKey}-`));
  return {
    commercetools,
    proxy,
    segment,
    data,
    workDir,
    environment: () => ({
      CTP_PROJECT_KEY: projectKey,
      CTP_CLIENT_ID: 'backfill-client',
      CTP_CLIENT_SECRET: 'backfill-secret',
      CTP_API_URL: proxy.url,
      CTP_AUTH_URL: proxy.url,
      SEGMENT_WRITE_KEY: 'backfill-write-key',
      SEGMENT_HOST: segment.url,
    }),
    async close() {
      await proxy.close();
      await segment.close();
      await commercetools.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
