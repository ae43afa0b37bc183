import { createProductCatalog, type ProductCatalog } from '../../src/commercetools/catalog';
import { createCommercetoolsApi } from '../../src/commercetools/client';
import { ConnectorError } from '../../src/errors';
import { startCommercetoolsStandIn, type CommercetoolsStandIn } from '../../src/dev/commercetools-stand-in';
import categories from '../fixtures/catalog/categories.json';
import products from '../fixtures/catalog/products.json';

/** The products' categories, read from the commercetools stand-in over HTTP and counted. */
const PROJECT_KEY = 'catalog-project';
const [sneaker, socks] = products;
const gone = '0a0b0c0d-0000-4000-8000-00000000dead';

let standIn: CommercetoolsStandIn;
const productReads: string[] = [];

beforeAll(async () => {
  standIn = await startCommercetoolsStandIn({
    projectKey: PROJECT_KEY,
    onRequest: (url) => {
      if (url.includes('/product-projections')) productReads.push(url);
    },
  });
  for (const category of categories) await standIn.add('category', category);
  for (const product of products) await standIn.add('product', product);
});
afterAll(() => standIn.close());
beforeEach(() => (productReads.length = 0));

function catalogFor(options: Parameters<typeof createProductCatalog>[1] = {}, url = standIn.url): ProductCatalog {
  const api = createCommercetoolsApi(
    { projectKey: PROJECT_KEY, clientId: 'catalog-client', clientSecret: 'catalog-secret', apiUrl: url, authUrl: url },
    { limits: { timeoutMs: 1_000, maxRetries: 1, retryDelayMs: 10 } },
  );
  return createProductCatalog(api, options);
}

const english = (paths: Map<string, readonly { en?: string }[]> | ReadonlyMap<string, readonly { en?: string }[]>) =>
  Object.fromEntries([...paths].map(([id, path]) => [id, path.map((name) => name.en)]));

it("reads each product's first category with its path from the root, in one query", async () => {
  const catalog = catalogFor();
  const paths = await catalog.categoriesOf([sneaker!.id, socks!.id, sneaker!.id, gone]);
  expect(english(paths)).toEqual({ [sneaker!.id]: ['Men', 'Shoes', 'Trail'], [socks!.id]: ['Socks'] });
  expect(productReads).toHaveLength(1);
  // The names come in every locale; the mapper picks one.
  expect(paths.get(sneaker!.id)?.[0]).toEqual({ en: 'Men', de: 'Herren' });
});

it('asks nothing again for cached products, including one that has no category, until they expire', async () => {
  let now = Date.parse('2026-12-01T10:00:00.000Z');
  const catalog = catalogFor({ ttlMs: 60_000, now: () => now });
  await catalog.categoriesOf([sneaker!.id, gone]);
  await catalog.categoriesOf([gone, sneaker!.id]);
  expect(productReads).toHaveLength(1);
  // One new product: only it is asked for.
  await catalog.categoriesOf([sneaker!.id, socks!.id]);
  expect(productReads).toHaveLength(2);
  expect(decodeURIComponent(productReads[1]!)).toContain(socks!.id);
  expect(decodeURIComponent(productReads[1]!)).not.toContain(sneaker!.id);
  now += 60_001;
  await catalog.categoriesOf([sneaker!.id]);
  expect(productReads).toHaveLength(3);
});

it('keeps at most the configured number of products, dropping the least recently used', async () => {
  const catalog = catalogFor({ maxProducts: 1 });
  await catalog.categoriesOf([sneaker!.id]);
  await catalog.categoriesOf([socks!.id]);
  await catalog.categoriesOf([socks!.id]);
  expect(productReads).toHaveLength(2);
  await catalog.categoriesOf([sneaker!.id]);
  expect(productReads).toHaveLength(3);
});

it('reads a product once for a burst of notifications that all need it', async () => {
  const catalog = catalogFor();
  const answers = await Promise.all(Array.from({ length: 20 }, () => catalog.categoriesOf([sneaker!.id])));
  expect(answers.every((paths) => paths.get(sneaker!.id)?.length === 3)).toBe(true);
  expect(productReads).toHaveLength(1);
});

it('fails as upstream-unavailable when commercetools cannot answer, and caches nothing then', async () => {
  const catalog = catalogFor({}, 'http://127.0.0.1:9');
  const failure = await catalog.categoriesOf([sneaker!.id]).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ConnectorError);
  expect((failure as ConnectorError).kind).toBe('upstream-unavailable');
});
