/**
 * `npm run bench:json-cost`
 *
 * What JSON costs once parsed, against what src/transport/json-cost.ts estimates before it is:
 * for the commercetools payloads in test/fixtures (copies of the demo's samples included), for
 * large orders, and for shapes built to cost much more than their size. Prints, per document, its
 * size, the heap JSON.parse made (measured between forced collections, so run with --expose-gc,
 * as the script does), the estimate, both per byte of text, and how long the scan took. The
 * estimate should never be below the measurement; DEFAULT_JSON_LIMITS.maxCostPerByte should sit
 * between the payloads and the shapes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import taxExcludedOrder from '../test/fixtures/orders/order-tax-excluded.json';
import { scanJson } from '../src/transport/json-cost';
import { DEFAULT_JSON_LIMITS } from '../src/transport/parse';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:json-cost does)');

function orderOf(lines: number) {
  const [line] = taxExcludedOrder.lineItems;
  return {
    ...taxExcludedOrder,
    lineItems: Array.from({ length: lines }, (_, n) => ({
      ...line,
      id: `line-${n}`,
      name: { en: `Product ${n} ${Math.random()}` },
      variant: { ...line?.variant, sku: `SKU-${n}` },
    })),
  };
}

const list = (count: number, item: (n: number) => string) => Array.from({ length: count }, (_, n) => item(n)).join(',');

const root = join(__dirname, '..');
const documents: [string, string][] = [
  ...['test/fixtures/orders', 'test/fixtures/customers']
    .flatMap((folder) => readdirSync(join(root, folder)).map((file) => join(folder, file)))
    .filter((path) => path.endsWith('.json'))
    .map((path): [string, string] => [path, readFileSync(join(root, path), 'utf8')]),
  ['order, 330 lines (1 MB)', JSON.stringify({ order: orderOf(330) })],
  ['order, 3,300 lines (7 MB)', JSON.stringify({ order: orderOf(3_300) })],
  ['[{},{},…]', `[${list(100_000, () => '{}')}]`],
  ['{"a":[{},{},…]}', `{"a":[${list(100_000, () => '{}')}]}`],
  ['[[],[],…]', `[${list(100_000, () => '[]')}]`],
  ['[[{}],[{}],…]', `[${list(100_000, () => '[{}]')}]`],
  ['[0,0,…]', `[${list(150_000, () => '0')}]`],
  ['[1.5,1.5,…]', `[${list(100_000, () => '1.5')}]`],
  ['["","",…]', `[${list(100_000, () => '""')}]`],
  ['[{"a":1},…]', `[${list(50_000, () => '{"a":1}')}]`],
  ['[{"a1":0},{"a2":0},…] made-up keys', `[${list(50_000, (n) => `{"a${n}":0}`)}]`],
  ['{"k1":0,"k2":0,…} one object', `{${list(30_000, (n) => `"k${n}":0`)}}`],
  ['objects of 200 keys', `[${list(100, () => `{${list(200, (n) => `"k${n}":0`)}}`)}]`],
  ['unique strings', `[${list(100_000, (n) => `"${n.toString(36)}"`)}]`],
  ['text outside ASCII', JSON.stringify(Array.from({ length: 20_000 }, (_, n) => `crème brûlée ${n}`))],
];

let kept: unknown;
/** Heap per parse; small documents are parsed into many copies at once, to rise above the noise. */
function measuredHeap(text: string): number {
  const copies = Math.max(1, Math.ceil(2_000_000 / text.length));
  kept = undefined;
  gc?.();
  gc?.();
  const before = process.memoryUsage().heapUsed;
  kept = Array.from({ length: copies }, () => JSON.parse(text) as unknown);
  gc?.();
  return (process.memoryUsage().heapUsed - before) / copies;
}

const rows = documents.map(([name, text]) => {
  const bytes = Buffer.from(text);
  const started = performance.now();
  const { cost } = scanJson(bytes, DEFAULT_JSON_LIMITS.maxDepth);
  const scanMs = performance.now() - started;
  const heap = measuredHeap(text);
  return {
    document: name,
    bytes: bytes.length,
    'measured / byte': Number((heap / bytes.length).toFixed(2)),
    'estimated / byte': Number((cost / bytes.length).toFixed(2)),
    'estimate ≥ measured': cost >= heap,
    'scan ms': Number(scanMs.toFixed(1)),
  };
});
console.table(rows);
console.log(`limit: ${DEFAULT_JSON_LIMITS.maxCostPerByte} estimated bytes a byte (kept ${typeof kept} to measure)`);
