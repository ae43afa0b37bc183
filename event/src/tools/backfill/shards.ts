/**
 * Shards: disjoint parts of the id space, so N processes (a Cloud Run Job's tasks, a Kubernetes
 * Indexed Job's pods) backfill one project together. commercetools ids are UUIDs, spread evenly
 * over 128 bits and compared as text; lower-case hex UUIDs sort as their numbers do, so the K-th of
 * N equal ranges of the number is a range of ids a predicate can select.
 */

/** The K-th (0 ≤ K < N) of N parts. */
export interface Shard {
  index: number;
  count: number;
}

export const MAX_SHARDS = 4_096;

const SPACE = 1n << 128n;

function uuidOf(value: bigint): string {
  const hex = value.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The shard's ids: `from` ≤ id < `to`; the first shard has no lower bound, the last no upper one. */
export function shardRange(shard: Shard): { from?: string; to?: string } {
  const bound = (k: number) => uuidOf((BigInt(k) * SPACE) / BigInt(shard.count));
  return {
    ...(shard.index > 0 ? { from: bound(shard.index) } : {}),
    ...(shard.index < shard.count - 1 ? { to: bound(shard.index + 1) } : {}),
  };
}

/** Whether an id falls in the shard (the same comparison commercetools makes). */
export function inShard(id: string, shard: Shard): boolean {
  const { from, to } = shardRange(shard);
  const key = id.toLowerCase();
  return (from === undefined || key >= from) && (to === undefined || key < to);
}

export const describeShard = (shard: Shard) => `${shard.index}/${shard.count}`;

export class ShardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardError';
  }
}

function shardOf(index: number, count: number, what: string): Shard {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS) {
    throw new ShardError(`${what}: the number of shards must be a whole number from 1 to ${MAX_SHARDS}`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new ShardError(`${what}: the shard index must be a whole number from 0 to ${count - 1}`);
  }
  return { index, count };
}

const wholeNumber = (text: string | undefined) =>
  text !== undefined && /^\d+$/.test(text.trim()) ? Number(text) : NaN;

/** `K/N`, as `--shard` takes it. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new ShardError('--shard must look like K/N, e.g. 0/8');
  return shardOf(Number(match[1]), Number(match[2]), '--shard');
}

/**
 * The shard a job runner assigns: Cloud Run Jobs (CLOUD_RUN_TASK_INDEX of CLOUD_RUN_TASK_COUNT)
 * or Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX, with the count from `--shards N` or
 * BACKFILL_SHARDS). Undefined outside a job runner, or for a job of one task.
 */
export function shardFromEnvironment(environment: NodeJS.ProcessEnv, shards?: number): Shard | undefined {
  const cloudRunIndex = environment.CLOUD_RUN_TASK_INDEX;
  if (cloudRunIndex !== undefined && cloudRunIndex.trim() !== '') {
    const count = shards ?? wholeNumber(environment.CLOUD_RUN_TASK_COUNT);
    const shard = shardOf(wholeNumber(cloudRunIndex), count, 'CLOUD_RUN_TASK_INDEX / CLOUD_RUN_TASK_COUNT');
    return shard.count > 1 ? shard : undefined;
  }
  const kubernetesIndex = environment.JOB_COMPLETION_INDEX;
  if (kubernetesIndex !== undefined && kubernetesIndex.trim() !== '') {
    const count = shards ?? wholeNumber(environment.BACKFILL_SHARDS);
    if (Number.isNaN(count)) {
      throw new ShardError('JOB_COMPLETION_INDEX is set: give the number of shards with --shards N or BACKFILL_SHARDS');
    }
    const shard = shardOf(wholeNumber(kubernetesIndex), count, 'JOB_COMPLETION_INDEX');
    return shard.count > 1 ? shard : undefined;
  }
  return undefined;
}
