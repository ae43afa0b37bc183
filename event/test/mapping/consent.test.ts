import type { CustomFields } from '@commercetools/platform-sdk';
import { readConsent } from '../../src/mapping/consent';
import { customFields } from '../support/builders';

describe('readConsent', () => {
  it.each<[string, CustomFields | undefined]>([
    ['no custom fields', undefined],
    ['the field missing', customFields({ newsletter: true })],
    ['the field null', customFields({ consent: null })],
    ['the field an empty string', customFields({ consent: '' })],
  ])('is absent with %s', (_case, custom) => {
    expect(readConsent(custom, 'consent')).toEqual({ kind: 'absent' });
  });

  it('parses a JSON string holding an object', () => {
    const custom = customFields({ consent: '{"categoryPreferences":{"Advertising":false,"Analytics":true}}' });
    expect(readConsent(custom, 'consent')).toEqual({
      kind: 'valid',
      consent: { categoryPreferences: { Advertising: false, Analytics: true } },
    });
  });

  it('accepts a field that already holds an object', () => {
    const custom = customFields({ consent: { categoryPreferences: { Functional: true } } });
    expect(readConsent(custom, 'consent')).toEqual({
      kind: 'valid',
      consent: { categoryPreferences: { Functional: true } },
    });
  });

  it('reads the configured field and no other', () => {
    const custom = customFields({ consent: 'not json', segmentConsent: '{"categoryPreferences":{}}' });
    expect(readConsent(custom, 'segmentConsent')).toEqual({ kind: 'valid', consent: { categoryPreferences: {} } });
    expect(readConsent(custom, 'consent')).toEqual({ kind: 'invalid' });
  });

  it.each<[string, unknown]>([
    ['unparseable JSON', '{"categoryPreferences":{"Advertising":fal'],
    ['a JSON array', '[{"Advertising":false}]'],
    ['a JSON number', '42'],
    ['a JSON boolean', 'true'],
    ['a JSON string', '"yes"'],
    ['JSON null', 'null'],
    ['blank text', '   '],
    ['a number', 42],
    ['a boolean', false],
    ['an array', [{ Advertising: false }]],
  ])('is invalid for %s', (_case, value) => {
    expect(readConsent(customFields({ consent: value }), 'consent')).toEqual({ kind: 'invalid' });
  });
});
