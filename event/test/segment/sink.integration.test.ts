import {
  createSegmentSink,
  DEFAULT_SEGMENT_LIMITS,
  SegmentRejection,
  type SegmentSinkLimits,
} from '../../src/segment/sink';
import type { IdentifyCall, SegmentCall } from '../../src/segment/calls';
import { ANALYTICS_NODE_ADDITION_BYTES, jsonBytes, SEGMENT_MAX_REQUEST_BYTES } from '../../src/segment/limits';
import { ConnectorError } from '../../src/errors';
import { startSegmentCapture, type SegmentCapture } from '../../src/dev/segment-capture';

/** The sink on its own against the Segment stand-in: what Segment receives, and that every wait ends. */
let segment: SegmentCapture;
beforeAll(async () => {
  segment = await startSegmentCapture();
});
afterAll(() => segment.close());
beforeEach(() => segment.reset());

const LIMITS: SegmentSinkLimits = {
  ...DEFAULT_SEGMENT_LIMITS,
  httpRequestTimeoutMs: 1_000,
  maxRetries: 0,
  maxTotalBackoffSeconds: 1,
};
const sinkWith = (limits: Partial<SegmentSinkLimits> = {}) =>
  createSegmentSink({ writeKey: 'sink-test-key', host: segment.url }, { limits: { ...LIMITS, ...limits } });

let sequence = 0;
const identify = (traits: Record<string, unknown> = {}, extra: Partial<IdentifyCall> = {}): IdentifyCall => {
  sequence += 1;
  return {
    type: 'identify',
    messageId: `ct-identify-${String(sequence).padStart(32, '0')}`,
    userId: `user-${sequence}`,
    timestamp: '2026-11-23T10:00:00.000Z',
    traits: { email: `user${sequence}@example.com`, ...traits },
    ...extra,
  };
};

async function failureOf(work: Promise<void>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

it('measures within what analytics-node adds: the event as received is at most the allowance larger', async () => {
  const sink = sinkWith();
  const call = identify(
    { company: { name: 'Ünïcødé GmbH' } },
    { context: { consent: { categoryPreferences: { Analytics: true } } } },
  );
  await sink.send([call]);
  await sink.close(1_000);
  const [received] = segment.events();
  const added = jsonBytes(received) - jsonBytes(call);
  expect(added).toBeGreaterThan(0);
  expect(added).toBeLessThanOrEqual(ANALYTICS_NODE_ADDITION_BYTES);
});

it('splits a batch analytics-node sized by its own count into requests Segment accepts', async () => {
  // 20 KB of ASCII each: analytics-node counts such text as nearly nothing, so all 100 share one batch.
  const sink = sinkWith({ flushAt: 100 });
  const calls = Array.from({ length: 100 }, () => identify({ notes: 'x'.repeat(20_000) }));
  await sink.send(calls);
  await sink.close(1_000);
  expect(segment.received.length).toBeGreaterThan(4);
  for (const received of segment.received) expect(received.bytes).toBeLessThanOrEqual(SEGMENT_MAX_REQUEST_BYTES);
  expect(segment.received).toHaveLength(segment.accepted.length);
  expect(new Set(segment.events().map((event) => event.messageId))).toEqual(
    new Set(calls.map((call) => call.messageId)),
  );
});

it('rejects, without waiting, a call analytics-node refuses to build (no user id nor anonymous id)', async () => {
  const sink = sinkWith();
  const nobody = { ...identify(), userId: undefined } as unknown as SegmentCall;
  const error = await failureOf(sink.send([nobody]));
  await sink.close(1_000);
  expect(error).toBeInstanceOf(SegmentRejection);
  expect((error as SegmentRejection).messageIds).toEqual([nobody.messageId]);
  expect(segment.received).toHaveLength(0);
});

it('refuses a send after close at once, as a transient failure', async () => {
  const sink = sinkWith();
  await sink.close(1_000);
  const error = await failureOf(sink.send([identify()]));
  expect(error).toBeInstanceOf(ConnectorError);
  expect((error as ConnectorError).kind).toBe('upstream-unavailable');
});

it('ends the wait of a send without a signal when Segment never answers', async () => {
  segment.behave({ kind: 'hang' });
  const sink = sinkWith({ httpRequestTimeoutMs: 60_000, maxWaitMs: 300 });
  const error = await failureOf(sink.send([identify()]));
  expect((error as ConnectorError).kind).toBe('upstream-unavailable');
  expect((error as ConnectorError).publicMessage).toContain('in time');
  await sink.close(200).catch(() => undefined);
});

it('rejects an event that cannot be brought under 32 KB, and still sends the notification’s other calls', async () => {
  const sink = sinkWith();
  const fine = identify();
  // Essential traits are never dropped: a 40 KB email cannot be made to fit.
  const hopeless = identify({ email: `${'e'.repeat(40_000)}@example.com` });
  const error = await failureOf(sink.send([fine, hopeless]));
  await sink.close(1_000);
  expect(error).toBeInstanceOf(SegmentRejection);
  expect((error as SegmentRejection).messageIds).toEqual([hopeless.messageId]);
  expect(segment.events().map((event) => event.messageId)).toEqual([fine.messageId]);
});
