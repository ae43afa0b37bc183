import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inShard } from '../../src/tools/backfill/shards';
import type { Fault } from '../support/fault-proxy';
import type { SeededResource } from '../support/backfill-data';
import { startBackfillStandIns, type BackfillStandIns } from '../support/backfill-stand-ins';
import { runCli, type CliRun } from '../support/cli';

/**
 * A backfill task on a job runner (Cloud Run Jobs' --max-retries, a Kubernetes Indexed Job's
 * backoff): the runner reruns a task that exited non-zero with the very same command line. The
 * command line itself runs here, in a process of its own, against the commercetools mock behind a
 * fault proxy and the Segment capture; what Segment received is what is asserted.
 */

jest.setTimeout(120_000);

const PROJECT_KEY = 'backfill-runner-project';
/** Task 1 of 2, as Cloud Run Jobs tells it. */
const SHARD = { index: 1, count: 2 };

let standIns: BackfillStandIns;

beforeAll(async () => {
  standIns = await startBackfillStandIns(PROJECT_KEY, { customers: 20, orders: 80 });
});

afterAll(() => standIns.close());

/** The task's command, as the job runner starts it each time. */
function runTask(): Promise<CliRun> {
  const env = {
    ...standIns.environment(),
    CLOUD_RUN_TASK_INDEX: String(SHARD.index),
    CLOUD_RUN_TASK_COUNT: String(SHARD.count),
  };
  const args = ['--orders', '--page-size', '10', '--resume', join(standIns.workDir, 'orders-{shard}.json')];
  return runCli('backfill', args, { cwd: standIns.workDir, env });
}

const refusal = (status: number): Fault => ({
  kind: 'status',
  status,
  body: JSON.stringify({
    statusCode: status,
    message: 'injected',
    errors: [{ code: 'InvalidInput', message: 'injected' }],
  }),
});

const messageIdsOf = (resources: SeededResource[]) =>
  resources.flatMap((resource) => ('messageIds' in resource.expected ? resource.expected.messageIds : []));
const sorted = (ids: string[]) => [...ids].sort();
const received = () => sorted(standIns.segment.events().map((event) => event.messageId));
const lines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

interface CheckpointFile {
  done: boolean;
  failures: { id: string; reason: string }[];
}

test('a task that ended with failures, rerun with the same --resume, retries exactly those and exits 0', async () => {
  const orders = standIns.data.orders.filter((order) => inShard(order.id, SHARD));
  const sending = orders.filter((order) => 'messageIds' in order.expected);
  // Segment refuses the events of a few orders…
  const refused = new Set(
    sending
      .filter((order) => order.kind !== 'guest')
      .filter((_, n) => n % 5 === 0)
      .map((order) => order.id),
  );
  standIns.segment.refuseEvents((event) => refused.has(String(event.properties?.order_id)));
  // …and commercetools fails the email look-up of one guest: the pages' batched look-up is
  // refused, so each guest looks its own up, and this one is refused too.
  const guest = sending.find((order) => order.kind === 'guest')!;
  standIns.proxy.inject(refusal(400), { path: 'var.emails=' });
  standIns.proxy.inject(refusal(400), {
    path: new RegExp(`var\\.email=${encodeURIComponent(guest.resource.customerEmail as string)}(&|$)`),
  });
  const failing = new Set([...refused, guest.id]);
  expect(refused.size).toBeGreaterThan(1);

  const first = await runTask();
  expect(first.code).toBe(1);
  const file = join(standIns.workDir, `orders-${SHARD.index}-of-${SHARD.count}.json`);
  const afterFirst = JSON.parse(await readFile(file, 'utf8')) as CheckpointFile;
  expect(afterFirst.done).toBe(true);
  expect(new Set(afterFirst.failures.map((failure) => failure.id))).toEqual(failing);
  expect(afterFirst.failures.find((failure) => failure.id === guest.id)?.reason).toBe(
    'commercetools customer look-up failed (HTTP 400)',
  );
  expect(received()).toEqual(sorted(messageIdsOf(sending.filter((order) => !failing.has(order.id)))));

  // The fault is gone; the job runner reruns the task.
  standIns.segment.reset();
  standIns.proxy.clear();
  standIns.proxy.forget();
  const second = await runTask();
  expect({ code: second.code, stderr: second.stderr }).toEqual({ code: 0, stderr: '' });
  expect(received()).toEqual(sorted(messageIdsOf(sending.filter((order) => failing.has(order.id)))));
  expect(lines(second.stdout)).toContainEqual(
    expect.objectContaining({
      kind: 'resume',
      message: expect.stringContaining(`retrying its ${failing.size} failed`),
    }),
  );
  // Only the failed orders were read again, by id: no page.
  expect(standIns.proxy.seen.filter((request) => request.path.includes('sort='))).toEqual([]);
  const summary = lines(second.stdout).find((line) => line.type === 'summary');
  expect(summary).toMatchObject({
    status: 'completed',
    failures: [],
    counts: { order: { processed: orders.length, failed: {} } },
    run: { events: messageIdsOf(sending.filter((order) => failing.has(order.id))).length },
  });
  expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ done: true, failures: [] });

  // Run once more (a runner that reruns a task it lost track of): nothing left, nothing sent.
  standIns.segment.reset();
  standIns.proxy.forget();
  const third = await runTask();
  expect({ code: third.code, stderr: third.stderr }).toEqual({ code: 0, stderr: '' });
  expect(standIns.segment.received).toHaveLength(0);
  expect(standIns.proxy.seen.filter((request) => /\/orders|\/customers/.test(request.path))).toEqual([]);
  expect(lines(third.stdout)).toContainEqual(
    expect.objectContaining({ kind: 'resume', message: expect.stringContaining('nothing to do') }),
  );
});
