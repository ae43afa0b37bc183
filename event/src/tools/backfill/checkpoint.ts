/**
 * The checkpoint file: where a backfill stands, written atomically after every page, and what it
 * is valid for (a resume must use the same project, filters and mode).
 */
import { randomUUID } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { z } from 'zod';
import { describeShard } from './shards';
import { BACKFILL_RESOURCE_TYPES, BackfillCheckpointError, type BackfillOptions } from './types';

const countsSchema = z.object({
  processed: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  skipped: z.record(z.string(), z.number().int().nonnegative()),
  failed: z.record(z.string(), z.number().int().nonnegative()),
});

const resourceTypeSchema = z.enum(BACKFILL_RESOURCE_TYPES);

/** What a checkpoint is valid for: the same project, resource types, filters and mode. */
const checkpointFiltersSchema = z.object({
  projectKey: z.string(),
  resourceTypes: z.array(resourceTypeSchema),
  since: z.string().nullable(),
  until: z.string().nullable(),
  store: z.string().nullable(),
  // Checkpoints from before shards existed covered every id.
  shard: z.string().nullable().default(null),
  dryRun: z.boolean(),
});

const checkpointSchema = z.object({
  version: z.literal(1),
  resourceType: resourceTypeSchema,
  /** The last id of the last completed page of `resourceType`; null before its first page. */
  lastId: z.string().nullable(),
  /** Every page of every type done. */
  done: z.boolean(),
  // Checkpoints from before business units were backfilled have none.
  counts: z.object({
    customer: countsSchema,
    'business-unit': countsSchema.default({ processed: 0, sent: 0, events: 0, skipped: {}, failed: {} }),
    order: countsSchema,
  }),
  failures: z.array(z.object({ resourceType: resourceTypeSchema, id: z.string(), reason: z.string() })),
  startedAt: z.string(),
  updatedAt: z.string(),
  filters: checkpointFiltersSchema,
});

export type Checkpoint = z.infer<typeof checkpointSchema>;
type CheckpointFilters = z.infer<typeof checkpointFiltersSchema>;

export function checkpointFiltersOf(projectKey: string, options: BackfillOptions): CheckpointFilters {
  return {
    projectKey,
    resourceTypes: [...options.resourceTypes],
    since: options.since ?? null,
    until: options.until ?? null,
    store: options.store ?? null,
    shard: options.shard ? describeShard(options.shard) : null,
    dryRun: options.dryRun,
  };
}

export function differences(saved: CheckpointFilters, current: CheckpointFilters): string[] {
  const show = (value: unknown) => (value === null ? 'none' : JSON.stringify(value));
  return (Object.keys(current) as (keyof CheckpointFilters)[])
    .filter((key) => JSON.stringify(saved[key]) !== JSON.stringify(current[key]))
    .map((key) => `${key}: ${show(saved[key])} in the checkpoint, ${show(current[key])} now`);
}

export async function readCheckpoint(file: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BackfillCheckpointError(`cannot read the checkpoint ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BackfillCheckpointError(`${file} is not a backfill checkpoint (not JSON)`);
  }
  const parsed = checkpointSchema.safeParse(json);
  if (!parsed.success)
    throw new BackfillCheckpointError(
      `${file} is not a backfill checkpoint (${parsed.error.issues[0]?.path.join('.') || 'shape'} is invalid)`,
    );
  return parsed.data;
}

/** Write to a temporary file beside it, flush, then rename: a crash leaves the old or the new checkpoint, never half of one. */
export async function writeCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(`${JSON.stringify(checkpoint, null, 2)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * A resume must use the checkpoint's own options. A completed one is usable too: resuming it
 * retries the resources it lists as failed and reads nothing more, so a job runner that reruns a
 * task that ended with failures (with the same command line) finishes the work.
 */
export async function usableCheckpoint(
  options: BackfillOptions,
  filters: ReturnType<typeof checkpointFiltersOf>,
): Promise<Checkpoint | undefined> {
  if (!options.checkpointFile) return undefined;
  const previous = await readCheckpoint(options.checkpointFile);
  if (!previous) return undefined;
  const differing = differences(previous.filters, filters);
  if (differing.length > 0) {
    throw new BackfillCheckpointError(
      `the checkpoint ${options.checkpointFile} was written for another backfill (${differing.join('; ')}). ` +
        'Run with the same options to resume it, or choose another --resume file to start a new backfill.',
    );
  }
  return previous;
}
