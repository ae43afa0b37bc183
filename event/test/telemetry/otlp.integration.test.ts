import request from 'supertest';
import customerFull from '../fixtures/customers/customer-full.json';
import { startHarness } from '../support/harness';
import { changeNotification, pubSubEnvelope } from '../support/notifications';
import {
  attributesOf as attributesOfList,
  startOtlpCollector,
  type OtlpMetricsBody,
  type OtlpPoint,
} from '../support/otlp-collector';

const attributesOf = (point: OtlpPoint) => attributesOfList(point.attributes);

describe('OTLP export (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('pushes the metrics as OTLP/HTTP JSON to the collector, with its headers, when the connector stops', async () => {
    const collector = await startOtlpCollector();
    const harness = await startHarness({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=collector-key',
        OTEL_SERVICE_NAME: 'segment-connector-test',
      },
    });
    try {
      await harness.seed('customer', customerFull);
      const customer = pubSubEnvelope(changeNotification('ResourceUpdated', 'customer', customerFull.id, 7));
      await request(harness.app).post('/').send(customer).expect(200);
      await request(harness.app).post('/').send(customer).expect(200);
      await request(harness.app)
        .post('/')
        .send(pubSubEnvelope(changeNotification('ResourceCreated', 'product', customerFull.id)))
        .expect(200);
      // Nothing was due yet (the interval is a minute): shutting down flushes.
      expect(collector.received).toHaveLength(0);
    } finally {
      await harness.close();
      await collector.close();
    }

    expect(collector.received).toHaveLength(1);
    const [exported] = collector.received;
    expect(exported?.path).toBe('/v1/metrics');
    expect(exported?.headers['x-api-key']).toBe('collector-key');
    expect(exported?.headers['content-type']).toContain('application/json');
    const body = exported?.body as OtlpMetricsBody | undefined;
    const resource = body?.resourceMetrics[0]?.resource;
    expect(resource?.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'segment-connector-test' },
    });

    const metrics = new Map(
      (body?.resourceMetrics ?? [])
        .flatMap((resourceMetrics) => resourceMetrics.scopeMetrics)
        .flatMap((scope) => scope.metrics)
        .map((metric) => [metric.name, metric]),
    );
    expect([...metrics.keys()]).toEqual(
      expect.arrayContaining([
        'connector.notifications',
        'connector.notification.duration',
        'connector.notifications.active',
        'http.client.request.duration',
        'connector.segment.events',
        'connector.segment.request.events',
        'connector.commercetools.requests',
        'connector.commercetools.token.fetches',
      ]),
    );
    const notifications = metrics.get('connector.notifications')?.sum?.dataPoints ?? [];
    expect(
      notifications.map((point) => ({ ...attributesOf(point), value: Number(point.asInt ?? point.asDouble) })),
    ).toEqual(
      expect.arrayContaining([
        { route: 'customer/ResourceUpdated', outcome: 'delivered', value: 2 },
        { route: 'other', outcome: 'skipped', reason: 'unhandled-type', value: 1 },
      ]),
    );
    expect(notifications).toHaveLength(2);
    const durations = metrics.get('connector.notification.duration')?.histogram?.dataPoints ?? [];
    expect(durations.reduce((sum, point) => sum + Number(point.count), 0)).toBe(3);
    const events = metrics.get('connector.segment.events')?.sum?.dataPoints ?? [];
    expect(events.map((point) => ({ ...attributesOf(point), value: Number(point.asInt ?? point.asDouble) }))).toEqual([
      { result: 'accepted', value: 2 },
    ]);
    const requests = metrics.get('connector.commercetools.requests')?.sum?.dataPoints ?? [];
    expect(requests.map((point) => ({ ...attributesOf(point), value: Number(point.asInt ?? point.asDouble) }))).toEqual(
      [
        // The project's settings, read at start.
        { operation: 'GET project', status_class: '2xx', value: 1 },
        { operation: 'GET customers', status_class: '2xx', value: 2 },
      ],
    );
    const segmentRequests = (metrics.get('http.client.request.duration')?.histogram?.dataPoints ?? []).filter(
      (point) => attributesOf(point)['connector.upstream'] === 'segment',
    );
    expect(
      segmentRequests.map((point) => [attributesOf(point)['http.response.status_code'], Number(point.count)]),
    ).toEqual([[200, 2]]);
  });
});
