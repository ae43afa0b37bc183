import type { z } from 'zod';

/**
 * Where in a document a zod issue is, told without what the sender chose: keys the schema names
 * are kept, array indexes too, and any other key (a record's, such as
 * `resourceUserProvidedIdentifiers.<key>` or Pub/Sub's `message.attributes.<key>`) becomes `*`.
 * A key can be an email, or 600 KB long.
 */

/** Segments of a path told, at most: deeper issues end in `…`. */
const MAX_SEGMENTS = 8;

interface Definition {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  items?: z.ZodType[];
  rest?: z.ZodType | null;
  getter?: () => z.ZodType;
}

/** zod 4 keeps a schema's definition in `_zod.def` (its documented extension point). */
const definitionOf = (schema: z.ZodType): Definition => (schema as unknown as { _zod: { def: Definition } })._zod.def;

/** The schemas a value may be checked by: through wrappers (optional, default, pipe…) and unions. */
function alternatives(schema: z.ZodType | undefined, seen = 0): z.ZodType[] {
  if (!schema || seen > 16) return [];
  const definition = definitionOf(schema);
  const next = (inner: z.ZodType | undefined) => alternatives(inner, seen + 1);
  switch (definition.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return next(definition.innerType);
    case 'pipe':
      return next(definition.in);
    case 'lazy':
      return next(definition.getter?.());
    case 'union':
      return (definition.options ?? []).flatMap(next);
    case 'intersection':
      return [...next(definition.left), ...next(definition.right)];
    default:
      return [schema];
  }
}

function childrenAt(schemas: z.ZodType[], key: PropertyKey): { named: boolean; schemas: z.ZodType[] } {
  const named: z.ZodType[] = [];
  const other: z.ZodType[] = [];
  for (const schema of schemas) {
    const definition = definitionOf(schema);
    if (typeof key === 'number') {
      if (definition.type === 'array') other.push(...alternatives(definition.element));
      if (definition.type === 'tuple')
        other.push(...alternatives(definition.items?.[key] ?? definition.rest ?? undefined));
    } else if (
      typeof key === 'string' &&
      definition.type === 'object' &&
      definition.shape &&
      Object.hasOwn(definition.shape, key)
    ) {
      named.push(...alternatives(definition.shape[key]));
    } else if (definition.type === 'record') {
      other.push(...alternatives(definition.valueType));
    }
  }
  return named.length > 0 ? { named: true, schemas: named } : { named: false, schemas: other };
}

/** `message.attributes.*`, `resource.id`, `order.lineItems.3.name.*`: the path of an issue under `schema`. */
export function issuePath(path: readonly PropertyKey[], schema: z.ZodType): string {
  let schemas = alternatives(schema);
  const segments: string[] = [];
  for (const key of path.slice(0, MAX_SEGMENTS)) {
    const children = childrenAt(schemas, key);
    if (typeof key === 'number') segments.push(String(key));
    else segments.push(children.named ? String(key) : '*');
    schemas = children.schemas;
  }
  if (path.length > MAX_SEGMENTS) segments.push('…');
  return segments.join('.');
}
