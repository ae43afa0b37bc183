import { startSegmentCapture, type SegmentBehaviour } from '../../src/dev/segment-capture';
import type { IdentifyCall, SegmentCall, TrackCall } from '../../src/segment/calls';
import { createSegmentSink, DEFAULT_SEGMENT_LIMITS, SegmentRejection, type SegmentSink } from '../../src/segment/sink';
import { rejectionOf } from './errors';
import { createInMemorySegment, type InMemorySegmentBehaviour } from './in-memory-segment';

/**
 * The in-memory Segment settles calls as Segment does: the same sends, made through the real sink
 * to the capturing Segment server and through the in-memory sink, end the same way.
 */

type Answer = InMemorySegmentBehaviour['kind'];

/** A Segment the sink sends to, and how a test makes it answer. */
interface World {
  sink: SegmentSink;
  /** The messageIds Segment accepted, in order. */
  accepted(): string[];
  answer(answer: Answer): void;
  refuse(messageId: string): void;
  close(): Promise<void>;
}

const CAPTURE_ANSWERS: Record<Answer, SegmentBehaviour> = {
  accept: { kind: 'accept' },
  refuse: { kind: 'status', status: 400, body: '{"message":"invalid event"}' },
  fail: { kind: 'status', status: 500 },
  hang: { kind: 'hang' },
};

async function overHttp(): Promise<World> {
  const capture = await startSegmentCapture();
  const sink = createSegmentSink(
    { writeKey: 'in-memory-test', host: capture.url },
    { limits: { ...DEFAULT_SEGMENT_LIMITS, httpRequestTimeoutMs: 500, maxRetries: 0, maxTotalBackoffSeconds: 1 } },
  );
  return {
    sink,
    accepted: () => capture.events().map((event) => event.messageId),
    answer: (answer) => capture.behave(CAPTURE_ANSWERS[answer]),
    refuse: (messageId) => capture.refuseEvents((event) => event.messageId === messageId),
    async close() {
      await sink.close(500).catch(() => undefined);
      await capture.close();
    },
  };
}

async function inMemory(): Promise<World> {
  const segment = createInMemorySegment({ writeKey: 'in-memory-test' });
  return {
    sink: segment.sink,
    accepted: () => segment.accepted().map((call) => call.messageId),
    answer: (answer) => segment.behave({ kind: answer }),
    refuse: (messageId) => segment.refuseCalls((call) => call.messageId === messageId),
    close: () => segment.sink.close(),
  };
}

let sequence = 0;
const identify = (traits: Record<string, unknown> = {}): IdentifyCall => ({
  type: 'identify',
  messageId: `in-memory-identify-${(sequence += 1)}`,
  userId: 'c0c0c0c0-0000-4000-8000-000000000001',
  timestamp: '2026-11-23T10:00:00.000Z',
  traits: { email: 'jane.doe@example.com', ...traits },
});
/** An Order Completed with `products` products of about 300 bytes each. */
const orderCompleted = (products: number): TrackCall => ({
  type: 'track',
  messageId: `in-memory-track-${(sequence += 1)}`,
  userId: 'c0c0c0c0-0000-4000-8000-000000000001',
  timestamp: '2026-11-23T10:00:00.000Z',
  event: 'Order Completed',
  properties: {
    order_id: 'c0c0c0c0-0000-4000-8000-0000000000aa',
    total: 10,
    products: Array.from({ length: products }, (_, n) => ({
      product_id: `product-${n}`,
      sku: `SKU-${n}`,
      name: 'A product with a name long enough',
      image_url: `https://images.example.com/catalogue/products/${n}/large.jpg`,
      category: 'Shoes',
      brand: 'Brand',
      price: 1,
      quantity: 1,
    })),
  },
});
const ids = (calls: SegmentCall[]) => calls.map((call) => call.messageId);

describe.each([
  ['the real sink and the capturing Segment server', overHttp],
  ['the in-memory Segment', inMemory],
])('%s', (_name, start) => {
  let world: World;
  beforeEach(async () => {
    world = await start();
  });
  afterEach(() => world.close());

  it('accepts calls, and a call over 32 KB once the sink shortened it', async () => {
    const calls = [identify(), orderCompleted(300)];
    await world.sink.send(calls);
    expect(world.accepted()).toEqual(ids(calls));
  });

  it('refuses, unsent, a call that cannot be brought under 32 KB, and accepts the others', async () => {
    const fits = identify();
    const tooLarge = identify({ firstName: 'x'.repeat(40_000) });
    const error = await world.sink.send([fits, tooLarge]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SegmentRejection);
    expect((error as SegmentRejection).messageIds).toEqual([tooLarge.messageId]);
    expect(world.accepted()).toEqual([fits.messageId]);
  });

  it('rejects every call of a send Segment refuses for good', async () => {
    world.answer('refuse');
    const calls = [identify(), identify()];
    const error = await world.sink.send(calls).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SegmentRejection);
    expect((error as SegmentRejection).messageIds).toEqual(ids(calls));
  });

  it('rejects every call of a send with one call Segment refuses: Segment refuses the whole request', async () => {
    const calls = [identify(), identify()];
    world.refuse(calls[1]?.messageId as string);
    const error = await world.sink.send(calls).catch((e: unknown) => e);
    expect((error as SegmentRejection).messageIds).toEqual(ids(calls));
    expect(world.accepted()).toEqual([]);
  });

  it('fails a send Segment fails, as upstream-unavailable', async () => {
    world.answer('fail');
    expect(await rejectionOf(world.sink.send([identify()]))).toMatchObject({ kind: 'upstream-unavailable' });
  });

  it('fails a send Segment does not answer before the signal aborts, as upstream-unavailable', async () => {
    world.answer('hang');
    const error = await rejectionOf(world.sink.send([identify()], AbortSignal.timeout(200)));
    expect(error).toMatchObject({ kind: 'upstream-unavailable' });
  });
});

describe('the in-memory Segment', () => {
  it('sends a call to the source of each store it names that has one, else to the default source', async () => {
    const segment = createInMemorySegment({ writeKey: 'default', writeKeysByStore: { eu: 'eu-key', us: 'us-key' } });
    const eu = { ...identify(), stores: ['eu'] };
    const both = { ...identify(), stores: ['eu', 'us'] };
    const unmapped = { ...identify(), stores: ['asia'] };
    await segment.sink.send([eu, both, unmapped]);
    expect(ids(segment.accepted('eu-key'))).toEqual([eu.messageId, both.messageId]);
    expect(ids(segment.accepted('us-key'))).toEqual([both.messageId]);
    expect(ids(segment.accepted('default'))).toEqual([unmapped.messageId]);
    expect(segment.sends).toBe(1);
  });

  it('records each call as Segment receives it: shortened to fit, without the stores it was routed by', async () => {
    const segment = createInMemorySegment({ writeKey: 'default' });
    await segment.sink.send([{ ...orderCompleted(300), stores: ['eu'] }]);
    const [received] = segment.accepted();
    expect(received).not.toHaveProperty('stores');
    expect((received as TrackCall).properties).toMatchObject({ products_truncated: true, products_count: 300 });
  });

  it('sends nothing once closed', async () => {
    const segment = createInMemorySegment({ writeKey: 'default' });
    await segment.sink.close();
    expect(await rejectionOf(segment.sink.send([identify()]))).toMatchObject({
      kind: 'upstream-unavailable',
      publicMessage: 'Segment delivery was not attempted: shutting down',
    });
    expect(segment.settled).toEqual([]);
  });
});
