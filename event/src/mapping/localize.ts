import type { LocalizedString } from '@commercetools/platform-sdk';

/**
 * The best text of a LocalizedString for `locale`: the exact key, then the same key in another
 * case (`en-us`), then the same language (`en` for `en-US` and the other way round, a bare
 * language key first), then whatever is there, because a product name in another language beats
 * no name in analytics. Empty strings count as absent.
 */
export function localize(value: LocalizedString | undefined, locale?: string): string | undefined {
  const entries = Object.entries(value ?? {}).filter(([, text]) => typeof text === 'string' && text !== '');
  if (entries.length === 0) return undefined;
  if (locale) {
    const wanted = locale.toLowerCase();
    const language = languageOf(wanted);
    const match =
      entries.find(([key]) => key === locale) ??
      entries.find(([key]) => key.toLowerCase() === wanted) ??
      entries.find(([key]) => key.toLowerCase() === language) ??
      entries.find(([key]) => languageOf(key.toLowerCase()) === language);
    if (match) return match[1];
  }
  return entries[0]?.[1];
}

/** `de` of `de-AT`; commercetools uses IETF tags, some clients send `de_AT`. */
function languageOf(tag: string): string {
  return tag.split(/[-_]/)[0] ?? tag;
}
