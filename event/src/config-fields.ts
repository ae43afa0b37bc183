/**
 * The settings that map custom fields to Segment (TRACKING_FIELDS, ORDER_PROPERTY_FIELDS,
 * CUSTOMER_TRAIT_FIELDS), each a JSON object: parsed and checked here, declared in config.ts's one
 * schema. Like every setting, their messages say which rule an entry breaks, never what it holds.
 */
import { z } from 'zod';
import type { CustomFieldNames } from './mapping/custom-fields';
import { DEFAULT_TRACKING_FIELDS, parseTrackingTarget, type TrackingField } from './mapping/tracking';

/** A commercetools custom field name (FieldDefinition `name`: letters, digits, _ and -). */
const FIELD_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const FIELD_NAME_RULE = 'a commercetools custom field name (letters, digits, _ and -)';

/** A Segment property or trait name the connector may write: a plain identifier, as warehouses keep it. */
const SEGMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

/**
 * A JSON object of text values, for the settings that map custom fields. Its messages name an entry
 * by its position, never by its text.
 */
function jsonTextObject(
  text: string,
  ctx: z.RefinementCtx,
  example: string,
): [key: string, value: string, position: string][] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `must be a JSON object such as ${example} (it is not valid JSON)` });
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    ctx.addIssue({ code: 'custom', message: `must be a JSON object such as ${example}` });
    return undefined;
  }
  const entries = Object.entries(parsed as Record<string, unknown>);
  const notText = entries.findIndex(([, value]) => typeof value !== 'string');
  if (notText >= 0) {
    ctx.addIssue({ code: 'custom', message: `entry ${notText + 1} has a value that is not text` });
    return undefined;
  }
  return entries.map(([key, value], index) => [key, value as string, `entry ${index + 1}`]);
}

/** TRACKING_FIELDS: Segment path → custom field name; `{}` reads no tracking field. */
export const trackingFields = z.string().transform((text, ctx): TrackingField[] => {
  const entries = jsonTextObject(text, ctx, '{"anonymousId":"segmentAnonymousId","context.ip":"clientIp"}');
  if (!entries) return z.NEVER;
  const fields: TrackingField[] = [];
  for (const [path, field, position] of entries) {
    const parsed = parseTrackingTarget(path);
    if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: `${position} ${parsed.problem}` });
    else fields.push({ target: parsed.target, field });
    if (!FIELD_NAME.test(field)) {
      ctx.addIssue({ code: 'custom', message: `${position} has a field that is not ${FIELD_NAME_RULE}` });
    }
  }
  // context.page cannot be a text and hold page.url too.
  const leaves = new Set(
    fields.flatMap(({ target }) => (target.kind === 'context' && target.keys.length === 1 ? [target.keys[0]] : [])),
  );
  if (
    fields.some(({ target }) => target.kind === 'context' && target.keys.length === 2 && leaves.has(target.keys[0]))
  ) {
    ctx.addIssue({ code: 'custom', message: 'targets both context.<key> and context.<key>.<key> of the same key' });
  }
  return fields;
});

/**
 * ORDER_PROPERTY_FIELDS and CUSTOMER_TRAIT_FIELDS: custom field name → Segment property (trait)
 * name. A name the connector sets itself is refused: the connector's value would win anyway, and a
 * setting that silently does nothing is worse than one that stops start-up.
 */
export const customFieldNames = (what: 'property' | 'trait', connectorNames: ReadonlySet<string>) =>
  z.string().transform((text, ctx): CustomFieldNames => {
    const entries = jsonTextObject(text, ctx, `{"giftMessage":"gift_message"}`);
    if (!entries) return z.NEVER;
    const seen = new Set<string>();
    for (const [field, name, position] of entries) {
      if (!FIELD_NAME.test(field)) {
        ctx.addIssue({ code: 'custom', message: `${position} has a key that is not ${FIELD_NAME_RULE}` });
      }
      if (!SEGMENT_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `${position} has a ${what} name that is not letters, digits and _ (not starting with a digit, at most 100)`,
        });
      } else if (connectorNames.has(name)) {
        ctx.addIssue({ code: 'custom', message: `${position} names a ${what} the connector sets itself` });
      } else if (seen.has(name)) {
        ctx.addIssue({ code: 'custom', message: `${position} names the same ${what} as an earlier entry` });
      }
      seen.add(name);
    }
    return Object.fromEntries(entries.map(([field, name]) => [field, name]));
  });

/** The default TRACKING_FIELDS, parsed. */
export function defaultTrackingFields(): TrackingField[] {
  return trackingFields.parse(JSON.stringify(DEFAULT_TRACKING_FIELDS));
}
