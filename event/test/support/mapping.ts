/**
 * What the mapping tests share: the deployment they map for, how they take a mapper's result
 * apart, and what every event about a fixture is expected to say of it.
 */
import { buildMessageId } from '../../src/mapping/message-id';
import type { MappingOptions, MappingResult } from '../../src/mapping/types';
import type { SegmentCall, TrackCall } from '../../src/segment/calls';

/** The deployment the mapping tests map for, unless a test says otherwise. */
export const MAPPING_OPTIONS: MappingOptions = { projectKey: 'demo-shop', consentFieldName: 'consent' };

/** The calls of a result that must not be a skip. */
export function callsOf(result: MappingResult): SegmentCall[] {
  if (result.kind !== 'calls') throw new Error(`expected calls, got skip: ${result.reason}`);
  return result.calls;
}

/** The call of a result that must be exactly one track call. */
export function onlyTrack(result: MappingResult): TrackCall {
  const calls = callsOf(result);
  const [call] = calls;
  if (calls.length !== 1 || call?.type !== 'track') {
    throw new Error(`expected one track call, got ${calls.map((each) => each.type).join(', ') || 'none'}`);
  }
  return call;
}

/** The messageId of an event about an order, in MAPPING_OPTIONS' project. */
export function orderMessageId(orderId: string, event: string, discriminator: string | number): string {
  const projectKey = MAPPING_OPTIONS.projectKey;
  return buildMessageId({ projectKey, typeId: 'order', resourceId: orderId, event, discriminator });
}

/** What every event about a fixture says of it, written out for the tests to expect. */
export const expected = {
  taxExcluded: {
    /** The order's customerId. */
    userId: 'd4a8e2f1-3b6c-4d9e-8f0a-1b2c3d4e5f60',
    /** Where the order stands: its orderContext. */
    orderContext: {
      order_id: '9b2f4c1e-7a3d-4e8b-b5c6-0d1e2f3a4b5c',
      order_number: 'US-2026-004271',
      store: 'us-webshop',
      shipping_method: 'Standard Ground',
      order_state: 'Open',
      payment_state: 'Paid',
      shipment_state: 'Pending',
      country: 'US',
    },
  },
  taxIncluded: {
    /** The consent its custom field holds, which every call about it carries. */
    consent: { categoryPreferences: { Advertising: false, Analytics: true, Functional: true } },
  },
};
