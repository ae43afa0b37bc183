import { localize } from '../../src/mapping/localize';

describe('localize', () => {
  const name = { en: 'Linen Shirt', 'de-DE': 'Leinenhemd', 'fr-CA': 'Chemise en lin' };

  it('takes the exact locale', () => {
    expect(localize(name, 'de-DE')).toBe('Leinenhemd');
    expect(localize(name, 'en')).toBe('Linen Shirt');
  });

  it('ignores letter case in the key', () => {
    expect(localize(name, 'de-de')).toBe('Leinenhemd');
    expect(localize(name, 'FR-ca')).toBe('Chemise en lin');
  });

  it('falls back to the same language in both directions', () => {
    expect(localize(name, 'en-US')).toBe('Linen Shirt'); // en-US → en
    expect(localize(name, 'de')).toBe('Leinenhemd'); // de → de-DE
    expect(localize(name, 'fr-FR')).toBe('Chemise en lin'); // fr-FR → fr-CA
    expect(localize({ 'en-US': 'Color', 'en-GB': 'Colour' }, 'en')).toBe('Color');
  });

  it('prefers the bare language over another region of it', () => {
    expect(localize({ 'en-US': 'Sneaker', en: 'Trainer' }, 'en-GB')).toBe('Trainer');
  });

  it('uses the first value when the language is missing or no locale is asked for', () => {
    expect(localize(name, 'ja-JP')).toBe('Linen Shirt');
    expect(localize(name)).toBe('Linen Shirt');
    expect(localize({ de: 'Gürtel', en: 'Belt' })).toBe('Gürtel');
  });

  it('skips empty texts and gives undefined when nothing is left', () => {
    expect(localize({ en: '', de: 'Gürtel' }, 'en')).toBe('Gürtel');
    expect(localize({}, 'en')).toBeUndefined();
    expect(localize({ en: '' })).toBeUndefined();
    expect(localize(undefined, 'en')).toBeUndefined();
  });
});
