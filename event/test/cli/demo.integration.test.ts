import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * `npm run demo` end to end, in a process of its own as a newcomer runs it: every kind of call the
 * connector makes appears (identify, track, group, a deletion request to the Public API), the
 * second store's events go to their own source, and a forged claim sends nothing.
 */
const DEMO = join(__dirname, '..', '..', 'src', 'cli', 'demo.ts');

function runDemo(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const environment: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
    // The demo sends to a local capture unless a real write key is set: never to Segment from a test.
    delete environment.SEGMENT_WRITE_KEY;
    delete environment.SEGMENT_HOST;
    const child = spawn(process.execPath, ['--import', 'tsx', DEMO], { env: environment });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

jest.setTimeout(60_000);

it('tells the whole story: every kind of call once, the second store’s source, a forgery refused, exit 0', async () => {
  const { code, output } = await runDemo();
  expect(code).toBe(0);
  expect(output).toMatch(/^ {4}identify {2}userId=/m);
  expect(output).toMatch(/^ {4}identify {2}anonymousId=/m);
  expect(output).toMatch(/^ {4}identify {2}userId=\S+ {2}anonymousId=\S+ {2}messageId=ct-order-customer-set-/m);
  expect(output).toMatch(/^ {4}track "Order Completed" .*\[source of de-webshop\]$/m);
  expect(output).toMatch(/^ {4}group quillfeather-studio {2}userId=/m);
  expect(output).toMatch(/^ {4}track "Order Shipped" /m);
  expect(output).toContain('"tracking_number": "1Z999AA10123456784"');
  expect(output).toContain('"shipment_state": "Shipped"');
  // Products carry their brand, their category read from the stand-in's catalogue, and their page.
  expect(output).toContain('"brand": "Trailhead"');
  expect(output).toContain('"category": "Men > Shoes > Trail"');
  expect(output).toContain('"url": "https://shop.example/en/p/trail-runner-sneaker"');
  expect(output).toContain('{"status":"skipped","reason":"unproven"}');
  expect(output).toContain('{"status":"deletion-requested"}');
  expect(output).toMatch(/Public API POST \/regulations .*SUPPRESS_WITH_DELETE/);
  expect(output).not.toMatch(/HTTP [45]\d\d/);
});
