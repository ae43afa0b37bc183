import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { parseBackfillArgs, UsageError } from '../../src/cli/backfill';
import { inShard, parseShard, shardFromEnvironment, shardRange } from '../../src/tools/backfill/shards';

describe('shards of the id space', () => {
  it('put every id in exactly one of N shards', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.integer({ min: 1, max: 64 }), (id, count) => {
        const owners = Array.from({ length: count }, (_, index) => index).filter((index) =>
          inShard(id, { index, count }),
        );
        return owners.length === 1;
      }),
      { numRuns: 500 },
    );
  });

  it('cut the space into ranges that meet end to end, the first and last open', () => {
    const count = 5;
    const ranges = Array.from({ length: count }, (_, index) => shardRange({ index, count }));
    expect(ranges[0]?.from).toBeUndefined();
    expect(ranges[count - 1]?.to).toBeUndefined();
    for (let index = 1; index < count; index += 1) expect(ranges[index]?.from).toBe(ranges[index - 1]?.to);
    expect(shardRange({ index: 1, count: 2 })).toEqual({ from: '80000000-0000-0000-0000-000000000000' });
    expect(shardRange({ index: 0, count: 1 })).toEqual({});
  });

  it('are about equal for random UUIDs', () => {
    const count = 8;
    const sizes = Array<number>(count).fill(0);
    for (let n = 0; n < 16_000; n += 1) {
      const id = randomUUID();
      const index = sizes.findIndex((_, shard) => inShard(id, { index: shard, count }));
      sizes[index] = (sizes[index] ?? 0) + 1;
    }
    // 2,000 expected each; 10 % is over six standard deviations.
    for (const size of sizes) expect(Math.abs(size - 2_000)).toBeLessThan(200);
  });

  it('are given as K/N, or by the job runner’s task index', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    for (const wrong of ['8/8', '-1/8', '1', 'a/b', '0/0']) expect(() => parseShard(wrong)).toThrow();
    expect(shardFromEnvironment({ CLOUD_RUN_TASK_INDEX: '3', CLOUD_RUN_TASK_COUNT: '10' })).toEqual({
      index: 3,
      count: 10,
    });
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '4', BACKFILL_SHARDS: '6' })).toEqual({ index: 4, count: 6 });
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '4' }, 5)).toEqual({ index: 4, count: 5 });
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '4' })).toThrow(/--shards N or BACKFILL_SHARDS/);
    // A job of one task is the whole space.
    expect(shardFromEnvironment({ CLOUD_RUN_TASK_INDEX: '0', CLOUD_RUN_TASK_COUNT: '1' })).toBeUndefined();
    expect(shardFromEnvironment({})).toBeUndefined();
  });

  it('select the same shard from the command line and from the task index', () => {
    const byFlag = parseBackfillArgs(['--shard', '1/3', '--resume', 'backfill-{shard}.json']);
    const byCloudRun = parseBackfillArgs(['--resume', 'backfill-{shard}.json'], {
      CLOUD_RUN_TASK_INDEX: '1',
      CLOUD_RUN_TASK_COUNT: '3',
    });
    const byKubernetes = parseBackfillArgs(['--shards', '3', '--resume', 'backfill-{shard}.json'], {
      JOB_COMPLETION_INDEX: '1',
    });
    for (const command of [byFlag, byCloudRun, byKubernetes]) {
      expect(command).toMatchObject({
        options: { shard: { index: 1, count: 3 }, checkpointFile: 'backfill-1-of-3.json' },
      });
    }
    expect(() => parseBackfillArgs(['--shard', '1/3', '--resume', 'backfill.json'])).toThrow(UsageError);
    expect(() => parseBackfillArgs(['--shard', '1/3', '--shards', '3'])).toThrow(UsageError);
    expect(() => parseBackfillArgs(['--retry-failed'])).toThrow(/needs --resume/);
  });
});
