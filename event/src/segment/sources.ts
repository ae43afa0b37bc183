import type { SegmentCall } from './calls';
import { SegmentRejection, type SegmentSink } from './sink';

/**
 * One Segment source per commercetools store (SEGMENT_WRITE_KEYS_BY_STORE). A call goes to the
 * source of each store it names (`stores`) that has one; a call naming none of them goes to the
 * default source (SEGMENT_WRITE_KEY). A resource is sent to two sources only when it belongs to
 * two mapped stores. Each source has a sink of its own, so merged requests never mix write keys.
 */
export function createSourceRouter(
  defaultSink: SegmentSink,
  sinksByStore: ReadonlyMap<string, SegmentSink>,
): SegmentSink {
  if (sinksByStore.size === 0) return defaultSink;

  /** The calls for each sink, in their order. */
  function route(calls: readonly SegmentCall[]): Map<SegmentSink, SegmentCall[]> {
    const routed = new Map<SegmentSink, SegmentCall[]>();
    for (const call of calls) {
      const mapped = (call.stores ?? []).flatMap((store) => sinksByStore.get(store) ?? []);
      for (const sink of mapped.length > 0 ? new Set(mapped) : [defaultSink]) {
        const list = routed.get(sink);
        if (list) list.push(call);
        else routed.set(sink, [call]);
      }
    }
    return routed;
  }

  return {
    async send(calls, signal) {
      // Acknowledged only when every source accepted its calls.
      const results = await Promise.allSettled([...route(calls)].map(([sink, routed]) => sink.send(routed, signal)));
      const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
      if (failures.length === 0) return;
      // A transient failure anywhere means a redelivery; every source then deduplicates by messageId.
      const transient = failures.find((failure) => !(failure instanceof SegmentRejection));
      if (transient) throw transient;
      const rejections = failures as SegmentRejection[];
      throw new SegmentRejection(
        rejections.flatMap((rejection) => rejection.messageIds),
        rejections.map((rejection) => rejection.segmentMessage).join('; '),
      );
    },
    async close(timeoutMs) {
      await Promise.all([defaultSink, ...sinksByStore.values()].map((sink) => sink.close(timeoutMs)));
    },
  };
}
