import type { CustomFields } from '@commercetools/platform-sdk';
import type { JsonObject } from '../segment/calls';

export type ConsentReading = { kind: 'absent' } | { kind: 'valid'; consent: JsonObject } | { kind: 'invalid' };

/**
 * Reads the shopper's consent from a custom field. The field usually holds a JSON string such as
 * `{"categoryPreferences":{"Advertising":false,"Analytics":true}}` (Segment's consent object);
 * a field already holding an object is accepted as is. Anything else is `invalid`, so callers can
 * refuse to send data whose consent they cannot honour, instead of sending it without consent.
 */
export function readConsent(custom: CustomFields | undefined, fieldName: string): ConsentReading {
  const value: unknown = custom?.fields[fieldName];
  if (value === undefined || value === null || value === '') return { kind: 'absent' };
  const parsed = typeof value === 'string' ? parseJson(value) : value;
  return isPlainObject(parsed) ? { kind: 'valid', consent: parsed } : { kind: 'invalid' };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The call's `context` for a reading: Segment's consent object when there is one. */
export function consentContext(reading: ConsentReading): { context?: { consent: JsonObject } } {
  return reading.kind === 'valid' ? { context: { consent: reading.consent } } : {};
}
