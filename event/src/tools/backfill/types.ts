/** What a backfill is asked to do, what it reports as it goes, and what it ends with. */
import type { ProductCatalog } from '../../commercetools/catalog';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import type { CommercetoolsReader } from '../../commercetools/reads';
import type { EventSettings } from '../../events';
import type { MappingOptions } from '../../mapping/types';
import type { Metrics } from '../../telemetry/metrics';
import type { SegmentSink } from '../../segment/sink';
import type { Shard } from './shards';

/**
 * Processed in this order: customers first, so their identify precedes their business units'
 * group calls and their orders.
 */
export const BACKFILL_RESOURCE_TYPES = ['customer', 'business-unit', 'order'] as const;
export type BackfillResourceType = (typeof BACKFILL_RESOURCE_TYPES)[number];

/** commercetools' largest page. */
export const MAX_PAGE_SIZE = 500;

/** Which resources to backfill. Part of the checkpoint: a resume must use the same ones. */
export interface BackfillFilters {
  resourceTypes: BackfillResourceType[];
  /** Inclusive lower bound of `createdAt` (ISO 8601). */
  since?: string;
  /** Exclusive upper bound of `createdAt` (ISO 8601). */
  until?: string;
  /** Only the ids of this shard (see shards.ts); every id when absent. */
  shard?: Shard;
  /** Only resources of this store (orders: `store`, customers: `stores`). */
  store?: string;
}

/** Retries of one commercetools read or one send to Segment (429, 5xx, network errors). */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Delay before the second attempt, ms; doubled on each further one, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

export interface BackfillOptions extends BackfillFilters {
  /** Plan and count, send nothing. */
  dryRun: boolean;
  /** Resources of a page planned at once (a guest order's plan reads commercetools). */
  concurrency: number;
  /** Token bucket toward Segment: events per second (bursts of a tenth of a second's worth). */
  eventsPerSecond: number;
  /** Page size, at most 500 (the default). */
  pageSize?: number;
  /**
   * Write a checkpoint here after every page. When it exists: retry the resources it lists as
   * failed, then continue after its last page, unless it is of a completed backfill.
   */
  checkpointFile?: string;
  /** Stop (as interrupted) after this many pages in this run. */
  maxPages?: number;
  /**
   * Retry the resources the checkpoint lists as failed, and do nothing else: an unfinished backfill
   * is not continued. (Resuming a completed backfill does only that anyway.)
   */
  retryFailedOnly?: boolean;
  /** Count the resources first (one `withTotal` query per type), for an ETA. */
  countTotals?: boolean;
  retry?: RetryPolicy;
}

export interface BackfillDependencies {
  api: ByProjectKeyRequestBuilder;
  commercetools: CommercetoolsReader;
  segment: Pick<SegmentSink, 'send'>;
  mapping: MappingOptions;
  /** Where products' categories are read; none when PRODUCT_CATEGORIES is off. */
  catalog?: ProductCatalog;
  events: EventSettings;
  /** Where the run's counts go (`connector.backfill.resources`, by shard); records nothing by default. */
  metrics?: Metrics;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => sleep(ms),
};

/** Where a run stands; sent to the output after every resource. Counts include earlier runs of a resumed backfill. */
export interface BackfillProgress {
  type: 'progress';
  phase: BackfillResourceType;
  customers: { processed: number; total?: number };
  businessUnits: { processed: number; total?: number };
  orders: { processed: number; total?: number };
  /** Resources whose events Segment accepted (in a dry run: would have been sent). */
  sent: number;
  events: number;
  skipped: number;
  failed: number;
  /** Events of this run per second since it started. */
  eventsPerSecond: number;
  elapsedSeconds: number;
}

export type BackfillNotice = { type: 'notice'; message: string } & (
  | { kind: 'resume'; resourceType: BackfillResourceType; lastId: string | null; processed: number }
  | { kind: 'disabled'; resourceType: BackfillResourceType }
  | { kind: 'retry'; what: string; attempt: number; delayMs: number; reason: string }
  | { kind: 'count-failed'; resourceType: BackfillResourceType; reason: string }
  | { kind: 'retrying-failures'; count: number }
  /** Sent by the CLI: a stop was requested (Ctrl-C, SIGTERM). */
  | { kind: 'stopping'; signal: string }
);

export interface BackfillOutput {
  progress(progress: BackfillProgress): void;
  notice(notice: BackfillNotice): void;
}

export interface BackfillRuntime {
  output: BackfillOutput;
  clock: Clock;
  /** For the jitter of retries; Math.random by default. */
  random?: () => number;
  /** Stops the run after the page in progress (which is completed and checkpointed). */
  signal?: AbortSignal;
}

export interface ResourceCounts {
  /** Read and done with: sent, skipped or failed. */
  processed: number;
  /** Resources whose events Segment accepted (in a dry run: would have been sent). */
  sent: number;
  events: number;
  /** By reason: no-identity, invalid-consent, disabled. */
  skipped: Record<string, number>;
  /** By reason, after the retries. */
  failed: Record<string, number>;
}

export interface FailedResource {
  resourceType: BackfillResourceType;
  id: string;
  reason: string;
}

export interface BackfillSummary {
  /** completed: every page; interrupted: stopped on request (resumable); aborted: a page could not be read. */
  status: 'completed' | 'interrupted' | 'aborted';
  /** The shard this run covered (K/N), when it was one. */
  shard?: string;
  dryRun: boolean;
  resourceTypes: BackfillResourceType[];
  /** The whole backfill: earlier runs of a resumed one included. */
  counts: Record<BackfillResourceType, ResourceCounts>;
  /** This run only. */
  run: {
    resources: number;
    events: number;
    pages: number;
    /** Retried commercetools reads and sends to Segment. */
    retries: number;
    durationSeconds: number;
    eventsPerSecond: number;
    resourcesPerSecond: number;
  };
  /** Types whose events are all switched off in the configuration: not read at all. */
  disabled: BackfillResourceType[];
  /** Every resource that failed (ids, never personal data), earlier runs included; retried on resume. */
  failures: FailedResource[];
  /** Where this run started, when it resumed a checkpoint. */
  resumedFrom?: { resourceType: BackfillResourceType; lastId: string | null };
  /** The last completed page: what a resume continues after. */
  position: { resourceType: BackfillResourceType; lastId: string | null };
  /** Why the run was aborted. */
  error?: string;
}

/** The checkpoint cannot be used (other filters, unreadable): nothing was done. */
export class BackfillCheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackfillCheckpointError';
  }
}
