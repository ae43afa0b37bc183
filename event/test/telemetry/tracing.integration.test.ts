import request from 'supertest';
import customerFull from '../fixtures/customers/customer-full.json';
import { noopMetrics } from '../../src/telemetry/metrics';
import { noopTracing } from '../../src/telemetry/tracing';
import { type Harness, startHarness } from '../support/harness';
import { changeNotification, pubSubEnvelope } from '../support/notifications';
import { attributesOf, startOtlpCollector, type OtlpCollector, type OtlpSpan } from '../support/otlp-collector';

/**
 * OTEL_TRACES_EXPORTER=otlp: the spans as a collector receives them (OTLP/HTTP JSON), from
 * notifications posted to the app wired as production wires it.
 */

/** OTLP's span kinds (the protocol's numbers, not the API's). */
const KIND = { CLIENT: 3, CONSUMER: 5 };
const STATUS_ERROR = 2;

const MISSING_CUSTOMER = '00000000-0000-4000-8000-00000000beef';

let collector: OtlpCollector;
let harness: Harness;
let stopped: Promise<void> | undefined;

/** Closes the app (which flushes the spans: they are exported in batches) and the collector, once. */
function stop(): Promise<void> {
  stopped ??= harness.close().then(() => collector.close());
  return stopped;
}

async function start(env: Record<string, string> = {}): Promise<void> {
  stopped = undefined;
  collector = await startOtlpCollector();
  harness = await startHarness({
    // The first notification fetches the token, so its span shows it.
    readProjectAtStart: false,
    env: {
      OTEL_TRACES_EXPORTER: 'otlp',
      // The traces' own endpoint, used as it is: no metrics are exported.
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=collector-key',
      OTEL_SERVICE_NAME: 'segment-connector-test',
      ...env,
    },
  });
  await harness.seed('customer', customerFull);
}

const customerUpdate = (version: number, id = customerFull.id) =>
  pubSubEnvelope(changeNotification('ResourceUpdated', 'customer', id, version), { messageId: `pubsub-${version}` });

const attributes = (span: OtlpSpan) => attributesOf(span.attributes);
const childrenOf = (spans: OtlpSpan[], parent: OtlpSpan) =>
  spans.filter((span) => span.parentSpanId === parent.spanId && span.traceId === parent.traceId);
const isRoot = (span: OtlpSpan) => !span.parentSpanId;

afterEach(() => stop());

describe('traces (OTEL_TRACES_EXPORTER=otlp)', () => {
  it('one span per notification, with its commercetools and Segment requests as children; its log line carries the trace id', async () => {
    await start();
    await request(harness.app).post('/').send(customerUpdate(7)).expect(200);
    await request(harness.app).post('/').send(customerUpdate(3, MISSING_CUSTOMER)).expect(200);
    await stop();

    expect(collector.received.map((captured) => captured.path)).toEqual(['/v1/traces']);
    expect(collector.received[0]?.headers['x-api-key']).toBe('collector-key');
    const spans = collector.spans();
    const notifications = spans.filter((span) => span.name.startsWith('notification '));
    expect(notifications.map((span) => span.name)).toEqual([
      'notification customer/ResourceUpdated',
      'notification customer/ResourceUpdated',
    ]);
    for (const span of notifications) {
      expect(isRoot(span)).toBe(true);
      expect(span.kind).toBe(KIND.CONSUMER);
    }
    expect(new Set(notifications.map((span) => span.traceId)).size).toBe(2);
    const [delivered, missing] = notifications as [OtlpSpan, OtlpSpan];
    expect(attributes(delivered)).toEqual({
      'connector.route': 'customer/ResourceUpdated',
      'connector.outcome': 'delivered',
      'connector.transport': 'pubsub',
    });
    expect(attributes(missing)).toEqual({
      'connector.route': 'customer/ResourceUpdated',
      'connector.outcome': 'skipped',
      'connector.reason': 'not-found',
      'connector.transport': 'pubsub',
    });

    // The first notification fetched the token, read the customer and sent its identify.
    const children = childrenOf(spans, delivered);
    expect(children.map((span) => span.name).sort()).toEqual(['GET customers', 'POST /v1/batch', 'POST oauth/token']);
    for (const child of children) expect(child.kind).toBe(KIND.CLIENT);
    const byName = new Map(children.map((span) => [span.name, span]));
    expect(attributes(byName.get('GET customers') as OtlpSpan)).toEqual({
      'connector.upstream': 'commercetools',
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'commercetools.operation': 'GET customers',
      'http.response.status_code': 200,
    });
    expect(attributes(byName.get('POST oauth/token') as OtlpSpan)).toEqual({
      'connector.upstream': 'commercetools-auth',
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'http.response.status_code': 200,
    });
    const events = harness.segment.events().length;
    expect(events).toBeGreaterThan(0);
    expect(attributes(byName.get('POST /v1/batch') as OtlpSpan)).toEqual({
      'connector.upstream': 'segment',
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'connector.segment.events': events,
      'connector.segment.request.events': events,
      'connector.segment.request.notifications': 1,
      'http.response.status_code': 200,
    });
    // Children lie within their parent.
    for (const child of children) {
      expect(BigInt(child.startTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(delivered.startTimeUnixNano));
      expect(BigInt(child.endTimeUnixNano)).toBeLessThanOrEqual(BigInt(delivered.endTimeUnixNano));
    }

    // The missing customer: a 404 read (an error of the HTTP span), nothing sent.
    const missingChildren = childrenOf(spans, missing);
    expect(missingChildren.map((span) => span.name)).toEqual(['GET customers']);
    expect(attributes(missingChildren[0] as OtlpSpan)['http.response.status_code']).toBe(404);
    expect(missingChildren[0]?.status?.code).toBe(STATUS_ERROR);

    // Every span belongs to one of the two traces.
    expect(spans.every((span) => notifications.some((root) => root.traceId === span.traceId))).toBe(true);
    expect(spans).toHaveLength(notifications.length + children.length + missingChildren.length);

    // No id of a resource, no personal data, in any span.
    const exported = JSON.stringify(collector.received.map((captured) => captured.body));
    for (const personal of [
      customerFull.id,
      MISSING_CUSTOMER,
      customerFull.email,
      customerFull.firstName,
      customerFull.lastName,
      'pubsub-7',
    ])
      expect(exported).not.toContain(personal);

    // The log line of each notification names its trace and span.
    const lines = harness.logs.filter((line) => line.msg === 'notification processed');
    expect(lines.map((line) => [line.trace_id, line.span_id])).toEqual(
      notifications.map((span) => [span.traceId, span.spanId]),
    );
  });

  it('a Segment request that merged the events of several notifications is a child of each', async () => {
    await start();
    const ids = Array.from({ length: 6 }, (_, n) => `1c6e0a3b-5d7f-4b9a-8c2e-00000000000${n}`);
    for (const [n, id] of ids.entries())
      await harness.seed('customer', { ...customerFull, id, email: `customer-${n}@example.com`, key: `customer-${n}` });
    // A slow Segment: notifications arriving while a request is out share the next one.
    harness.segment.behave({ kind: 'delay', ms: 200 });
    await Promise.all(ids.map((id) => request(harness.app).post('/').send(customerUpdate(2, id)).expect(200)));
    await stop();

    const spans = collector.spans();
    const notifications = spans.filter((span) => span.name.startsWith('notification '));
    expect(notifications).toHaveLength(ids.length);
    const segmentSpans = spans.filter((span) => span.name === 'POST /v1/batch');
    // Each notification's events went out in one request (nothing was refused or retried).
    for (const notification of notifications)
      expect(childrenOf(segmentSpans, notification).map((span) => span.name)).toEqual(['POST /v1/batch']);

    // The spans of one request share its start and end: as many requests as Segment received.
    const requests = new Map<string, OtlpSpan[]>();
    for (const span of segmentSpans) {
      const key = `${span.startTimeUnixNano}-${span.endTimeUnixNano}`;
      requests.set(key, [...(requests.get(key) ?? []), span]);
    }
    expect(requests.size).toBe(harness.segment.received.length);
    const carried = [...requests.values()].map((shared) => ({
      notifications: shared.length,
      events: shared.reduce((sum, span) => sum + Number(attributes(span)['connector.segment.events']), 0),
      said: shared.map((span) => attributes(span)),
    }));
    for (const { notifications: count, events, said } of carried) {
      for (const attributesOfOne of said) {
        expect(attributesOfOne['connector.segment.request.notifications']).toBe(count);
        expect(attributesOfOne['connector.segment.request.events']).toBe(events);
      }
    }
    expect(harness.segment.received.map((received) => received.events.length).sort()).toEqual(
      carried.map((request) => request.events).sort(),
    );
    expect(Math.max(...carried.map((request) => request.notifications))).toBeGreaterThan(1);
  });

  it('with traces off, nothing is traced and log lines carry no trace id', async () => {
    // The no-op hands back what it is given: no wrapper, no span, no allocation on the hot path.
    expect(noopTracing.withRequestSpans(noopMetrics)).toBe(noopMetrics);
    const transport = { makeRequest: async () => ({ status: 200, statusText: 'OK', headers: {} }) };
    expect(noopTracing.segmentTransport(transport)).toBe(transport);

    await start({ OTEL_TRACES_EXPORTER: 'none' });
    expect(harness.pipeline.tracing).toBe(noopTracing);
    expect(harness.pipeline.metrics).toBe(noopMetrics);
    await request(harness.app).post('/').send(customerUpdate(21)).expect(200);
    await stop();
    expect(collector.received).toEqual([]);
    const [line] = harness.logs.filter((logged) => logged.msg === 'notification processed');
    expect(line).toMatchObject({ outcome: 'delivered' });
    expect(line).not.toHaveProperty('trace_id');
  });
});
