import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SEGMENT_MAX_EVENT_BYTES, SEGMENT_MAX_EVENTS_PER_REQUEST, SEGMENT_MAX_REQUEST_BYTES } from '../segment/limits';

/** One event as Segment's HTTP API received it. */
export interface CapturedEvent {
  type: string;
  messageId: string;
  userId?: string;
  anonymousId?: string;
  event?: string;
  traits?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  context?: Record<string, unknown>;
  timestamp?: string;
  [key: string]: unknown;
}

export interface CapturedRequest {
  path: string;
  /** The body's size in UTF-8 bytes, as it arrived. */
  bytes: number;
  /** The write key the request was sent with (Basic authorization, else the body's writeKey): which source. */
  writeKey?: string;
  authorization?: string;
  /** The parsed JSON body. */
  body: Record<string, unknown>;
  /** The body's `batch`, for tracking API requests. */
  events: CapturedEvent[];
}

/** How the stand-in answers the next requests. */
export type SegmentBehaviour =
  | { kind: 'accept' }
  /** Answer `status`, with `body` (JSON text; `{}` by default). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'hang' }
  /** Accept, but only after `ms` (a slow Segment). */
  | { kind: 'delay'; ms: number }
  | { kind: 'reset' };

export interface SegmentCapture {
  url: string;
  /** Requests Segment accepted (answered 200), in arrival order. */
  accepted: CapturedRequest[];
  /** Every request that arrived, accepted or not. */
  received: CapturedRequest[];
  /** Events Segment accepted, flattened in order. */
  events(): CapturedEvent[];
  /** Resolves once `count` requests have arrived (accepted or not). */
  waitForRequests(count: number): Promise<void>;
  behave(behaviour: SegmentBehaviour): void;
  /**
   * Refuses (400, as Segment does for an invalid event) every request that holds an event for
   * which `test` is true, whatever the behaviour; until reset.
   */
  refuseEvents(test: (event: CapturedEvent) => boolean): void;
  /** Answers the requests of one source (write key) as told, whatever the general behaviour; until reset. */
  behaveFor(writeKey: string, behaviour: SegmentBehaviour): void;
  reset(): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Why Segment's tracking API would refuse the whole request (HTTP 400), by its documented limits:
 * an event over 32 KB, a request over 500 KB or over 2,500 events. Sizes are UTF-8 bytes.
 */
export function limitBroken(text: string, events: unknown[]): string | undefined {
  if (Buffer.byteLength(text) > SEGMENT_MAX_REQUEST_BYTES) return 'request over 500 KB';
  if (events.length > SEGMENT_MAX_EVENTS_PER_REQUEST) return 'more than 2500 events';
  if (events.some((event) => Buffer.byteLength(JSON.stringify(event)) > SEGMENT_MAX_EVENT_BYTES))
    return 'event over 32 KB';
  return undefined;
}

/** The source a request is for, as Segment reads it: `Basic base64(writeKey:)`, else the body's `writeKey`. */
function writeKeyOf(authorization: string | undefined, body: Record<string, unknown>): string | undefined {
  const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '')?.[1];
  if (basic) return Buffer.from(basic, 'base64').toString('utf8').replace(/:$/, '');
  return typeof body.writeKey === 'string' ? body.writeKey : undefined;
}

const refuse = (res: ServerResponse, message: string) =>
  res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ success: false, message }));

/**
 * A local stand-in for Segment's tracking API (`POST /v1/batch`) or Public API (`POST
 * /regulations`), listening on loopback. It records what arrives and answers as told, so tests
 * assert on what Segment actually received; and, like Segment, it refuses a batch that breaks
 * Segment's size limits, whatever it was told.
 */
export async function startSegmentCapture(): Promise<SegmentCapture> {
  const accepted: CapturedRequest[] = [];
  const received: CapturedRequest[] = [];
  let behaviour: SegmentBehaviour = { kind: 'accept' };
  let refused: ((event: CapturedEvent) => boolean) | undefined;
  const bySource = new Map<string, SegmentBehaviour>();
  const hanging = new Set<ServerResponse>();

  const server: Server = createServer(async (req, res) => {
    const text = await readBody(req);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      res.writeHead(400).end('{"error":"invalid json"}');
      return;
    }
    const writeKey = writeKeyOf(req.headers.authorization, body);
    const captured: CapturedRequest = {
      path: req.url ?? '',
      bytes: Buffer.byteLength(text),
      ...(writeKey ? { writeKey } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      body,
      events: Array.isArray(body.batch) ? (body.batch as CapturedEvent[]) : [],
    };
    received.push(captured);
    if (Array.isArray(body.batch)) {
      const broken = limitBroken(text, body.batch);
      if (broken) return refuse(res, broken);
      if (refused && captured.events.some(refused)) return refuse(res, 'event refused by the test');
    }
    const current = (captured.writeKey && bySource.get(captured.writeKey)) || behaviour;
    switch (current.kind) {
      case 'accept':
        accepted.push(captured);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
        return;
      case 'status':
        res
          .writeHead(current.status, { 'content-type': 'application/json', ...current.headers })
          .end(current.body ?? '{}');
        return;
      case 'delay':
        setTimeout(() => {
          accepted.push(captured);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}');
        }, current.ms);
        return;
      case 'hang':
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      case 'reset':
        req.socket.destroy();
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    received,
    events: () => accepted.flatMap((request) => request.events),
    async waitForRequests(count) {
      while (received.length < count) await sleep(5);
    },
    behave(next) {
      behaviour = next;
    },
    refuseEvents(test) {
      refused = test;
    },
    behaveFor(writeKey, next) {
      bySource.set(writeKey, next);
    },
    reset() {
      accepted.length = 0;
      received.length = 0;
      behaviour = { kind: 'accept' };
      refused = undefined;
      bySource.clear();
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
