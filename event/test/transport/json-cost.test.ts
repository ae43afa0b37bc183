import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JsonTooDeepError, scanJson } from '../../src/transport/json-cost';
import { DEFAULT_JSON_LIMITS, parseJsonBytes, type ByteAccount } from '../../src/transport/parse';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';

const scan = (text: string) => scanJson(Buffer.from(text), 64);
const costPerByte = (text: string) => scan(text).cost / Buffer.byteLength(text);

/** Every commercetools payload the tests hold (the fixtures hold copies of the demo's samples too). */
const root = join(__dirname, '..', '..');
const payloads = ['test/fixtures/orders', 'test/fixtures/customers']
  .flatMap((folder) => readdirSync(join(root, folder)).map((file) => join(folder, file)))
  .filter((path) => path.endsWith('.json'));

function orderOf(lines: number) {
  const [line] = taxExcludedOrder.lineItems;
  return {
    ...taxExcludedOrder,
    lineItems: Array.from({ length: lines }, (_, n) => ({ ...line, id: `line-${n}`, name: { en: `Product ${n}` } })),
  };
}

describe('scanJson', () => {
  it('counts what JSON.parse will make, ignoring what strings hold', () => {
    expect(scan('{"a":[1,2,{"b":"[{,}]"}],"c":"\\"{"}')).toMatchObject({
      containers: 3,
      members: 6,
      depth: 3,
      ascii: true,
    });
    expect(scan('[]')).toMatchObject({ containers: 1, members: 0, depth: 1 });
    expect(scan('"é"')).toMatchObject({ containers: 0, ascii: false });
  });

  it('stops at the first level past the limit, without reading the rest', () => {
    const deep = Buffer.from(`${'['.repeat(65)}${'x'.repeat(1_000_000)}`);
    expect(() => scanJson(deep, 64)).toThrow(JsonTooDeepError);
    expect(scanJson(Buffer.from(`${'['.repeat(64)}${']'.repeat(64)}`), 64).depth).toBe(64);
  });

  it.each(payloads)('keeps %s within the limit on cost per byte', (path) => {
    expect(costPerByte(readFileSync(join(root, path), 'utf8'))).toBeLessThan(DEFAULT_JSON_LIMITS.maxCostPerByte);
  });

  it('estimates a large order at about 2.5 bytes a byte, one shape for all its line items', () => {
    expect(costPerByte(JSON.stringify({ order: orderOf(1_000) }))).toBeLessThan(3);
  });

  it.each([
    ['empty objects', `[${new Array(10_000).fill('{}').join(',')}]`],
    ['empty arrays', `[${new Array(10_000).fill('[]').join(',')}]`],
    ['objects of made-up keys', `[${Array.from({ length: 10_000 }, (_, n) => `{"k${n}":0}`).join(',')}]`],
    ['one object of made-up keys', `{${Array.from({ length: 10_000 }, (_, n) => `"k${n}":0`).join(',')}}`],
  ])('estimates %s beyond the limit', (_label, text) => {
    expect(costPerByte(text)).toBeGreaterThan(DEFAULT_JSON_LIMITS.maxCostPerByte);
  });
});

describe('parseJsonBytes', () => {
  function recording(): ByteAccount & { charged: number; peak: number } {
    return {
      charged: 0,
      peak: 0,
      charge(bytes) {
        this.charged += bytes;
        this.peak = Math.max(this.peak, this.charged);
      },
      release(bytes) {
        this.charged -= bytes;
      },
    };
  }

  it('charges the text while it parses and keeps the parsed value charged', () => {
    const text = JSON.stringify({ order: orderOf(50) });
    const account = recording();
    expect(parseJsonBytes(Buffer.from(text), 'the body', { limits: DEFAULT_JSON_LIMITS, account })).toEqual(
      JSON.parse(text),
    );
    expect(account.charged).toBe(scan(text).cost);
    expect(account.peak).toBe(scan(text).cost + text.length);
  });

  it('charges text outside ASCII twice: V8 holds it as two-byte characters', () => {
    const text = JSON.stringify({ name: 'Crème brûlée' });
    const account = recording();
    parseJsonBytes(Buffer.from(text), 'the body', { limits: DEFAULT_JSON_LIMITS, account });
    expect(account.peak).toBe(scan(text).cost + 2 * Buffer.byteLength(text));
  });

  it.each([
    ['not JSON', '{"a":', 'the body does not hold JSON'],
    ['nested too deep', `${'['.repeat(65)}${']'.repeat(65)}`, 'the body nests deeper than 64 levels'],
    [
      'costly for its size',
      `[${new Array(100_000).fill('{}').join(',')}]`,
      'the body would cost more memory once parsed than its size allows',
    ],
  ])('refuses a body %s as a bad request, and keeps nothing charged', (_label, text, message) => {
    const account = recording();
    expect(() => parseJsonBytes(Buffer.from(text), 'the body', { limits: DEFAULT_JSON_LIMITS, account })).toThrow(
      message,
    );
    expect(account.charged).toBe(0);
  });

  it('lets a small document cost more than its proportion', () => {
    expect(parseJsonBytes(Buffer.from('{"a":{},"b":[]}'), 'the body', { limits: DEFAULT_JSON_LIMITS })).toEqual({
      a: {},
      b: [],
    });
  });
});
