/** A local OTLP/HTTP (JSON) collector stand-in on loopback, for the metrics and traces exports. */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number };
}

export interface OtlpPoint {
  attributes: OtlpAttribute[];
  asInt?: number | string;
  asDouble?: number;
  count?: number | string;
}

export interface OtlpMetric {
  name: string;
  sum?: { dataPoints: OtlpPoint[] };
  histogram?: { dataPoints: OtlpPoint[] };
}

export interface OtlpMetricsBody {
  resourceMetrics: {
    resource: { attributes: OtlpAttribute[] };
    scopeMetrics: { metrics: OtlpMetric[] }[];
  }[];
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  links?: { traceId: string; spanId: string; attributes?: OtlpAttribute[] }[];
  status?: { code?: number; message?: string };
}

export interface OtlpTracesBody {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

export interface Captured {
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface OtlpCollector {
  url: string;
  received: Captured[];
  /** Every metric of every export to /v1/metrics. */
  metrics(): OtlpMetric[];
  /** Every span of every export to /v1/traces. */
  spans(): OtlpSpan[];
  close(): Promise<void>;
}

/** Keeps every export it is sent, and answers as a collector does. */
export async function startOtlpCollector(): Promise<OtlpCollector> {
  const received: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bodiesAt = <T>(path: string) =>
    received.filter((captured) => captured.path === path).map((captured) => captured.body as T);
  return {
    url,
    received,
    metrics: () =>
      bodiesAt<OtlpMetricsBody>('/v1/metrics')
        .flatMap((body) => body.resourceMetrics)
        .flatMap((resource) => resource.scopeMetrics)
        .flatMap((scope) => scope.metrics),
    spans: () =>
      bodiesAt<OtlpTracesBody>('/v1/traces')
        .flatMap((body) => body.resourceSpans)
        .flatMap((resource) => resource.scopeSpans)
        .flatMap((scope) => scope.spans),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An OTLP attribute list as a plain object. */
export const attributesOf = (attributes: OtlpAttribute[]): Record<string, string | number | boolean | undefined> =>
  Object.fromEntries(
    attributes.map(({ key, value }) => [
      key,
      value.stringValue ??
        (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
        value.boolValue ??
        value.doubleValue,
    ]),
  );

/** A counter's points as `{ ...attributes, value }`. */
export const sumPointsOf = (metric: OtlpMetric | undefined) =>
  (metric?.sum?.dataPoints ?? []).map((point) => ({
    ...attributesOf(point.attributes),
    value: Number(point.asInt ?? point.asDouble),
  }));
