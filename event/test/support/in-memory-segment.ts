import { upstreamUnavailable } from '../../src/errors';
import type { SegmentCall } from '../../src/segment/calls';
import { ANALYTICS_NODE_ADDITION_BYTES, fitCall, jsonBytes, SEGMENT_MAX_EVENT_BYTES } from '../../src/segment/limits';
import type { RegulationsClient } from '../../src/segment/regulations';
import { SegmentRejection, type SegmentSink } from '../../src/segment/sink';
import type { Settlement } from '../../src/segment/settlements';
import { createSourceRouter } from '../../src/segment/sources';

/**
 * Segment in memory, for unit tests of the handlers: a SegmentSink per Segment source that records
 * the calls it is given and settles each as Segment would, so a test can assert what a handler
 * sent and what its outcome is for each settlement.
 *
 * Each send is one request holding only the calls of that send (what the real sink ends with when
 * Segment refuses a merged request). A call is fitted to Segment's 32 KB limit with the real sink's
 * own rule (fitCall); one that cannot be fitted is refused unsent, as the real sink refuses it.
 * Segment then measures each event in UTF-8 bytes, with what analytics-node adds to it, and
 * refuses the whole request when one is over 32 KB or when the test made it refuse one.
 */
export interface InMemorySegment {
  /** What the handlers send to: one source per store, routed by the connector's own router. */
  sink: SegmentSink;
  /** Every call a source was handed, as Segment would receive it, with what became of it; in order. */
  readonly settled: readonly SettledCall[];
  /** The calls Segment accepted, in order: of every source, or of the source of `writeKey`. */
  accepted(writeKey?: string): SegmentCall[];
  /** How many sends the handlers made (one per notification that had calls to send). */
  readonly sends: number;
  /** How Segment answers the requests from now on, every source alike. */
  behave(behaviour: InMemorySegmentBehaviour): void;
  /** Refuses (for good) every request holding a call for which `test` is true, whatever the behaviour; until reset. */
  refuseCalls(test: (call: SegmentCall) => boolean): void;
  /** Forgets what was sent, and answers as Segment normally does again. */
  reset(): void;
}

export interface SettledCall {
  writeKey: string;
  call: SegmentCall;
  settlement: Settlement;
}

export type InMemorySegmentBehaviour =
  | { kind: 'accept' }
  /** A 4xx other than 408 and 429: refused for good, as a redelivery would be. */
  | { kind: 'refuse'; message?: string }
  /** A 5xx, 408, 429 or a network error, on every retry: worth a redelivery. */
  | { kind: 'fail'; message?: string }
  /** No answer: the send ends as not in time once its signal aborts, or after `maxWaitMs`. */
  | { kind: 'hang' };

export interface InMemorySegmentOptions {
  /** The default source (SEGMENT_WRITE_KEY). */
  writeKey: string;
  /** A source per store (SEGMENT_WRITE_KEYS_BY_STORE); none by default. */
  writeKeysByStore?: Readonly<Record<string, string>>;
  /** Longest wait for an answer that never comes, ms, whatever the caller's signal; 200 by default. */
  maxWaitMs?: number;
}

/** What the real sink says of a call it cannot fit (sink.ts). */
const TOO_LARGE = `event over ${SEGMENT_MAX_EVENT_BYTES} bytes even without its optional detail`;
const NOT_IN_TIME: Settlement = { kind: 'failed', message: 'Segment did not accept the event in time' };

/** When the wait for an answer ends: the caller's signal, or maxWaitMs. */
function notInTime(signal: AbortSignal | undefined, maxWaitMs: number): Promise<void> {
  const wait = signal ? AbortSignal.any([signal, AbortSignal.timeout(maxWaitMs)]) : AbortSignal.timeout(maxWaitMs);
  return new Promise((resolve) => {
    if (wait.aborted) return resolve();
    wait.addEventListener('abort', () => resolve(), { once: true });
  });
}

export function createInMemorySegment(options: InMemorySegmentOptions): InMemorySegment {
  const maxWaitMs = options.maxWaitMs ?? 200;
  const settled: SettledCall[] = [];
  let behaviour: InMemorySegmentBehaviour = { kind: 'accept' };
  let refusedCall: ((call: SegmentCall) => boolean) | undefined;
  let sends = 0;

  /** Segment's answer to one request holding these calls. */
  async function answer(calls: SegmentCall[], signal: AbortSignal | undefined): Promise<Settlement> {
    const tooLarge = calls.some((call) => jsonBytes(call) + ANALYTICS_NODE_ADDITION_BYTES > SEGMENT_MAX_EVENT_BYTES);
    if (tooLarge) return { kind: 'refused', message: '[400] refused: event over 32 KB' };
    if (refusedCall && calls.some(refusedCall)) return { kind: 'refused', message: '[400] refused: by the test' };
    switch (behaviour.kind) {
      case 'accept':
        return { kind: 'accepted' };
      case 'refuse':
        return { kind: 'refused', message: behaviour.message ?? '[400] Bad Request' };
      case 'fail':
        return { kind: 'failed', message: behaviour.message ?? '[503] Service Unavailable' };
      case 'hang':
        await notInTime(signal, maxWaitMs);
        return NOT_IN_TIME;
    }
  }

  /** One source's sink: the real sink's contract (see SegmentSink), over Segment in memory. */
  function sourceSink(writeKey: string): SegmentSink {
    let closed = false;
    return {
      async send(calls, signal) {
        if (closed) throw upstreamUnavailable('Segment delivery was not attempted: shutting down');
        if (signal?.aborted) throw upstreamUnavailable('Segment delivery was not attempted: deadline passed');
        const fitting: SegmentCall[] = [];
        const tooLarge: SegmentCall[] = [];
        for (const call of calls) {
          const fitted = fitCall(call);
          if (fitted.kind === 'fits') fitting.push(fitted.call);
          else tooLarge.push(call);
        }
        const settlement = fitting.length > 0 ? await answer(fitting, signal) : undefined;
        for (const call of fitting) settled.push({ writeKey, call, settlement: settlement as Settlement });
        for (const call of tooLarge)
          settled.push({ writeKey, call, settlement: { kind: 'refused', message: TOO_LARGE } });
        if (settlement?.kind === 'failed') {
          throw upstreamUnavailable(`Segment did not accept the event: ${settlement.message}`);
        }
        if (settlement?.kind === 'refused') {
          throw new SegmentRejection(
            fitting.map((call) => call.messageId),
            settlement.message,
          );
        }
        if (tooLarge.length > 0) {
          throw new SegmentRejection(
            tooLarge.map((call) => call.messageId),
            TOO_LARGE,
          );
        }
      },
      async close() {
        closed = true;
      },
    };
  }

  const byStore = new Map(
    Object.entries(options.writeKeysByStore ?? {}).map(([store, writeKey]) => [store, sourceSink(writeKey)]),
  );
  const router = createSourceRouter(sourceSink(options.writeKey), byStore);

  return {
    sink: {
      send(calls, signal) {
        sends += 1;
        return router.send(calls, signal);
      },
      close: (timeoutMs) => router.close(timeoutMs),
    },
    settled,
    accepted: (writeKey) =>
      settled
        .filter(
          (entry) => entry.settlement.kind === 'accepted' && (writeKey === undefined || entry.writeKey === writeKey),
        )
        .map((entry) => entry.call),
    get sends() {
      return sends;
    },
    behave(next) {
      behaviour = next;
    },
    refuseCalls(test) {
      refusedCall = test;
    },
    reset() {
      settled.length = 0;
      sends = 0;
      behaviour = { kind: 'accept' };
      refusedCall = undefined;
    },
  };
}

/**
 * Segment's Public API in memory: records the users whose deletion was requested and answers
 * as told, with the three answers the real client gives (see RegulationsClient).
 */
export interface InMemoryRegulations {
  client: RegulationsClient;
  /** The userIds whose deletion Segment accepted, in order. */
  readonly requested: string[];
  /** 'accept' by default; 'refuse' as a 400 or 422 refusing the request itself; 'fail' as a 5xx, 429 or timeout. */
  behave(answer: 'accept' | 'refuse' | 'fail'): void;
}

export function createInMemoryRegulations(options: { configured: boolean }): InMemoryRegulations {
  const requested: string[] = [];
  let answer: 'accept' | 'refuse' | 'fail' = 'accept';
  return {
    requested,
    behave(next) {
      answer = next;
    },
    client: {
      configured: options.configured,
      async requestDeletion(userId, signal) {
        if (!options.configured) throw new Error('requestDeletion needs a Segment Public API token');
        if (signal?.aborted) throw upstreamUnavailable('Segment Public API could not be reached');
        if (answer === 'fail') throw upstreamUnavailable('Segment Public API answered HTTP 503');
        if (answer === 'refuse') return 'refused';
        requested.push(userId);
        return 'requested';
      },
    },
  };
}
