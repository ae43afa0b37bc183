import request from 'supertest';
import customerFull from '../fixtures/customers/customer-full.json';
import { type Harness, startHarness } from '../support/harness';
import { changeNotification, pubSubEnvelope } from '../support/notifications';

/** One sample line of Prometheus' text format: name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((label) => [
          label[1] as string,
          label[2] as string,
        ]),
      );
      return { name: match[1] as string, labels, value: Number(match[3]) };
    });
}

/** The sum of the samples named `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter(
      (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}

describe('GET /metrics (METRICS_PROMETHEUS=true)', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({ env: { METRICS_PROMETHEUS: 'true', SEGMENT_DELETE_USERS: 'false' } });
    await harness.seed('customer', customerFull);
  });
  afterAll(() => harness.close());

  it('counts each outcome exactly, times notifications and upstream requests, and labels nothing personal', async () => {
    const customer = pubSubEnvelope(changeNotification('ResourceUpdated', 'customer', customerFull.id, 7));
    const missingId = 'b0b0b0b0-1111-4222-8333-444444444444';
    const post = (body: object) => request(harness.app).post('/').send(body);

    await post(customer).expect(200);
    await post(customer).expect(200);
    await post(pubSubEnvelope(changeNotification('ResourceUpdated', 'customer', missingId, 3))).expect(200);
    await post(pubSubEnvelope(changeNotification('ResourceDeleted', 'customer', customerFull.id, 8))).expect(200);
    await post(pubSubEnvelope(changeNotification('ResourceCreated', 'product', missingId))).expect(200);
    await post({ message: { data: 'not base64 json' } }).expect(400);
    await request(harness.app).post('/').set('content-type', 'application/json').send('{"broken').expect(400);
    harness.segment.behave({ kind: 'status', status: 503 });
    await post(customer).expect(503);
    harness.segment.behave({ kind: 'accept' });
    const accepted = harness.segment.events().length;

    const scraped = await request(harness.app).get('/metrics').expect(200);
    expect(scraped.headers['content-type']).toContain('text/plain');
    const samples = parseSamples(scraped.text);

    const notifications = samples
      .filter((sample) => sample.name === 'connector_notifications_total')
      .map(({ labels: { route, outcome, reason }, value }) => ({ route, outcome, reason, value }));
    expect(notifications).toEqual(
      expect.arrayContaining([
        { route: 'customer/ResourceUpdated', outcome: 'delivered', reason: undefined, value: 2 },
        { route: 'customer/ResourceUpdated', outcome: 'skipped', reason: 'not-found', value: 1 },
        { route: 'customer/ResourceDeleted', outcome: 'skipped', reason: 'disabled', value: 1 },
        { route: 'other', outcome: 'skipped', reason: 'unhandled-type', value: 1 },
        // One undecodable envelope (the pipeline), one unreadable body (the body parser).
        { route: 'none', outcome: 'bad-request', reason: undefined, value: 2 },
        { route: 'customer/ResourceUpdated', outcome: 'upstream-unavailable', reason: undefined, value: 1 },
      ]),
    );
    expect(notifications).toHaveLength(6);

    // Every notification that reached the pipeline is timed; none is left in flight.
    expect(total(samples, 'connector_notification_duration_count')).toBe(7);
    expect(total(samples, 'connector_notification_duration_count', { outcome: 'delivered' })).toBe(2);
    expect(total(samples, 'connector_notification_duration_bucket', { outcome: 'delivered', le: '+Inf' })).toBe(2);
    expect(total(samples, 'connector_notifications_active')).toBe(0);

    // Segment: two accepted requests of one identify each; the 503 tried twice (maxRetries 1).
    expect(accepted).toBe(2);
    const segment = { connector_upstream: 'segment' };
    expect(total(samples, 'http_client_request_duration_count', { ...segment, http_response_status_code: '200' })).toBe(
      2,
    );
    expect(total(samples, 'http_client_request_duration_count', { ...segment, http_response_status_code: '503' })).toBe(
      2,
    );
    expect(total(samples, 'connector_segment_request_events_count')).toBe(4);
    expect(total(samples, 'connector_segment_request_events_sum')).toBe(4);
    expect(total(samples, 'connector_segment_events_total', { result: 'accepted' })).toBe(2);
    expect(total(samples, 'connector_segment_events_total', { result: 'failed' })).toBe(1);
    expect(total(samples, 'connector_segment_events_total', { result: 'refused' })).toBe(0);

    // commercetools: the project's settings at start, then a read per customer notification but the
    // disabled deletion; one token, shared.
    const reads = { operation: 'GET customers' };
    expect(total(samples, 'connector_commercetools_requests_total', { operation: 'GET project' })).toBe(1);
    expect(total(samples, 'connector_commercetools_requests_total', { ...reads, status_class: '2xx' })).toBe(3);
    expect(total(samples, 'connector_commercetools_requests_total', { ...reads, status_class: '4xx' })).toBe(1);
    expect(total(samples, 'connector_commercetools_requests_total')).toBe(5);
    expect(
      total(samples, 'http_client_request_duration_count', {
        connector_upstream: 'commercetools',
        commercetools_operation: 'GET customers',
      }),
    ).toBe(4);
    expect(total(samples, 'connector_commercetools_token_fetches_total', { status_class: '2xx' })).toBe(1);

    // Bounded, impersonal attributes: no id, email, name or key of anything handled.
    const values = samples.flatMap((sample) => Object.values(sample.labels));
    const personal = [customerFull.id, missingId, customerFull.email, customerFull.firstName, customerFull.lastName];
    for (const value of values) {
      expect(value).not.toContain('@');
      for (const forbidden of personal) expect(value).not.toContain(forbidden);
    }
  });

  it('is not served when METRICS_PROMETHEUS is off (the default)', async () => {
    const plain = await startHarness();
    try {
      await request(plain.app).get('/metrics').expect(404);
    } finally {
      await plain.close();
    }
  });
});
