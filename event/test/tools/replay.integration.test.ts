import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import request from 'supertest';
import {
  formatReplaySummary,
  replayExitCode,
  replayNotifications,
  requestBodyOf,
  type ReplayOptions,
} from '../../src/tools/replay';
import customerFull from '../fixtures/customers/customer-full.json';
import guestOrder from '../fixtures/orders/order-guest.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import cloudEvent from '../fixtures/transport/cloudevent-order-created.json';
import { runCli } from '../support/cli';
import { seedOrders, useHarness } from '../support/harness';
import { changeNotification, pubSubEnvelope } from '../support/notifications';

/**
 * test/fixtures/notifications/mixed.jsonl, line by line:
 *  1 notification      order ResourceCreated, registered customer   → delivered (1 event)
 *  2 Pub/Sub push      customer ResourceCreated                     → delivered (identify + Signed Up)
 *  3 Pub/Sub message   order ResourceCreated, guest (dead-letter)   → delivered (guest identify + Order Completed)
 *  4 not JSON (truncated)                                           → invalid
 *  5 notification      order ResourceCreated, order does not exist  → skipped not-found
 *  6 Pub/Sub message   data is JSON but no notification             → failed, 400
 *  7 Pub/Sub push      product ResourceCreated                      → skipped unhandled-type
 */
const MIXED = resolve(__dirname, '../fixtures/notifications/mixed.jsonl');
const mixedLines = () => readFileSync(MIXED, 'utf8').split('\n');

// No retries inside the sink: a Segment failure reaches the replay at once.
const harness = useHarness({ segmentLimits: { maxRetries: 0 } }, async (h) => {
  await seedOrders(h, taxExcludedOrder, guestOrder);
  await h.seed('customer', customerFull);
});

const replay = (
  lines: Iterable<string>,
  options: ReplayOptions = {},
  sleep: (ms: number) => Promise<void> = async () => undefined,
) => replayNotifications(lines, { pipeline: harness.pipeline, sleep }, { retryDelayMs: 1, ...options });

const acceptedIds = () => harness.segment.events().map((event) => event.messageId);

describe('line formats', () => {
  const data = Buffer.from(JSON.stringify(changeNotification('ResourceCreated', 'order', 'o-1'))).toString('base64');

  it('posts notifications, CloudEvents and push bodies as they are, and wraps bare Pub/Sub messages', () => {
    const notification = changeNotification('ResourceCreated', 'order', 'o-1');
    expect(requestBodyOf(notification)).toEqual({ format: 'notification', body: notification });
    expect(requestBodyOf(cloudEvent)).toEqual({ format: 'cloudevent', body: cloudEvent });
    const push = pubSubEnvelope(notification);
    expect(requestBodyOf(push)).toEqual({ format: 'pubsub-push', body: push });
    // `gcloud pubsub subscriptions pull --format=json` items carry an ackId beside the message.
    expect(requestBodyOf({ ackId: 'a', message: push.message }).format).toBe('pubsub-push');
    const exported = { data, attributes: { CloudPubSubDeadLetterSourceDeliveryCount: '5' }, messageId: '42' };
    expect(requestBodyOf(exported)).toEqual({ format: 'pubsub-message', body: { message: exported } });
  });
});

describe('replaying a file', () => {
  it('counts every outcome of a file mixing the three formats and an invalid line, and delivers to Segment', async () => {
    const summary = await replay(mixedLines(), { concurrency: 3 });
    expect(summary).toEqual({
      dryRun: false,
      lines: 7,
      formats: { notification: 2, cloudevent: 0, 'pubsub-push': 2, 'pubsub-message': 2 },
      delivered: { notifications: 3, events: 5 },
      deletionsRequested: 0,
      skipped: { 'not-found': 1, 'unhandled-type': 1 },
      wouldHandle: {},
      failed: 1,
      invalid: 1,
      failures: [
        {
          line: 6,
          status: 400,
          error: 'bad-request',
          message: expect.stringMatching(/^not a commercetools notification/),
          attempts: 1,
        },
      ],
      invalidLines: [{ line: 4, message: 'not valid JSON' }],
    });
    expect(replayExitCode(summary)).toBe(1);

    const events = harness.segment
      .events()
      .map(({ type, event, userId, anonymousId }) => ({ type, event, who: userId ?? anonymousId }));
    expect(events).toHaveLength(5);
    expect(events).toEqual(
      expect.arrayContaining([
        { type: 'track', event: 'Order Completed', who: taxExcludedOrder.customerId },
        { type: 'identify', who: customerFull.id },
        { type: 'track', event: 'Signed Up', who: customerFull.id },
        { type: 'identify', who: guestOrder.anonymousId },
        { type: 'track', event: 'Order Completed', who: guestOrder.anonymousId },
      ]),
    );
  });

  it('sends the same messageIds when replayed again, and the same as a live delivery', async () => {
    await replay(mixedLines());
    const first = acceptedIds().sort();
    harness.segment.reset();
    await replay(mixedLines(), { concurrency: 4 });
    expect(acceptedIds().sort()).toEqual(first);

    // The guest order of line 3, pushed live by Pub/Sub: the very messageIds the replay sent.
    harness.segment.reset();
    await request(harness.app)
      .post('/')
      .send(pubSubEnvelope(changeNotification('ResourceCreated', 'order', guestOrder.id)))
      .expect(200);
    expect(acceptedIds()).toHaveLength(2);
    expect(first).toEqual(expect.arrayContaining(acceptedIds()));
  });

  it('ignores blank lines and reads a byte-order mark as nothing', async () => {
    const [first, second] = mixedLines();
    const summary = await replay([`\uFEFF${first}`, '', '   ', `${second}\r`]);
    expect(summary).toMatchObject({ lines: 2, delivered: { notifications: 2, events: 3 }, failed: 0, invalid: 0 });
    expect(replayExitCode(summary)).toBe(0);
  });
});

describe('when Segment fails', () => {
  it('retries 5xx answers, then reports each line as failed with its line number, and exits non-zero', async () => {
    harness.segment.behave({ kind: 'status', status: 500 });
    const summary = await replay(mixedLines(), { retries: 2 });
    expect(summary.delivered).toEqual({ notifications: 0, events: 0 });
    expect(summary.failed).toBe(4);
    expect(summary.failures.map(({ line, status, error, attempts }) => ({ line, status, error, attempts }))).toEqual([
      { line: 1, status: 503, error: 'upstream-unavailable', attempts: 3 },
      { line: 2, status: 503, error: 'upstream-unavailable', attempts: 3 },
      { line: 3, status: 503, error: 'upstream-unavailable', attempts: 3 },
      { line: 6, status: 400, error: 'bad-request', attempts: 1 },
    ]);
    expect(summary.failures[0]?.message).toMatch(/Segment did not accept the event/);
    expect(replayExitCode(summary)).toBe(1);
    expect(harness.segment.events()).toHaveLength(0);
    // Each of the 5 events was offered once per attempt (concurrent lines may share a batch request).
    const offered = harness.segment.received.flatMap((batch) => batch.events.map((event) => event.messageId));
    const times = new Map<string, number>();
    for (const id of offered) times.set(id, (times.get(id) ?? 0) + 1);
    expect([...times.values()]).toEqual([3, 3, 3, 3, 3]);
  });

  it('delivers a line whose retry succeeds, with the messageIds first refused', async () => {
    harness.segment.behave({ kind: 'status', status: 503 });
    const waits: number[] = [];
    const summary = await replay(mixedLines().slice(0, 1), { retries: 3, retryDelayMs: 250 }, async (ms) => {
      waits.push(ms);
      harness.segment.behave({ kind: 'accept' });
    });
    expect(summary).toMatchObject({ delivered: { notifications: 1, events: 1 }, failed: 0 });
    expect(waits).toEqual([250]);
    const [refused, accepted] = harness.segment.received;
    expect(accepted?.events.map((event) => event.messageId)).toEqual(refused?.events.map((event) => event.messageId));
  });

  it('waits twice as long before each further retry', async () => {
    harness.segment.behave({ kind: 'status', status: 500 });
    const waits: number[] = [];
    await replay(mixedLines().slice(0, 1), { retries: 3, retryDelayMs: 500 }, async (ms) => void waits.push(ms));
    expect(waits).toEqual([500, 1000, 2000]);
  });
});

describe('--dry-run', () => {
  it('decodes and routes every line, reports what would be handled, and sends nothing', async () => {
    const summary = await replay(mixedLines(), { dryRun: true });
    expect(summary).toMatchObject({
      dryRun: true,
      lines: 7,
      delivered: { notifications: 0, events: 0 },
      wouldHandle: { 'order/ResourceCreated': 3, 'customer/ResourceCreated': 1 },
      skipped: { 'unhandled-type': 1 },
      failed: 1,
      invalid: 1,
    });
    expect(summary.failures).toEqual([expect.objectContaining({ line: 6, status: 400, error: 'bad-request' })]);
    expect(harness.segment.received).toHaveLength(0);
    expect(formatReplaySummary(summary, 'mixed.jsonl')).toMatch(
      /would handle {2}4 \(order\/ResourceCreated 3, customer\/ResourceCreated 1\)[^]*nothing was sent \(dry run\)/,
    );
  });

  it('skips notifications of another project, as the app would', async () => {
    const other = {
      ...changeNotification('ResourceCreated', 'order', taxExcludedOrder.id),
      projectKey: 'another-project',
    };
    const summary = await replay([JSON.stringify(other)], { dryRun: true });
    expect(summary.skipped).toEqual({ 'other-project': 1 });
  });
});

describe('the summary', () => {
  it('names counts, reasons and every failing line', async () => {
    const summary = await replay(mixedLines());
    const text = formatReplaySummary(summary, 'mixed.jsonl');
    expect(text).toBe(
      [
        'replayed mixed.jsonl: 7 lines (notification 2, pubsub-push 2, pubsub-message 2)',
        '  delivered     3 notifications (5 events)',
        '  skipped       2 (not-found 1, unhandled-type 1)',
        '  failed        1',
        `    line 6: HTTP 400 bad-request: ${summary.failures[0]?.message}`,
        '  invalid       1',
        '    line 4: not valid JSON',
        '',
      ].join('\n'),
    );
  });
});

describe('the command line', () => {
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'replay-test-'));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  const environment = () => harness.environment;

  const run = (args: string[], env: Record<string, string>) => runCli('replay', args, { cwd: workDir, env });

  it('replays the file through the connector, prints the summary, and exits 1 when a line failed', async () => {
    const result = await run([MIXED, '--concurrency', '2'], environment());
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^replayed .*mixed\.jsonl: 7 lines/);
    expect(result.stdout).toMatch(/delivered {5}3 notifications \(5 events\)/);
    expect(harness.segment.events()).toHaveLength(5);
  });

  it('exits 0 when every line was delivered or skipped', async () => {
    const dryRun = await run([MIXED, '--dry-run'], environment());
    expect(dryRun.code).toBe(1); // lines 4 and 6 would fail in a real replay too
    expect(dryRun.stdout).toMatch(/nothing was sent \(dry run\)\n$/);
    const clean = join(workDir, 'clean.jsonl');
    await writeFile(clean, `${mixedLines().slice(0, 3).join('\n')}\n`);
    const ok = await run([clean], environment());
    expect(ok).toMatchObject({ code: 0, stderr: '' });
  });

  it('exits 2 on a configuration or usage error', async () => {
    const { SEGMENT_WRITE_KEY: _key, ...incomplete } = environment();
    const config = await run([MIXED], incomplete);
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/SEGMENT_WRITE_KEY is required/);
    const usage = await run([MIXED, '--concurrency', 'many'], environment());
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--concurrency must be a whole number/);
    expect(harness.segment.received).toHaveLength(0);
  });
});
