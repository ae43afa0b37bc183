import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../src/config';
import { createConnectorDependencies, type ConnectorDependencies } from '../../src/dependencies';
import { detectResourceType, formatPreview, previewResource, type PreviewRequest } from '../../src/tools/preview';
import customerFull from '../fixtures/customers/customer-full.json';
import customerMinimal from '../fixtures/customers/customer-minimal.json';
import guestOrder from '../fixtures/orders/order-guest.json';
import invalidConsentOrder from '../fixtures/orders/order-invalid-consent.json';
import taxExcludedOrder from '../fixtures/orders/order-tax-excluded.json';
import taxIncludedOrder from '../fixtures/orders/order-tax-included.json';
import { runCli } from '../support/cli';
import { seedOrders, useHarness } from '../support/harness';
import { changeNotification } from '../support/notifications';
import type { CapturedEvent } from '../../src/dev/segment-capture';

/**
 * The preview must print exactly what the live path sends: each case previews a resource, then
 * posts its creation to the HTTP app and compares the printed calls with what the Segment capture
 * received (same messageIds, identities, timestamps, properties, traits and consent).
 */

let deps: ConnectorDependencies;
let workDir: string;

const harness = useHarness({ env: { LOCALE: 'en' } }, async (h) => {
  await seedOrders(h, taxExcludedOrder, taxIncludedOrder, guestOrder, invalidConsentOrder);
  await h.seed('customer', customerFull);
});
/** The CLI's environment: the same variables the server reads, pointed at the stand-ins. */
const environment = () => harness.environment;

beforeAll(async () => {
  deps = createConnectorDependencies(loadConfig(environment()));
  workDir = await mkdtemp(join(tmpdir(), 'preview-test-'));
});
afterAll(async () => {
  await deps.segment.close(100);
  await rm(workDir, { recursive: true, force: true });
});

async function printed(previewRequest: PreviewRequest) {
  const output = formatPreview(await previewResource(previewRequest, deps));
  return { ...output, json: output.stdout ? (JSON.parse(output.stdout) as unknown) : undefined };
}

const CALL_FIELDS = [
  'type',
  'event',
  'userId',
  'anonymousId',
  'messageId',
  'timestamp',
  'properties',
  'traits',
] as const;

/** What Segment received, without the fields analytics-node adds itself (library, sentAt, _metadata…). */
function asReceived(event: CapturedEvent): Record<string, unknown> {
  const ours = Object.fromEntries(
    CALL_FIELDS.filter((field) => event[field] !== undefined).map((field) => [field, event[field]]),
  );
  const { library: _library, ...context } = event.context ?? {};
  return Object.keys(context).length > 0 ? { ...ours, context } : ours;
}

async function sentLive(typeId: 'order' | 'customer', id: string, version?: number) {
  await request(harness.app)
    .post('/')
    .send(changeNotification('ResourceCreated', typeId, id, version))
    .expect(200);
  return harness.segment.events().map(asReceived);
}

describe('preview by id prints exactly what the live path sends', () => {
  it.each([
    ['a registered customer order with a discount code', taxExcludedOrder.id, 1],
    ['an order with consent', taxIncludedOrder.id, 1],
    ['a guest order (guest identify + Order Completed)', guestOrder.id, 2],
  ])('%s', async (_name, id, calls) => {
    const preview = await printed({ kind: 'id', resourceType: 'order', id });
    expect(preview.exitCode).toBe(0);
    expect(preview.json).toHaveLength(calls);
    expect(preview.json).toEqual(await sentLive('order', id));
    expect(harness.segment.received).toHaveLength(1); // the live post only: the preview sent nothing
  });

  it('a new customer (identify + Signed Up)', async () => {
    const preview = await printed({ kind: 'id', resourceType: 'customer', id: customerFull.id });
    expect(preview.json).toHaveLength(2);
    expect(preview.json).toEqual(await sentLive('customer', customerFull.id, customerFull.version));
  });

  it('prints the fields in reading order: type, event, identity, messageId, timestamp, payload, context', async () => {
    const { json } = await printed({ kind: 'id', resourceType: 'order', id: taxIncludedOrder.id });
    expect(Object.keys((json as object[])[0]!)).toEqual([
      'type',
      'event',
      'userId',
      'messageId',
      'timestamp',
      'properties',
      'context',
    ]);
  });
});

describe('preview --file', () => {
  it('detects orders and customers from their JSON', () => {
    expect(detectResourceType(taxExcludedOrder)).toBe('order');
    expect(detectResourceType(customerMinimal)).toBe('customer');
    expect(detectResourceType({ id: 'x' })).toBeUndefined();
    expect(detectResourceType([])).toBeUndefined();
  });

  it('previews an order from a file as the live path sends it (the guest look-up still reads commercetools)', async () => {
    const fromFile = await printed({ kind: 'file', resource: guestOrder });
    expect(fromFile.json).toEqual(await sentLive('order', guestOrder.id));
    expect(fromFile.stderr).toBe('');
  });

  it('previews a customer from a file: identify + Signed Up', async () => {
    const { json, exitCode } = await printed({ kind: 'file', resource: customerMinimal });
    expect(exitCode).toBe(0);
    expect(json).toMatchObject([
      { type: 'identify', userId: customerMinimal.id, traits: { email: customerMinimal.email } },
      { type: 'track', event: 'Signed Up', userId: customerMinimal.id, properties: { email: customerMinimal.email } },
    ]);
  });

  it('says when a file order has unexpanded discount codes (no coupon)', async () => {
    const unexpanded = {
      ...taxExcludedOrder,
      discountCodes: taxExcludedOrder.discountCodes.map(({ discountCode, state }) => ({
        discountCode: { typeId: discountCode.typeId, id: discountCode.id },
        state,
      })),
    };
    const { json, stderr } = await printed({ kind: 'file', resource: unexpanded });
    expect((json as { properties: object }[])[0]?.properties).not.toHaveProperty('coupon');
    expect(stderr).toMatch(/discount codes in the file are not expanded/);
  });

  it('refuses a file it cannot tell, or a resource of the wrong type, with a clear message', async () => {
    await expect(previewResource({ kind: 'file', resource: { id: 'x' } }, deps)).rejects.toThrow(
      /pass --type order or --type customer/,
    );
    await expect(
      previewResource({ kind: 'file', resource: customerMinimal, resourceType: 'order' }, deps),
    ).rejects.toThrow(/not a commercetools order \(.*lineItems/);
  });
});

describe('what is not sent', () => {
  it('prints {"skipped": reason} with a note and exit code 0 when the mapper skips', async () => {
    const preview = await printed({ kind: 'id', resourceType: 'order', id: invalidConsentOrder.id });
    expect(preview).toMatchObject({ json: { skipped: 'invalid-consent' }, exitCode: 0 });
    expect(preview.stderr).toMatch(/nothing would be sent .*consent custom field is not a JSON object/);
  });

  it('reports disabled events as skipped', async () => {
    const config = loadConfig({ ...environment(), EVENT_ORDER_COMPLETED: 'off' });
    const { commercetools, mapping, events, segment } = createConnectorDependencies(config);
    const output = formatPreview(
      await previewResource(
        { kind: 'id', resourceType: 'order', id: taxExcludedOrder.id },
        { commercetools, mapping, events },
      ),
    );
    await segment.close(100);
    expect(JSON.parse(output.stdout)).toEqual({ skipped: 'disabled' });
  });

  it('exits 1 with a clear message when the resource does not exist', async () => {
    const preview = await printed({ kind: 'id', resourceType: 'customer', id: '00000000-0000-4000-8000-00000000beef' });
    expect(preview).toMatchObject({ stdout: '', exitCode: 1 });
    expect(preview.stderr).toBe('customer 00000000-0000-4000-8000-00000000beef was not found in commercetools\n');
  });
});

describe('the command line', () => {
  const run = (args: string[], env: Record<string, string>) => runCli('preview', args, { cwd: workDir, env });

  it('prints the calls as JSON on stdout', async () => {
    const file = join(workDir, 'order.json');
    await writeFile(file, JSON.stringify(taxExcludedOrder));
    const result = await run(['--file', file], environment());
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual(
      (await printed({ kind: 'id', resourceType: 'order', id: taxExcludedOrder.id })).json,
    );
  });

  it('exits 1 for an order that does not exist', async () => {
    const result = await run(['order', '00000000-0000-4000-8000-00000000beef'], environment());
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'order 00000000-0000-4000-8000-00000000beef was not found in commercetools\n',
    });
  });

  it('exits 2 with the configuration message when the configuration is incomplete, even for --file', async () => {
    const file = join(workDir, 'customer.json');
    await writeFile(file, JSON.stringify(customerMinimal));
    const { CTP_CLIENT_SECRET: _secret, ...incomplete } = environment();
    const result = await run(['--file', file], incomplete);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/preview: invalid configuration:\n {2}- CTP_CLIENT_SECRET is required\n/);
    expect(result.stderr).toMatch(/\.env\.example/);
  });

  it('exits 2 on a usage error', async () => {
    const result = await run(['invoice', '42'], environment());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/usage:/);
  });
});
