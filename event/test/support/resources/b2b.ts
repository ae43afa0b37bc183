import taxExcludedOrder from '../../fixtures/orders/order-tax-excluded.json';

/** A business unit of ACME with its associates, quote request, quote and order, as commercetools holds them. */
export const UNIT_ID = 'b0b0b0b0-0000-4000-8000-000000000001';
export const customerId = (n: number) => `c0ffee00-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const associate = (n: number, roles = ['buyer']) => ({
  customer: { typeId: 'customer', id: customerId(n) },
  associateRoleAssignments: roles.map((key) => ({
    associateRole: { typeId: 'associate-role', key },
    inheritance: 'Enabled',
  })),
});

/** A division of ACME, as commercetools stores it, with three associates. */
export const unit = {
  id: UNIT_ID,
  version: 7,
  key: 'acme-procurement',
  name: 'ACME Procurement',
  contactEmail: 'procurement@acme.example.com',
  unitType: 'Division',
  status: 'Active',
  storeMode: 'Explicit',
  stores: [{ typeId: 'store', key: 'us-webshop' }],
  associateMode: 'ExplicitAndFromParent',
  approvalRuleMode: 'ExplicitAndFromParent',
  associates: [associate(1, ['admin', 'buyer']), associate(2), associate(3, [])],
  inheritedAssociates: [],
  parentUnit: { typeId: 'business-unit', key: 'acme' },
  topLevelUnit: { typeId: 'business-unit', key: 'acme' },
  addresses: [
    {
      id: 'addr-ship',
      streetName: 'Dock Road',
      streetNumber: '7',
      postalCode: '98101',
      city: 'Seattle',
      state: 'WA',
      country: 'US',
    },
    {
      id: 'addr-bill',
      streetName: 'Main Street',
      streetNumber: '1',
      postalCode: '98104',
      city: 'Seattle',
      state: 'WA',
      country: 'US',
    },
  ],
  shippingAddressIds: ['addr-ship'],
  billingAddressIds: ['addr-bill'],
  defaultShippingAddressId: 'addr-ship',
  defaultBillingAddressId: 'addr-bill',
  createdAt: '2026-01-10T08:00:00.000Z',
  lastModifiedAt: '2026-03-01T09:30:00.000Z',
};

export const QUOTE_REQUEST_ID = 'a1a1a1a1-0000-4000-8000-000000000001';
export const QUOTE_ID = 'a2a2a2a2-0000-4000-8000-000000000001';
/** The price fields a cart, quote request and quote share with the order they lead to. */
const PRICE_FIELDS = [
  'lineItems',
  'customLineItems',
  'totalPrice',
  'taxedPrice',
  'shippingInfo',
  'shippingMode',
  'taxMode',
  'taxRoundingMode',
  'taxCalculationMode',
  'priceRoundingMode',
  'inventoryMode',
  'store',
] as const;
type PriceFields = Pick<typeof taxExcludedOrder, (typeof PRICE_FIELDS)[number]>;
const priced = {
  ...(Object.fromEntries(PRICE_FIELDS.map((field) => [field, taxExcludedOrder[field]])) as PriceFields),
  shipping: [],
  itemShippingAddresses: [],
  directDiscounts: [],
};
export const quoteRequest = {
  id: QUOTE_REQUEST_ID,
  version: 1,
  quoteRequestState: 'Submitted',
  customer: { typeId: 'customer', id: customerId(2) },
  businessUnit: { typeId: 'business-unit', key: unit.key },
  ...priced,
  createdAt: '2026-03-02T10:00:00.000Z',
  lastModifiedAt: '2026-03-02T10:00:00.000Z',
};
export const quote = {
  id: QUOTE_ID,
  version: 3,
  quoteState: 'Accepted',
  quoteRequest: { typeId: 'quote-request', id: QUOTE_REQUEST_ID },
  stagedQuote: { typeId: 'staged-quote', id: 'a3a3a3a3-0000-4000-8000-000000000001' },
  customer: { typeId: 'customer', id: customerId(2) },
  businessUnit: { typeId: 'business-unit', key: unit.key },
  ...priced,
  createdAt: '2026-03-03T10:00:00.000Z',
  lastModifiedAt: '2026-03-04T10:00:00.000Z',
};
export const unitOrder = {
  ...taxExcludedOrder,
  id: 'a4a4a4a4-0000-4000-8000-000000000001',
  customerId: customerId(2),
  businessUnit: { typeId: 'business-unit', key: unit.key },
  purchaseOrderNumber: 'PO-2026-0042',
  quote: { typeId: 'quote', id: QUOTE_ID },
};
