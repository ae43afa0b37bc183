import type { CustomFields } from '@commercetools/platform-sdk';
import {
  CONNECTOR_ORDER_PROPERTIES,
  customFieldValue,
  customFieldValues,
  MAX_CUSTOM_VALUE_LENGTH,
} from '../../src/mapping/custom-fields';

/**
 * An order's `custom` as commercetools' API returns it for a type with one field of each kind:
 * the JSON names no field types, so the values alone must tell what they are.
 */
const custom: CustomFields = {
  type: { typeId: 'type', id: '4a0b7f3c-2d8e-4f51-a6c9-1e7d3b5f9a20' },
  fields: {
    giftMessage: 'Happy birthday, Ada!',
    loyaltyPoints: 1250,
    rating: 4.5,
    isGift: true,
    newsletter: false,
    deliveryWindow: 'evening', // Enum: commercetools holds the key
    packaging: 'eco-box', // LocalizedEnum: the key too
    giftNote: { en: 'With love', de: 'Mit Liebe', 'de-AT': 'Mit Liab' }, // LocalizedString
    deposit: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 2550, fractionDigits: 2 },
    voucherValue: { type: 'centPrecision', currencyCode: 'JPY', centAmount: 1200, fractionDigits: 0 },
    unitFee: {
      type: 'highPrecision',
      currencyCode: 'EUR',
      centAmount: 12,
      preciseAmount: 1235,
      fractionDigits: 4,
    },
    pickupStore: { typeId: 'channel', id: '5e3c1a2b-7d9f-4e61-8a0b-c2d4e6f8a1b3' },
    deliveryDate: '2026-03-18',
    deliveryTime: '14:30:00.000',
    confirmedAt: '2026-03-14T09:31:12.000Z',
    tags: ['birthday', 'express'],
    occasions: ['birthday', 'anniversary'], // Set of Enum: keys
    notes: [{ en: 'Ring twice', de: 'Zweimal klingeln' }], // Set of LocalizedString
    deposits: [
      { type: 'centPrecision', currencyCode: 'EUR', centAmount: 500, fractionDigits: 2 },
      { type: 'centPrecision', currencyCode: 'EUR', centAmount: 1, fractionDigits: 2 },
    ],
    relatedOrders: [
      { typeId: 'order', id: '7d0e2f4a-9b8c-4e6d-af5a-0b2c4d6e8f91' },
      { typeId: 'order', id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' },
    ],
    emptySet: [],
    blank: '',
    consent: '{"categoryPreferences":{"Analytics":true}}',
  },
};

const value = (field: string, locale?: string) => customFieldValue(custom.fields[field], locale);

describe('customFieldValue: by the value’s shape', () => {
  it('sends text, numbers and booleans as they are', () => {
    expect(value('giftMessage')).toBe('Happy birthday, Ada!');
    expect(value('loyaltyPoints')).toBe(1250);
    expect(value('rating')).toBe(4.5);
    expect(value('isGift')).toBe(true);
    expect(value('newsletter')).toBe(false);
  });

  it('sends enums and localized enums by key, as commercetools holds them', () => {
    expect(value('deliveryWindow')).toBe('evening');
    expect(value('packaging')).toBe('eco-box');
    // The pair as product attributes hold it (an import or an extension may write it): the key still.
    expect(customFieldValue({ key: 'eco-box', label: { en: 'Eco box' } })).toBe('eco-box');
  });

  it('sends a localized string in LOCALE, falling back like product names', () => {
    expect(value('giftNote', 'de')).toBe('Mit Liebe');
    expect(value('giftNote', 'de-AT')).toBe('Mit Liab');
    expect(value('giftNote', 'de-CH')).toBe('Mit Liebe');
    expect(value('giftNote', 'fr')).toBe('With love');
    expect(value('giftNote')).toBe('With love');
  });

  it('sends money in currency units, exactly, whatever its precision', () => {
    expect(value('deposit')).toBe(25.5);
    expect(value('voucherValue')).toBe(1200);
    expect(value('unitFee')).toBe(0.1235);
  });

  it('sends a reference by id, and dates and times as the ISO text they are', () => {
    expect(value('pickupStore')).toBe('5e3c1a2b-7d9f-4e61-8a0b-c2d4e6f8a1b3');
    expect(value('deliveryDate')).toBe('2026-03-18');
    expect(value('deliveryTime')).toBe('14:30:00.000');
    expect(value('confirmedAt')).toBe('2026-03-14T09:31:12.000Z');
  });

  it('sends a set as an array of its converted values', () => {
    expect(value('tags')).toEqual(['birthday', 'express']);
    expect(value('occasions')).toEqual(['birthday', 'anniversary']);
    expect(value('notes', 'de')).toEqual(['Zweimal klingeln']);
    expect(value('deposits')).toEqual([5, 0.01]);
    expect(value('relatedOrders')).toEqual([
      '7d0e2f4a-9b8c-4e6d-af5a-0b2c4d6e8f91',
      '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
    ]);
    expect(value('emptySet')).toEqual([]);
  });

  it('leaves out what is absent, empty or of no known shape, rather than guess', () => {
    expect(value('missing')).toBeUndefined();
    expect(value('blank')).toBeUndefined();
    expect(customFieldValue(null)).toBeUndefined();
    expect(customFieldValue({ some: { nested: 'object' } })).toBeUndefined();
    expect(customFieldValue([{ some: 'object' }])).toBeUndefined();
    // Money that cannot be exact (an unsafe integer, high precision without its amount) is no figure.
    expect(
      customFieldValue({ type: 'centPrecision', currencyCode: 'EUR', centAmount: 2 ** 60, fractionDigits: 2 }),
    ).toBeUndefined();
    expect(customFieldValue({ type: 'highPrecision', currencyCode: 'EUR', centAmount: 1, fractionDigits: 4 })).toBe(
      undefined,
    );
  });

  it('leaves out a value whose JSON is longer than the bound, instead of cutting it', () => {
    expect(customFieldValue('x'.repeat(MAX_CUSTOM_VALUE_LENGTH - 2))).toHaveLength(MAX_CUSTOM_VALUE_LENGTH - 2);
    expect(customFieldValue('x'.repeat(MAX_CUSTOM_VALUE_LENGTH))).toBeUndefined();
    expect(customFieldValue(Array.from({ length: 100 }, () => 'birthday-gift'))).toBeUndefined();
  });
});

describe('customFieldValues: the configured fields under their Segment names', () => {
  it('names each field as configured and leaves out the ones the resource does not hold', () => {
    expect(
      customFieldValues(custom, {
        names: { giftMessage: 'gift_message', deposit: 'deposit', giftNote: 'gift_note', nothing: 'nothing' },
        locale: 'de',
        connectorNames: CONNECTOR_ORDER_PROPERTIES,
      }),
    ).toEqual({ gift_message: 'Happy birthday, Ada!', deposit: 25.5, gift_note: 'Mit Liebe' });
  });

  it('never writes a name the connector sets itself', () => {
    expect(
      customFieldValues(custom, {
        names: { loyaltyPoints: 'total', giftMessage: 'gift_message' },
        connectorNames: CONNECTOR_ORDER_PROPERTIES,
      }),
    ).toEqual({ gift_message: 'Happy birthday, Ada!' });
  });

  it('is empty without custom fields or without a mapping', () => {
    expect(customFieldValues(undefined, { names: { a: 'b' }, connectorNames: new Set() })).toEqual({});
    expect(customFieldValues(custom, { names: undefined, connectorNames: new Set() })).toEqual({});
  });
});
