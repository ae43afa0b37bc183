/**
 * `npm run demo`: the real connector, end to end, on this machine only. It starts an embedded
 * commercetools stand-in seeded with sample customers and orders, a local Segment capture (or
 * your Segment source when SEGMENT_WRITE_KEY is set), the connector itself, posts the
 * notifications commercetools would send, and prints what reached Segment.
 */
import sampleCategories from '../dev/samples/catalog/categories.json';
import sampleProducts from '../dev/samples/catalog/products.json';
import { startCommercetoolsStandIn, type CommercetoolsStandIn } from '../dev/commercetools-stand-in';
import { loadConfig } from '../config';
import { createConnectorDependencies } from '../dependencies';
import { createLogger } from '../logger';
import { answerOf, processDelivery } from '../pipeline';
import { startSegmentCapture, type CapturedEvent } from '../dev/segment-capture';
import customerFull from '../dev/samples/customers/customer-full.json';
import orderGuest from '../dev/samples/orders/order-guest.json';
import orderMultipleShipping from '../dev/samples/orders/order-multiple-shipping.json';
import orderTaxExcluded from '../dev/samples/orders/order-tax-excluded.json';
import orderTaxIncluded from '../dev/samples/orders/order-tax-included.json';
import businessUnit from '../dev/samples/business-units/business-unit-acme.json';

const PROJECT_KEY = 'demo-project';

type SampleTypeId = 'customer' | 'order' | 'business-unit';

interface Sample {
  title: string;
  typeId: SampleTypeId;
  resource: { id: string; discountCodes?: { discountCode: { obj?: object } }[] };
  /** What happens in commercetools before it notifies (an order ships, a customer is deleted). */
  happens?: (commercetools: CommercetoolsStandIn) => Promise<void>;
  /** A message (type and its fields) instead of the resource's ResourceCreated change. */
  message?: { type: string; fields: object };
  /** Posted by a stranger: commercetools never created this message. */
  forged?: boolean;
  notificationType?: 'ResourceDeleted';
}

/** The discount-code order, shipped: one UPS parcel with every unit, tracked. */
const shippedOrder = {
  ...orderTaxExcluded,
  version: orderTaxExcluded.version + 1,
  shipmentState: 'Shipped',
  lastModifiedAt: '2026-03-16T07:45:00.000Z',
  shippingInfo: {
    ...orderTaxExcluded.shippingInfo,
    deliveries: [
      {
        id: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b',
        key: 'us-webshop-delivery-1',
        createdAt: '2026-03-16T07:40:00.000Z',
        items: orderTaxExcluded.lineItems.map((line) => ({ id: line.id, quantity: line.quantity })),
        parcels: [
          {
            id: 'a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d',
            createdAt: '2026-03-16T07:40:00.000Z',
            trackingData: { trackingId: '1Z999AA10123456784', carrier: 'UPS', provider: 'UPS Ground', isReturn: false },
            items: orderTaxExcluded.lineItems.map((line) => ({ id: line.id, quantity: line.quantity })),
          },
        ],
      },
    ],
  },
};

/**
 * The custom type the samples' orders (so their carts) and customers use: the consent field and the
 * tracking fields a storefront following the README fills (see TRACKING_FIELDS).
 */
const trackingType = {
  id: '4a0b7f3c-2d8e-4f51-a6c9-1e7d3b5f9a20',
  version: 1,
  key: 'segment-tracking',
  name: { en: 'Segment consent and tracking' },
  resourceTypeIds: ['order', 'customer'],
  fieldDefinitions: [
    'consent',
    'segmentAnonymousId',
    'clientIp',
    'userAgent',
    'locale',
    'pageUrl',
    'pageReferrer',
    'utmCampaign',
    'utmSource',
    'utmMedium',
    'utmTerm',
    'utmContent',
  ].map((name) => ({ name, label: { en: name }, required: false, type: { name: 'String' }, inputHint: 'SingleLine' })),
  createdAt: '2026-01-02T09:00:00.000Z',
  lastModifiedAt: '2026-01-02T09:00:00.000Z',
};

/** The guest's order, assigned by the shop to the customer who registered since. */
const assignedGuestOrder = {
  ...orderGuest,
  version: orderGuest.version + 1,
  customerId: customerFull.id,
  lastModifiedAt: '2026-10-28T09:12:00.000Z',
};

const samples: Sample[] = [
  { title: 'a registered customer signs up', typeId: 'customer', resource: customerFull },
  {
    title: 'a registered customer orders with a discount code (net prices, US tax)',
    typeId: 'order',
    resource: orderTaxExcluded,
  },
  {
    title: 'an order in the German store, with product, cart and shipping discounts (gross prices, DE VAT)',
    typeId: 'order',
    resource: orderTaxIncluded,
  },
  {
    title: 'an order shipped to two addresses (multiple shipping mode)',
    typeId: 'order',
    resource: orderMultipleShipping,
  },
  { title: 'a guest checks out', typeId: 'order', resource: orderGuest },
  {
    title: 'the customer’s company buys as a business unit: one group call per associate',
    typeId: 'business-unit',
    resource: businessUnit,
  },
  {
    title: 'the discount-code order ships, in one tracked UPS parcel',
    typeId: 'order',
    resource: orderTaxExcluded,
    happens: (commercetools) => commercetools.add('order', shippedOrder),
    message: { type: 'OrderShipmentStateChanged', fields: { shipmentState: 'Shipped', oldShipmentState: 'Ready' } },
  },
  {
    title: 'a stranger posts a cancellation of that order that commercetools never sent: nothing reaches Segment',
    typeId: 'order',
    resource: orderTaxExcluded,
    message: { type: 'OrderStateChanged', fields: { orderState: 'Cancelled', oldOrderState: 'Open' } },
    forged: true,
  },
  {
    title: 'the shop assigns the guest’s order to a registered customer: identify joins the guest’s browser to them',
    typeId: 'order',
    resource: orderGuest,
    happens: (commercetools) => commercetools.add('order', assignedGuestOrder),
    message: { type: 'OrderCustomerSet', fields: { customer: { typeId: 'customer', id: customerFull.id } } },
  },
  {
    title: 'the customer deletes their account: Segment is asked to suppress and delete their data',
    typeId: 'customer',
    resource: customerFull,
    happens: async (commercetools) => {
      await commercetools.remove('customer', customerFull.id);
      // commercetools keeps the CustomerDeleted message: what proves the deletion.
      await commercetools.publish(deletedMessage(customerFull.id));
    },
    notificationType: 'ResourceDeleted',
  },
];

function deletedMessage(customerId: string) {
  const now = new Date().toISOString();
  return {
    id: '00000000-0000-4000-8000-0000000de1e7',
    version: 1,
    sequenceNumber: 13,
    resource: { typeId: 'customer', id: customerId },
    resourceVersion: 13,
    type: 'CustomerDeleted',
    createdAt: now,
    lastModifiedAt: now,
  };
}

function notificationFor(sample: Sample, index: number) {
  const base = { projectKey: PROJECT_KEY, resource: { typeId: sample.typeId, id: sample.resource.id } };
  // A forgery dated an hour back: one dated now would be answered 503, in case commercetools had
  // not made a real message readable yet.
  const now = new Date(Date.now() - (sample.forged ? 3_600_000 : 0)).toISOString();
  if (sample.message) {
    return {
      ...base,
      notificationType: 'Message',
      id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      version: 1,
      sequenceNumber: index,
      resourceVersion: index,
      type: sample.message.type,
      createdAt: now,
      lastModifiedAt: now,
      ...sample.message.fields,
    };
  }
  return { ...base, notificationType: sample.notificationType ?? 'ResourceCreated', version: 1, modifiedAt: now };
}

function pubSubEnvelope(notification: object, messageId: string) {
  return {
    message: { data: Buffer.from(JSON.stringify(notification)).toString('base64'), attributes: {}, messageId },
    subscription: 'projects/demo/subscriptions/segment-connector',
  };
}

/** The demo's second Segment source: the German store has one of its own. */
const DE_STORE = 'de-webshop';
const DE_WRITE_KEY = 'demo-de-webshop-write-key';

function describeEvent(event: CapturedEvent, writeKey: string | undefined): string {
  const source = writeKey === DE_WRITE_KEY ? `  [source of ${DE_STORE}]` : '  [default source]';
  const who = [event.userId && `userId=${event.userId}`, event.anonymousId && `anonymousId=${event.anonymousId}`]
    .filter(Boolean)
    .join('  ');
  const head =
    event.type === 'track' ? `track "${event.event}"` : event.type === 'group' ? `group ${event.groupId}` : 'identify';
  const body = event.type === 'track' ? event.properties : event.traits;
  // The context the connector sent: consent, the storefront's tracking fields, the person's email.
  const { library: _library, ...sent } = event.context ?? {};
  const context = Object.keys(sent).length > 0 ? `\n      context ${JSON.stringify(sent)}` : '';
  const json = JSON.stringify(body, null, 2).replace(/\n/g, '\n      ');
  return `    ${head}  ${who}  messageId=${event.messageId}${source}${context}\n      ${json}`;
}

async function main(): Promise<void> {
  const realWriteKey = process.env.SEGMENT_WRITE_KEY?.trim();
  const commercetools = await startCommercetoolsStandIn({ projectKey: PROJECT_KEY });
  // As most live projects: messages are kept, so every message a push claims is checked against them.
  await commercetools.setMessages({ enabled: true });
  const ctMock = commercetools.mock;
  const ctUrl = commercetools.url;
  await ctMock.project(PROJECT_KEY).unsafeAdd('type' as never, trackingType as never);
  // The catalogue the sample orders' products come from: their categories reach Segment as `category`.
  for (const category of sampleCategories) await commercetools.add('category', category);
  for (const product of sampleProducts) await commercetools.add('product', product);
  for (const { typeId, resource } of samples) {
    // Some samples are later events of an earlier sample's resource.
    if (
      await ctMock
        .project(PROJECT_KEY)
        .get(typeId as never, resource.id)
        .catch(() => undefined)
    )
      continue;
    await ctMock.project(PROJECT_KEY).unsafeAdd(typeId as never, resource as never);
    for (const code of resource.discountCodes ?? []) {
      if (code.discountCode.obj)
        await ctMock.project(PROJECT_KEY).unsafeAdd('discount-code' as never, code.discountCode.obj as never);
    }
  }

  const capture = realWriteKey ? undefined : await startSegmentCapture();
  // Deletions always go to a local stand-in of Segment's Public API: the demo never deletes anyone for real.
  const publicApi = await startSegmentCapture();
  // The connector's own configuration and wiring, pointed at the stand-ins.
  const config = loadConfig({
    CTP_PROJECT_KEY: PROJECT_KEY,
    CTP_CLIENT_ID: 'demo',
    CTP_CLIENT_SECRET: 'demo',
    CTP_API_URL: ctUrl,
    CTP_AUTH_URL: ctUrl,
    SEGMENT_WRITE_KEY: realWriteKey ?? 'demo-write-key',
    SEGMENT_HOST: capture?.url ?? process.env.SEGMENT_HOST?.trim() ?? 'https://api.segment.io',
    LOCALE: 'en',
    PRODUCT_URL_TEMPLATE: 'https://shop.example/{locale}/p/{slug}',
    PRODUCT_CATEGORY_PATH: 'true',
    // With the local capture, the German store's events go to a source of their own.
    ...(capture ? { SEGMENT_WRITE_KEYS_BY_STORE: JSON.stringify({ [DE_STORE]: DE_WRITE_KEY }) } : {}),
    SEGMENT_PUBLIC_API_TOKEN: 'demo-public-api-token',
    SEGMENT_PUBLIC_API_HOST: publicApi.url,
  });
  const { api: _api, ...dependencies } = createConnectorDependencies(config);
  const sink = dependencies.segment;
  const pipeline = { ...dependencies, logger: createLogger(process.env.LOG_LEVEL ?? 'silent') };
  const segmentSettings = config.segment;

  console.log('commercetools → Segment connector demo');
  console.log(`  commercetools stand-in  ${ctUrl} (project ${PROJECT_KEY})`);
  console.log(
    `  Segment                 ${capture ? `local capture ${capture.url}` : `${segmentSettings.host} (your source: check its debugger)`}`,
  );
  console.log(`  Segment Public API      local stand-in ${publicApi.url} (deletions)`);
  console.log('  connector               this process, the same pipeline as POST /\n');

  let failures = 0;
  for (const [index, sample] of samples.entries()) {
    await sample.happens?.(commercetools);
    const notification = notificationFor(sample, index + 1);
    // commercetools keeps the message it sends, so the connector can prove the push's claim.
    if (sample.message && !sample.forged) await commercetools.publish(notification);
    const seen = capture?.accepted.length ?? 0;
    const deletionsSeen = publicApi.accepted.length;
    // As Connect pushes it, unauthenticated: what a notification carries is checked against commercetools.
    const processed = await processDelivery(pubSubEnvelope(notification, `demo-${index + 1}`), pipeline, {
      authenticated: false,
    });
    const answer = answerOf(processed);
    if (answer.status >= 300) failures += 1;
    console.log(`${index + 1}. ${sample.title}`);
    const route = sample.message ? `Message ${sample.message.type}` : (sample.notificationType ?? 'ResourceCreated');
    console.log(
      `   ${sample.typeId} ${route} ${sample.resource.id} → HTTP ${answer.status} ${JSON.stringify(answer.body)}`,
    );
    for (const received of capture?.accepted.slice(seen) ?? []) {
      for (const event of received.events) console.log(describeEvent(event, received.writeKey));
    }
    for (const request of publicApi.accepted.slice(deletionsSeen)) {
      console.log(`    Public API POST ${request.path}  ${JSON.stringify(request.body)}`);
    }
    console.log('');
  }

  if (capture) {
    const requests = capture.accepted.length;
    const german = capture.accepted.filter((received) => received.writeKey === DE_WRITE_KEY);
    console.log(`Segment accepted ${capture.events().length} events in ${requests} batch request(s);`);
    console.log(`${german.flatMap((received) => received.events).length} of them went to the source of ${DE_STORE}.`);
  } else {
    console.log('Sent to your Segment source: open Connections → Sources → your source → Debugger.');
  }
  await sink.close(2_000);
  await capture?.close();
  await publicApi.close();
  await commercetools.close();
  process.exitCode = failures === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error('demo failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
