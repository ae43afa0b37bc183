import type {
  ByProjectKeyRequestBuilder,
  Category,
  LocalizedString,
  ProductProjection,
} from '@commercetools/platform-sdk';
import type { ProductCategories } from '../mapping/types';
import { readOrUndefined } from './reads';

/**
 * Where products' categories come from: commercetools, behind an in-process cache. A line item
 * names its product but not its categories, so `category` needs the product.
 */
export interface ProductCatalog {
  /**
   * Per product id, the names of its first category's path from the root category. A product with
   * no category, not published or gone is absent. At most one query, for the products the cache
   * does not hold; a transient failure rejects with upstream-unavailable, as every read does.
   */
  categoriesOf(productIds: readonly string[], signal?: AbortSignal): Promise<ProductCategories>;
}

export interface CatalogOptions {
  /** Products whose category path is kept; the least recently used goes first. */
  maxProducts?: number;
  /** How long a product's category path is kept before it is read again. */
  ttlMs?: number;
  now?: () => number;
}

/** Enough for a large catalogue's best sellers; a path of a few localized names is a few hundred bytes. */
export const DEFAULT_MAX_CACHED_PRODUCTS = 10_000;
/** A renamed or re-sorted category reaches Segment within this time. */
export const DEFAULT_CATEGORY_TTL_MS = 15 * 60 * 1000;
/** commercetools' largest page, and a URL of ids that stays far below its length limit. */
const PRODUCTS_PER_QUERY = 100;

interface CachedPath {
  path: readonly LocalizedString[];
  expiresAt: number;
}

export function createProductCatalog(api: ByProjectKeyRequestBuilder, options: CatalogOptions = {}): ProductCatalog {
  const maxProducts = options.maxProducts ?? DEFAULT_MAX_CACHED_PRODUCTS;
  const ttlMs = options.ttlMs ?? DEFAULT_CATEGORY_TTL_MS;
  const now = options.now ?? Date.now;
  // A Map remembers insertion order: re-inserting on use keeps the least recently used first.
  const cache = new Map<string, CachedPath>();

  const cached = (id: string): CachedPath | undefined => {
    const entry = cache.get(id);
    if (!entry) return undefined;
    cache.delete(id);
    if (entry.expiresAt <= now()) return undefined;
    cache.set(id, entry);
    return entry;
  };
  const remember = (id: string, path: readonly LocalizedString[]) => {
    cache.delete(id);
    cache.set(id, { path, expiresAt: now() + ttlMs });
    while (cache.size > maxProducts) cache.delete(cache.keys().next().value as string);
  };

  // Products being read now: a notification that needs one of them waits for that read instead
  // of asking again, so a burst of orders of one product costs one query.
  const pending = new Map<string, Promise<readonly LocalizedString[]>>();

  const read = async (ids: readonly string[], signal?: AbortSignal) => {
    const found = new Map<string, ProductProjection>();
    for (let start = 0; start < ids.length; start += PRODUCTS_PER_QUERY) {
      const chunk = ids.slice(start, start + PRODUCTS_PER_QUERY);
      const page = await readOrUndefined(
        'product look-up',
        () =>
          api
            .productProjections()
            .get({
              queryArgs: {
                // A predicate variable lists the ids, as for emails: no quoting in the predicate.
                where: 'id in :ids',
                'var.ids': chunk,
                // The categories and their ancestors in the same answer: no second query.
                expand: ['categories[*].ancestors[*]'],
                staged: false,
                limit: chunk.length,
                withTotal: false,
              },
            })
            .execute(),
        signal,
      );
      for (const product of page?.results ?? []) found.set(product.id, product);
    }
    // Products not found are remembered as having no category, so they cost no query either.
    return new Map(ids.map((id) => [id, categoryPath(found.get(id))] as const));
  };

  return {
    async categoriesOf(productIds, signal) {
      const paths = new Map<string, readonly LocalizedString[]>();
      const waiting: [string, Promise<readonly LocalizedString[]>][] = [];
      const missing: string[] = [];
      for (const id of new Set(productIds)) {
        const entry = cached(id);
        const inFlight = pending.get(id);
        if (entry) paths.set(id, entry.path);
        else if (inFlight) waiting.push([id, inFlight]);
        else missing.push(id);
      }
      if (missing.length > 0) {
        const reading = read(missing, signal);
        for (const id of missing) {
          const path = reading.then((read) => read.get(id) ?? []);
          // Its own readers see the failure; the entry only has to go.
          path.catch(() => undefined);
          pending.set(id, path);
          waiting.push([id, path]);
        }
        try {
          for (const [id, path] of await reading) remember(id, path);
        } finally {
          for (const id of missing) pending.delete(id);
        }
      }
      for (const [id, path] of waiting) paths.set(id, await path);
      for (const [id, path] of paths) if (path.length === 0) paths.delete(id);
      return paths;
    },
  };
}

/**
 * The names from the root category down to the product's first category. The path follows each
 * category's `parent` through the expanded ancestors rather than trusting their order; an
 * ancestor that was not expanded ends the path where it is known.
 */
export function categoryPath(product: ProductProjection | undefined): LocalizedString[] {
  const first = product?.categories[0]?.obj;
  if (!first) return [];
  const ancestors = new Map<string, Category>(
    first.ancestors.flatMap((reference) => (reference.obj ? [[reference.id, reference.obj] as const] : [])),
  );
  const path: LocalizedString[] = [first.name];
  const seen = new Set<string>([first.id]);
  let parentId = first.parent?.id;
  while (parentId && !seen.has(parentId)) {
    const parent = ancestors.get(parentId);
    if (!parent) break;
    path.unshift(parent.name);
    seen.add(parentId);
    parentId = parent.parent?.id;
  }
  return path;
}
