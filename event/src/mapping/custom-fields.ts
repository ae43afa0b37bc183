import type { CustomFields, TypedMoney } from '@commercetools/platform-sdk';
import type { JsonObject } from '../segment/calls';
import { localize } from './localize';
import { unitsOf } from './money';

/**
 * Merchants' own custom fields as Segment properties and traits (ORDER_PROPERTY_FIELDS,
 * CUSTOMER_TRAIT_FIELDS). A resource's JSON carries no field types, so each value is converted by
 * its shape, the way commercetools writes each custom field type:
 *
 * | commercetools type            | as read                                        | sent as                      |
 * |-------------------------------|------------------------------------------------|------------------------------|
 * | String, Number, Boolean       | the value                                      | the value                    |
 * | Enum, LocalizedEnum           | the value's key (a string)                     | the key                      |
 * | LocalizedString               | `{ "en": "…", "de-DE": "…" }`                  | the text in LOCALE           |
 * | Money                         | `{ type, currencyCode, centAmount, … }`        | a number in currency units   |
 * | Reference                     | `{ typeId, id }`                               | the id                       |
 * | Date, Time, DateTime          | ISO 8601 text                                  | the text                     |
 * | Set of any of these           | an array                                       | an array of converted values |
 *
 * A value of any other shape, or whose JSON would exceed MAX_CUSTOM_VALUE_LENGTH, is left out: a
 * merchant's field must never make an event too large for Segment, and a cut value is a wrong one.
 */

/** Longest JSON text of one converted value; longer values are left out. */
export const MAX_CUSTOM_VALUE_LENGTH = 1_000;

/**
 * Order event properties the connector sets itself (order.ts, order-track.ts, shipments.ts,
 * refund.ts, payment-failed.ts and the sink's truncation markers). A custom field may not be
 * configured under one of these names, and the connector's value wins should one still collide.
 */
export const CONNECTOR_ORDER_PROPERTIES: ReadonlySet<string> = new Set([
  'order_id',
  'order_number',
  'checkout_id',
  'email',
  'currency',
  'coupon',
  'total',
  'revenue',
  'subtotal',
  'total_net',
  'discount',
  'shipping',
  'tax',
  'products',
  'products_truncated',
  'products_count',
  'store',
  'shipping_method',
  'order_state',
  'payment_state',
  'shipment_state',
  'country',
  'business_unit',
  'purchase_order_number',
  'quote_id',
  'shipments',
  'shipments_truncated',
  'tracking_number',
  'carrier',
  'payment_method',
  'payment_provider',
  'transaction_type',
]);

/** Identify traits the connector sets itself (customer.ts), the same rule as above. */
export const CONNECTOR_CUSTOMER_TRAITS: ReadonlySet<string> = new Set([
  'email',
  'firstName',
  'lastName',
  'name',
  'title',
  'birthday',
  'phone',
  'address',
  'createdAt',
  'company',
  'customerNumber',
  'externalId',
  'isEmailVerified',
  'locale',
  'traits_truncated',
]);

/** Which custom field becomes which property or trait: field name → Segment name. */
export type CustomFieldNames = Readonly<Record<string, string>>;

/**
 * The configured custom fields of a resource under their Segment names; fields that are absent,
 * empty or of no known shape are left out. `connectorNames` are never written: the connector's
 * own properties (or traits) win.
 */
export function customFieldValues(
  custom: CustomFields | undefined,
  {
    names,
    locale,
    connectorNames,
  }: { names: CustomFieldNames | undefined; locale?: string; connectorNames: ReadonlySet<string> },
): JsonObject {
  const values: JsonObject = {};
  if (!custom || !names) return values;
  for (const [field, name] of Object.entries(names)) {
    if (connectorNames.has(name)) continue;
    const value = customFieldValue(custom.fields[field], locale);
    if (value !== undefined) values[name] = value;
  }
  return values;
}

/** One custom field value as Segment JSON (see the table above); undefined when it is absent or unusable. */
export function customFieldValue(value: unknown, locale?: string): unknown {
  const converted = convert(value, locale);
  if (converted === undefined) return undefined;
  return JSON.stringify(converted).length <= MAX_CUSTOM_VALUE_LENGTH ? converted : undefined;
}

function convert(value: unknown, locale: string | undefined): unknown {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    const items = value.map((item) => convert(item, locale)).filter((item) => item !== undefined);
    // A set of values none of which could be read says nothing; an empty set says "none".
    return value.length > 0 && items.length === 0 ? undefined : items;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const object = value as Record<string, unknown>;
  if (isMoney(object)) return moneyUnits(object);
  if (isReference(object)) return object.id;
  // Enum values as product attributes hold them; custom fields hold the key alone, but an API
  // extension or an import may write the pair.
  if (typeof object.key === 'string' && 'label' in object) return object.key === '' ? undefined : object.key;
  if (isLocalizedString(object)) return localize(object, locale);
  return undefined;
}

function isMoney(object: Record<string, unknown>): boolean {
  return (
    typeof object.currencyCode === 'string' &&
    typeof object.centAmount === 'number' &&
    typeof object.fractionDigits === 'number'
  );
}

/** Money in currency units, exactly (money.ts); a malformed amount is left out rather than guessed. */
function moneyUnits(object: Record<string, unknown>): number | undefined {
  try {
    return unitsOf(object as unknown as TypedMoney);
  } catch {
    return undefined;
  }
}

function isReference(object: Record<string, unknown>): boolean {
  return typeof object.typeId === 'string' && typeof object.id === 'string' && object.id !== '';
}

/** commercetools' locale keys: a language, optionally with a region or script (`en`, `de-DE`, `zh-Hant-TW`). */
const LOCALE_KEY = /^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/i;

function isLocalizedString(object: Record<string, unknown>): object is Record<string, string> {
  const entries = Object.entries(object);
  return entries.length > 0 && entries.every(([key, text]) => LOCALE_KEY.test(key) && typeof text === 'string');
}
