/**
 * A Segment call as the connector means to send it: the output of every mapper and the input
 * of the sink. Plain data, so mappers stay pure and tests can compare calls directly.
 */
export type JsonObject = { [key: string]: unknown };

interface CallBase {
  /** Deterministic id: the same commercetools event always yields the same messageId. */
  messageId: string;
  /** At least one of userId / anonymousId is always set. */
  userId?: string;
  anonymousId?: string;
  /** ISO-8601 time at which the event happened in commercetools. */
  timestamp: string;
  context?: JsonObject;
  /**
   * Keys of the commercetools stores the resource belongs to. The sink sends the call to the
   * Segment source of each of these stores that has one (SEGMENT_WRITE_KEYS_BY_STORE), else to
   * the default source. Never sent to Segment itself.
   */
  stores?: string[];
}

export interface IdentifyCall extends CallBase {
  type: 'identify';
  traits: JsonObject;
}

export interface TrackCall extends CallBase {
  type: 'track';
  event: string;
  properties: JsonObject;
}

/** Segment's B2B `group`: the user belongs to the account `groupId`. */
export interface GroupCall extends CallBase {
  type: 'group';
  groupId: string;
  traits: JsonObject;
}

export type SegmentCall = IdentifyCall | TrackCall | GroupCall;
