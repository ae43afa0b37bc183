/**
 * For the backfill test and benchmark: the commercetools mock as it pages (sorting), and a few
 * hundred (or thousand) customers and orders made from the fixtures, each with the Segment
 * messageIds the live path gives it, computed here from the messageId rule, not by the backfill.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CommercetoolsMock, InMemoryStorage } from '@labdigital/commercetools-mock';
import { buildMessageId } from '../../src/mapping/message-id';
import customerFull from '../fixtures/customers/customer-full.json';
import customerMinimal from '../fixtures/customers/customer-minimal.json';
import orderGuest from '../fixtures/orders/order-guest.json';
import orderInvalidConsent from '../fixtures/orders/order-invalid-consent.json';
import orderJpy from '../fixtures/orders/order-jpy.json';
import orderMultipleShipping from '../fixtures/orders/order-multiple-shipping.json';
import orderTaxExcluded from '../fixtures/orders/order-tax-excluded.json';
import orderTaxIncluded from '../fixtures/orders/order-tax-included.json';
import { seededRandom, shuffled } from './random';

type Json = Record<string, unknown>;

/**
 * commercetools-mock 4.4 sorts in its storage, but its HTTP service drops the `sort` parameter,
 * so over HTTP results come in insertion order and a cursor (`id > :after`, `sort=id asc`)
 * would skip resources. The request's sort is carried to the storage in a predicate variable
 * (which the service does pass on), so the mock pages as commercetools does, and a backfill
 * that forgot to sort would be caught (resources are seeded in random order).
 */
const SORT_VARIABLE = 'var.__sort';

function sortingStorage(): InMemoryStorage {
  const storage = new InMemoryStorage();
  const query = storage.query.bind(storage);
  storage.query = ((projectKey, typeId, params) => {
    const sort = params[SORT_VARIABLE];
    return query(projectKey, typeId, sort === undefined ? params : { ...params, sort: sort as string | string[] });
  }) as InMemoryStorage['query'];
  return storage;
}

export interface BackfillCommercetools {
  mock: CommercetoolsMock;
  url: string;
  seed(typeId: string, resource: object): Promise<void>;
  close(): Promise<void>;
}

/** `onRequest` sees every request's URL (for counting). */
export async function startBackfillCommercetools(
  projectKey: string,
  options: { onRequest?: (url: string) => void } = {},
): Promise<BackfillCommercetools> {
  const mock = new CommercetoolsMock({
    enableAuthentication: true,
    validateCredentials: true,
    defaultProjectKey: projectKey,
    silent: true,
    storage: sortingStorage(),
  });
  mock.app.addHook('preHandler', async (request) => {
    const query = request.query as Record<string, unknown> | undefined;
    if (query && query.sort !== undefined) query[SORT_VARIABLE] = query.sort;
  });
  const { onRequest } = options;
  if (onRequest) mock.app.addHook('onRequest', async (request) => onRequest(request.url));
  await mock.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    mock,
    url: `http://127.0.0.1:${(mock.app.server.address() as AddressInfo).port}`,
    async seed(typeId, resource) {
      await mock.project(projectKey).unsafeAdd(typeId as never, resource as never);
    },
    close: () => mock.app.close(),
  };
}

export type Expectation = { messageIds: string[] } | { skip: 'no-identity' | 'invalid-consent' };

export interface SeededResource {
  typeId: 'customer' | 'order';
  id: string;
  createdAt: string;
  /** The store key (orders) or the first store (customers); undefined when none. */
  stores: string[];
  kind: string;
  expected: Expectation;
  resource: Json;
}

export interface BackfillData {
  customers: SeededResource[];
  orders: SeededResource[];
  /** Referenced by the orders' discount codes: seed them first. */
  discountCodes: Json[];
}

const STORES = ['us-webshop', 'de-webshop'];
/** createdAt spread over 2025–2026, not in id order. */
const createdAt = (index: number, stepHours: number) =>
  new Date(Date.UTC(2025, 0, 1) + index * stepHours * 3_600_000 + index * 1_234).toISOString();

/**
 * `customerCount` customers (one with invalid consent) and `orderCount` orders: registered
 * customers' orders, guests with an unregistered email (guest identify) or a registered one (no
 * identify), imported orders with neither identity but an email (email-hash fallback, guest
 * identify) or without email (no-identity), one with invalid consent; in two stores or none.
 */
export function generateBackfillData(projectKey: string, customerCount: number, orderCount: number): BackfillData {
  const id = (typeId: string, resourceId: string, event: string, discriminator: string | number) =>
    buildMessageId({ projectKey, typeId, resourceId, event, discriminator });

  const customers: SeededResource[] = [];
  for (let i = 0; i < customerCount; i += 1) {
    const customer = structuredClone(i % 2 === 0 ? customerFull : customerMinimal) as Json;
    customer.id = randomUUID();
    customer.email = `customer-${i}@example.com`;
    customer.lowercaseEmail = customer.email;
    customer.customerNumber = `C-${i}`;
    customer.createdAt = createdAt(i, 131);
    customer.lastModifiedAt = customer.createdAt;
    const store = STORES[i % 3];
    customer.stores = store ? [{ typeId: 'store', key: store }] : [];
    const invalidConsent = i === 5;
    if (invalidConsent) {
      customer.custom = {
        type: { typeId: 'type', id: '4a0b7f3c-2d8e-4f51-a6c9-1e7d3b5f9a20' },
        fields: { consent: 'yes please' },
      };
    }
    const customerId = customer.id as string;
    customers.push({
      typeId: 'customer',
      id: customerId,
      createdAt: customer.createdAt as string,
      stores: store ? [store] : [],
      kind: invalidConsent ? 'invalid-consent' : 'customer',
      expected: invalidConsent
        ? { skip: 'invalid-consent' }
        : {
            messageIds: [
              id('customer', customerId, 'identify', customer.version as number),
              id('customer', customerId, 'signed-up', 'created'),
            ],
          },
      resource: customer,
    });
  }

  const registered = (i: number) => customers[(i * 7) % customers.length]!;
  const orders: SeededResource[] = [];
  for (let i = 0; i < orderCount; i += 1) {
    const variant =
      i === 9
        ? 'invalid-consent'
        : (
            [
              'registered',
              'guest',
              'guest-registered-email',
              'imported',
              'no-identity',
              'registered-discount',
              'registered-multi-shipping',
              'registered-jpy',
            ] as const
          )[i % 8]!;
    const base = {
      'invalid-consent': orderInvalidConsent,
      registered: orderTaxIncluded,
      guest: orderGuest,
      'guest-registered-email': orderGuest,
      imported: orderGuest,
      'no-identity': orderGuest,
      'registered-discount': orderTaxExcluded,
      'registered-multi-shipping': orderMultipleShipping,
      'registered-jpy': orderJpy,
    }[variant];
    const order = structuredClone(base) as Json;
    order.id = randomUUID();
    order.orderNumber = `BF-${String(i).padStart(5, '0')}`;
    order.createdAt = createdAt(i, 37);
    order.lastModifiedAt = order.createdAt;
    const store = STORES[i % 3];
    if (store) order.store = { typeId: 'store', key: store };
    else delete order.store;

    const orderId = order.id as string;
    const completed = id('order', orderId, 'order-completed', 'created');
    const guestIdentify = id('order', orderId, 'guest-identify', 'created');
    let expected: Expectation;
    switch (variant) {
      case 'guest':
        order.anonymousId = randomUUID();
        order.customerEmail = `guest-${i}@example.com`;
        expected = { messageIds: [guestIdentify, completed] };
        break;
      case 'guest-registered-email':
        order.anonymousId = randomUUID();
        // Upper-cased: the look-up compares case-insensitively; no identify for a registered email.
        order.customerEmail = (registered(i).resource.email as string).toUpperCase();
        expected = { messageIds: [completed] };
        break;
      case 'imported':
        delete order.anonymousId;
        order.customerEmail = `imported-${i}@example.com`;
        expected = { messageIds: [guestIdentify, completed] };
        break;
      case 'no-identity':
        delete order.anonymousId;
        delete order.customerEmail;
        expected = { skip: 'no-identity' };
        break;
      case 'invalid-consent':
        expected = { skip: 'invalid-consent' };
        break;
      default:
        order.customerId = registered(i).id;
        order.customerEmail = registered(i).resource.email;
        expected = { messageIds: [completed] };
    }
    orders.push({
      typeId: 'order',
      id: orderId,
      createdAt: order.createdAt as string,
      stores: store ? [store] : [],
      kind: variant,
      expected,
      resource: order,
    });
  }

  const discountCodes = [
    orderTaxExcluded,
    orderTaxIncluded,
    orderMultipleShipping,
    orderJpy,
    orderInvalidConsent,
    orderGuest,
  ].flatMap((order) =>
    (((order as Json).discountCodes as { discountCode: { obj?: Json } }[] | undefined) ?? []).flatMap(
      ({ discountCode }) => (discountCode.obj ? [discountCode.obj] : []),
    ),
  );
  const uniqueCodes = [...new Map(discountCodes.map((code) => [code.id as string, code])).values()];
  return { customers, orders, discountCodes: uniqueCodes };
}

/** Seeds every resource, in random order (not the id order a cursor pages in). */
export async function seedBackfillData(commercetools: BackfillCommercetools, data: BackfillData): Promise<void> {
  for (const code of data.discountCodes) await commercetools.seed('discount-code', code);
  for (const customer of shuffled(data.customers, seededRandom(11)))
    await commercetools.seed('customer', customer.resource);
  for (const order of shuffled(data.orders, seededRandom(13))) await commercetools.seed('order', order.resource);
}
