import type { HTTPClient, HTTPClientRequest, HTTPResponse } from '@segment/analytics-node';
import fc from 'fast-check';
import { createCoalescingHttpClient, mergedBody } from '../../src/segment/batching';

/** A transport whose answers the test hands out one by one. */
function controllableTransport() {
  const sent: { request: HTTPClientRequest; answer: (response: HTTPResponse) => void; fail: (error: Error) => void }[] =
    [];
  const transport: HTTPClient = {
    makeRequest: (request) =>
      new Promise<HTTPResponse>((resolve, reject) => {
        sent.push({ request, answer: resolve, fail: reject });
      }),
  };
  return { transport, sent };
}

const request = (events: object[], extra: Partial<HTTPClientRequest> = {}): HTTPClientRequest => ({
  url: 'https://api.segment.io/v1/batch',
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Authorization: 'Basic a2V5Og==', ...extra.headers },
  body: JSON.stringify({ batch: events, writeKey: 'key', sentAt: '2026-11-23T10:00:00.000Z' }),
  httpRequestTimeout: 1_000,
  ...(extra.url ? { url: extra.url } : {}),
});

const ok: HTTPResponse = { status: 200, statusText: 'OK' };
const batchOf = (sent: HTTPClientRequest) =>
  (JSON.parse(sent.body) as { batch: { messageId: string }[] }).batch.map((event) => event.messageId);
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('createCoalescingHttpClient', () => {
  it('sends at once while under the in-flight limit', async () => {
    const { transport, sent } = controllableTransport();
    const client = createCoalescingHttpClient(transport, { maxInFlight: 2, maxBatchBytes: 100_000 });
    void client.makeRequest(request([{ messageId: 'a' }]));
    void client.makeRequest(request([{ messageId: 'b' }]));
    await flush();
    expect(sent.map(({ request: sentRequest }) => batchOf(sentRequest))).toEqual([['a'], ['b']]);
  });

  it('merges the batches that wait, in order, into the next request, and answers each with its result', async () => {
    const { transport, sent } = controllableTransport();
    const client = createCoalescingHttpClient(transport, { maxInFlight: 1, maxBatchBytes: 100_000 });
    const first = client.makeRequest(request([{ messageId: 'a' }]));
    const second = client.makeRequest(
      request([{ messageId: 'b1' }, { messageId: 'b2' }], { headers: { 'X-Retry-Count': '1' } }),
    );
    const third = client.makeRequest(request([{ messageId: 'c' }]));
    await flush();
    expect(sent).toHaveLength(1);

    sent[0]!.answer(ok);
    expect(await first).toBe(ok);
    await flush();
    expect(sent).toHaveLength(2);
    const merged = sent[1]!.request;
    expect(batchOf(merged)).toEqual(['b1', 'b2', 'c']);
    expect(JSON.parse(merged.body)).toMatchObject({ writeKey: 'key' });
    // A retry count describes one batch, not a merge of several.
    expect(merged.headers).not.toHaveProperty('X-Retry-Count');
    expect(merged.headers.Authorization).toBe('Basic a2V5Og==');

    const refused: HTTPResponse = { status: 503, statusText: 'Service Unavailable' };
    sent[1]!.answer(refused);
    // Both batches of the merged request learn that it failed, so analytics-node retries both.
    expect(await second).toBe(refused);
    expect(await third).toBe(refused);
  });

  it('passes a network error to every batch of the request', async () => {
    const { transport, sent } = controllableTransport();
    const client = createCoalescingHttpClient(transport, { maxInFlight: 1, maxBatchBytes: 100_000 });
    const first = client.makeRequest(request([{ messageId: 'a' }]));
    sent[0]!.fail(new Error('socket hang up'));
    await expect(first).rejects.toThrow('socket hang up');
    const next = client.makeRequest(request([{ messageId: 'b' }]));
    await flush();
    expect(sent).toHaveLength(2);
    sent[1]!.answer(ok);
    expect(await next).toBe(ok);
  });

  it('keeps merged requests under the byte limit, and never merges different write keys', async () => {
    const { transport, sent } = controllableTransport();
    const big = { messageId: 'big', padding: 'x'.repeat(600) };
    const client = createCoalescingHttpClient(transport, { maxInFlight: 1, maxBatchBytes: 1_000 });
    void client.makeRequest(request([{ messageId: 'first' }]));
    void client.makeRequest(request([big]));
    void client.makeRequest(request([{ ...big, messageId: 'big2' }]));
    void client.makeRequest(request([{ messageId: 'other' }], { headers: { Authorization: 'Basic b3RoZXI6' } }));
    await flush();
    sent[0]!.answer(ok);
    await flush();
    expect(batchOf(sent[1]!.request)).toEqual(['big']);
    sent[1]!.answer(ok);
    await flush();
    expect(batchOf(sent[2]!.request)).toEqual(['big2']);
    sent[2]!.answer(ok);
    await flush();
    expect(batchOf(sent[3]!.request)).toEqual(['other']);
    expect(sent[3]!.request.headers.Authorization).toBe('Basic b3RoZXI6');
  });

  it('opens a second lane only once the request in flight has taken extraLaneAfterMs', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const { transport, sent } = controllableTransport();
      const client = createCoalescingHttpClient(transport, {
        maxInFlight: 2,
        extraLaneAfterMs: 100,
        maxBatchBytes: 100_000,
      });
      void client.makeRequest(request([{ messageId: 'slow' }]));
      void client.makeRequest(request([{ messageId: 'waiting' }]));
      void client.makeRequest(request([{ messageId: 'also-waiting' }]));
      await flush();
      expect(sent).toHaveLength(1);
      jest.advanceTimersByTime(99);
      await flush();
      expect(sent).toHaveLength(1);
      jest.advanceTimersByTime(1);
      await flush();
      // The slow request still holds its lane; the others go together in the second.
      expect(sent.map(({ request: sentRequest }) => batchOf(sentRequest))).toEqual([
        ['slow'],
        ['waiting', 'also-waiting'],
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('opens another lane at once when the batches waiting fill a request', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const { transport, sent } = controllableTransport();
      const small = request([{ messageId: 'one' }]);
      const client = createCoalescingHttpClient(transport, {
        maxInFlight: 3,
        extraLaneAfterMs: 100,
        // Two waiting batches fill a request.
        maxBatchBytes: Buffer.byteLength(small.body) * 2,
      });
      void client.makeRequest(request([{ messageId: 'slow' }]));
      await flush();
      void client.makeRequest(request([{ messageId: 'one' }]));
      await flush();
      // One batch waiting is less than a request: it waits for the stagger.
      expect(sent).toHaveLength(1);
      void client.makeRequest(request([{ messageId: 'two' }]));
      await flush();
      expect(sent.map(({ request: sentRequest }) => batchOf(sentRequest))).toEqual([['slow'], ['one', 'two']]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('sends a body it does not understand as it is', async () => {
    const { transport, sent } = controllableTransport();
    const client = createCoalescingHttpClient(transport, { maxInFlight: 1, maxBatchBytes: 1_000 });
    void client.makeRequest({ ...request([]), body: 'not json' });
    await flush();
    expect(sent[0]!.request.body).toBe('not json');
  });

  it('never merges more batches than keep a request within 2,500 events', async () => {
    const { transport, sent } = controllableTransport();
    // analytics-node batches of up to 1,000 events: two fit in one request, three would not.
    const client = createCoalescingHttpClient(transport, {
      maxInFlight: 1,
      maxBatchBytes: 10_000_000,
      eventsPerBatch: 1_000,
    });
    for (const id of ['a', 'b', 'c', 'd', 'e']) void client.makeRequest(request([{ messageId: id }]));
    await flush();
    sent[0]!.answer(ok);
    await flush();
    expect(batchOf(sent[1]!.request)).toEqual(['b', 'c']);
  });

  it('splits a batch over the byte limit into requests within it, and answers with the failure if one fails', async () => {
    const { transport, sent } = controllableTransport();
    const client = createCoalescingHttpClient(transport, { maxInFlight: 1, maxBatchBytes: 1_000 });
    const events = Array.from({ length: 10 }, (_, n) => ({ messageId: `m${n}`, note: 'x'.repeat(300) }));
    const answer = client.makeRequest(request(events));
    await flush();
    expect(sent.length).toBeGreaterThan(3);
    for (const { request: part } of sent) expect(Buffer.byteLength(part.body)).toBeLessThanOrEqual(1_000);
    expect(sent.flatMap(({ request: part }) => batchOf(part))).toEqual(events.map((event) => event.messageId));
    const refused: HTTPResponse = { status: 400, statusText: 'Bad Request' };
    sent.forEach((part, index) => part.answer(index === 1 ? refused : ok));
    expect(await answer).toBe(refused);
  });

  it('refuses a batch at once when the batches already waiting hold too many bytes', async () => {
    const { transport, sent } = controllableTransport();
    const client = createCoalescingHttpClient(transport, {
      maxInFlight: 1,
      maxBatchBytes: 100_000,
      maxQueuedBytes: 300,
    });
    void client.makeRequest(request([{ messageId: 'in-flight' }]));
    void client.makeRequest(request([{ messageId: 'waiting', note: 'x'.repeat(150) }]));
    await expect(client.makeRequest(request([{ messageId: 'too-many', note: 'x'.repeat(150) }]))).rejects.toThrow(
      'queue is full',
    );
    sent[0]!.answer(ok);
    await flush();
    // Once the queue drained, batches are taken again.
    expect(batchOf(sent[1]!.request)).toEqual(['waiting']);
    void client.makeRequest(request([{ messageId: 'later' }]));
    await flush();
    expect(sent).toHaveLength(2);
  });
});

describe('mergedBody', () => {
  const body = (batch: unknown[], writeKey?: string) =>
    JSON.stringify({
      batch,
      ...(writeKey !== undefined ? { writeKey } : {}),
      sentAt: new Date('2026-12-01T10:00:00Z'),
    });
  const parsed = (text: string) => JSON.parse(text) as { batch: unknown[]; writeKey?: string; sentAt: string };

  it('joins the events of analytics-node bodies in order, keeping the first write key and a new sentAt', () => {
    const merged = parsed(mergedBody([body([{ a: 1 }, { b: 2 }], 'key'), body([], 'key'), body([{ c: [3] }], 'key')]));
    expect(merged.batch).toEqual([{ a: 1 }, { b: 2 }, { c: [3] }]);
    expect(merged.writeKey).toBe('key');
    expect(Date.parse(merged.sentAt)).toBeGreaterThan(Date.parse('2026-12-01T10:00:00Z'));
  });

  it('is not misled by events that hold the body’s own markers, in strings or as properties', () => {
    const tricky = [
      { properties: { note: '],"writeKey":"evil","sentAt":"2020-01-01"}', list: [1], writeKey: 'nested' } },
      { properties: { products: [{ sku: ']' }], sentAt: 'x' } },
    ];
    const merged = parsed(mergedBody([body(tricky, 'key'), body([{ after: true }], 'key')]));
    expect(merged.batch).toEqual([...tricky, { after: true }]);
    expect(merged.writeKey).toBe('key');
  });

  it('merges bodies without a write key, and parses bodies of another shape', () => {
    expect(parsed(mergedBody([body([{ a: 1 }]), body([{ b: 2 }])])).batch).toEqual([{ a: 1 }, { b: 2 }]);
    const reordered = JSON.stringify({ writeKey: 'key', batch: [{ b: 2 }] });
    const merged = parsed(mergedBody([body([{ a: 1 }], 'key'), reordered]));
    expect(merged.batch).toEqual([{ a: 1 }, { b: 2 }]);
    expect(merged.writeKey).toBe('key');
  });

  it('gives the same events as parsing and concatenating, for any events', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { maxLength: 4 }), {
          minLength: 1,
          maxLength: 4,
        }),
        (batches) => {
          const merged = parsed(mergedBody(batches.map((batch) => body(batch, 'write-key'))));
          // Through JSON on both sides: -0 and the like compare as JSON writes them.
          expect(merged.batch).toEqual(JSON.parse(JSON.stringify(batches.flat())));
          expect(merged.writeKey).toBe('write-key');
        },
      ),
    );
  });
});
