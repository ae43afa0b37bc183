import type { CustomFields } from '@commercetools/platform-sdk';
import { readConsent } from '../../src/mapping/consent';

const withFields = (fields: Record<string, unknown>): CustomFields => ({
  type: { typeId: 'type', id: '4a0b7f3c-2d8e-4f51-a6c9-1e7d3b5f9a20' },
  fields,
});

describe('readConsent', () => {
  it.each<[string, CustomFields | undefined]>([
    ['no custom fields', undefined],
    ['the field missing', withFields({ newsletter: true })],
    ['the field null', withFields({ consent: null })],
    ['the field an empty string', withFields({ consent: '' })],
  ])('is absent with %s', (_case, custom) => {
    expect(readConsent(custom, 'consent')).toEqual({ kind: 'absent' });
  });

  it('parses a JSON string holding an object', () => {
    const custom = withFields({ consent: '{"categoryPreferences":{"Advertising":false,"Analytics":true}}' });
    expect(readConsent(custom, 'consent')).toEqual({
      kind: 'valid',
      consent: { categoryPreferences: { Advertising: false, Analytics: true } },
    });
  });

  it('accepts a field that already holds an object', () => {
    const custom = withFields({ consent: { categoryPreferences: { Functional: true } } });
    expect(readConsent(custom, 'consent')).toEqual({
      kind: 'valid',
      consent: { categoryPreferences: { Functional: true } },
    });
  });

  it('reads the configured field and no other', () => {
    const custom = withFields({ consent: 'not json', segmentConsent: '{"categoryPreferences":{}}' });
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
    expect(readConsent(withFields({ consent: value }), 'consent')).toEqual({ kind: 'invalid' });
  });
});
