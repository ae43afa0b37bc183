/**
 * The settings whose values have a structure of their own (SEGMENT_WRITE_KEYS_BY_STORE,
 * OTEL_EXPORTER_OTLP_HEADERS, PRODUCT_URL_TEMPLATE): parsed and checked here, declared in
 * config.ts's one schema. Their messages say which rule the value breaks, never what it holds.
 */
import { z } from 'zod';
import { PRODUCT_URL_PLACEHOLDERS } from './mapping/products';

const STORE_KEY = /^[A-Za-z0-9_-]{2,256}$/;

/**
 * A JSON object from store key to Segment write key. Its messages never echo the value: it
 * holds secrets.
 */
export const writeKeysByStore = z.string().transform((text, ctx) => {
  const example = 'must be a JSON object from store key to write key, such as {"eu-store":"…","us-store":"…"}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `${example} (it is not valid JSON)` });
    return z.NEVER;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    ctx.addIssue({ code: 'custom', message: example });
    return z.NEVER;
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.some(([store]) => store.trim() === ''))
    ctx.addIssue({ code: 'custom', message: 'has an empty store key' });
  else if (entries.some(([store]) => !STORE_KEY.test(store))) {
    ctx.addIssue({
      code: 'custom',
      message: 'has a store key that is not a commercetools key (2 to 256 letters, digits, _ and -)',
    });
  }
  if (entries.some(([, key]) => typeof key !== 'string' || key.trim() === '')) {
    ctx.addIssue({ code: 'custom', message: 'has an empty (or non-text) write key' });
  }
  return Object.fromEntries(entries.map(([store, key]) => [store, String(key).trim()]));
});

/**
 * OTEL_EXPORTER_OTLP_HEADERS as the OpenTelemetry specification writes it: `key=value` pairs
 * separated by commas, values URL-encoded. Its messages never echo the value: it holds secrets.
 */
export const otlpHeaders = z.string().transform((text, ctx) => {
  const headers: Record<string, string> = {};
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    const name = at > 0 ? pair.slice(0, at).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      ctx.addIssue({ code: 'custom', message: 'must be key=value pairs separated by commas' });
      return z.NEVER;
    }
    try {
      headers[name] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      ctx.addIssue({ code: 'custom', message: 'has a value that is not URL-encoded' });
      return z.NEVER;
    }
  }
  return headers;
});

/**
 * PRODUCT_URL_TEMPLATE: an absolute http(s) URL with placeholders such as `{slug}`. An unknown
 * placeholder is refused by its name (the storefront's own syntax would otherwise reach Segment
 * as literal braces); the template itself is not secret, but messages still do not echo it.
 */
export const productUrlTemplate = z
  .string()
  .trim()
  .superRefine((template, ctx) => {
    const unknown = [...template.matchAll(/\{([^{}]*)\}/g)]
      .map((match) => match[1] ?? '')
      .filter((name) => !(PRODUCT_URL_PLACEHOLDERS as readonly string[]).includes(name));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `has unknown placeholders ${unknown.map((name) => `{${name}}`).join(', ')}; known are ${PRODUCT_URL_PLACEHOLDERS.map((name) => `{${name}}`).join(', ')}`,
      });
      return;
    }
    const example = PRODUCT_URL_PLACEHOLDERS.reduce((text, name) => text.replaceAll(`{${name}}`, 'x'), template);
    if (!/^https?:\/\/[^/\s]+/.test(example) || !URL.canParse(example)) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be an absolute http(s) URL with placeholders, such as https://shop.example/{locale}/p/{slug}',
      });
    }
  });
