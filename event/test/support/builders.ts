/**
 * Typed builders of commercetools resources for tests: each returns the platform-sdk type, filled
 * with what commercetools returns, and takes the fields a test cares about as overrides.
 *
 * Overrides replace whole fields and nothing is recomputed: a test that changes what a figure is
 * made of (a line's quantity, an order's lines) sets that figure too, so every figure a test
 * relies on stands in the test. The defaults hold together: `order()` is a German order of two
 * linen shirts and DHL shipping, 19 % VAT included, that adds up as commercetools computes it
 * (fixtures.test.ts checks it with the JSON fixtures).
 */
import type {
  Address,
  CentPrecisionMoney,
  CustomFields,
  CustomLineItem,
  CustomLineItemReturnItem,
  Customer,
  DiscountedLineItemPortion,
  DiscountedLineItemPrice,
  DiscountOnTotalPrice,
  HighPrecisionMoney,
  LineItem,
  LineItemReturnItem,
  Order,
  Payment,
  ShippingInfo,
  StateReference,
  StoreKeyReference,
  Subscription,
  TaxCategoryReference,
  TaxedPrice,
  TaxPortion,
  TaxRate,
  Transaction,
  TypedMoney,
} from '@commercetools/platform-sdk';
import type { MessageNotification } from '../../src/transport/notification';

/** The default shopper: the customer(), who placed the order() and made the payment(). */
const SHOPPER = {
  id: '2f4a6c8e-0b1d-4f3a-8c5e-7a9b1c3d5e6f',
  email: 'w.brandtstetter@example.com',
  addressId: 'pQ7rT2vX',
};
const WEBSHOP: StoreKeyReference = { typeId: 'store', key: 'de-webshop' };
const ORDER_ID = 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b';
const ORDER_NUMBER = 'DE-2026-120417';
const PLACED_AT = '2026-05-04T10:14:07.388Z';
/** The default order's total in cents, which its payment charges. */
const ORDER_TOTAL = 10470;
const PAYMENT_ID = '6d8f0b2c-4e6a-4c8e-a0b2-d4f6a8c0e2b4';
/** The workflow state of a line just ordered. */
const INITIAL_STATE: StateReference = { typeId: 'state', id: 'e2c7c1a4-56d1-4b0a-9c7e-3f1b2a9d8e60' };
/** The project's standard tax category. */
const STANDARD_TAX: TaxCategoryReference = { typeId: 'tax-category', id: 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6f' };

/** The currencies tests use whose minor unit is not a hundredth (ISO 4217). */
const FRACTION_DIGITS: Readonly<Record<string, number>> = { JPY: 0, KRW: 0, BHD: 3, KWD: 3 };

/**
 * An amount in the currency's minor units: `money(1234, 'EUR')` is 12.34 EUR, `money(1200, 'JPY')`
 * ¥1,200. The fraction digits are the currency's unless given.
 */
export function money(
  centAmount: number,
  currencyCode = 'EUR',
  fractionDigits = FRACTION_DIGITS[currencyCode] ?? 2,
): CentPrecisionMoney {
  return { type: 'centPrecision', currencyCode, centAmount, fractionDigits };
}

/**
 * A high-precision amount: `preciseMoney(1235, 4)` is 0.1235 EUR. Its centAmount is rounded to
 * the currency's digits half to even, as commercetools rounds it when a draft leaves it out.
 */
export function preciseMoney(preciseAmount: number, fractionDigits: number, currencyCode = 'EUR'): HighPrecisionMoney {
  const divisor = 10 ** (fractionDigits - (FRACTION_DIGITS[currencyCode] ?? 2));
  const quotient = Math.floor(preciseAmount / divisor);
  const twiceRemainder = 2 * (preciseAmount - quotient * divisor);
  const roundUp = twiceRemainder > divisor || (twiceRemainder === divisor && quotient % 2 !== 0);
  return {
    type: 'highPrecision',
    currencyCode,
    centAmount: roundUp ? quotient + 1 : quotient,
    preciseAmount,
    fractionDigits,
  };
}

/** b − a, in the currency and precision of both. */
function difference(a: CentPrecisionMoney, b: CentPrecisionMoney): CentPrecisionMoney {
  if (a.currencyCode !== b.currencyCode || a.fractionDigits !== b.fractionDigits) {
    throw new Error(`cannot subtract ${a.currencyCode}/${a.fractionDigits} from ${b.currencyCode}/${b.fractionDigits}`);
  }
  return { ...b, centAmount: b.centAmount - a.centAmount };
}

/** Germany's standard rate, included in the price, as a tax category gives it. */
export function taxRate(overrides: Partial<TaxRate> = {}): TaxRate {
  return {
    id: 'Dm4pW8xe',
    name: 'MwSt. 19 %',
    amount: 0.19,
    includedInPrice: true,
    country: 'DE',
    subRates: [],
    ...overrides,
  };
}

/** The totals of a taxed price: net, gross, and the tax between them. */
export function taxTotals(
  net: CentPrecisionMoney,
  gross: CentPrecisionMoney,
): Pick<TaxedPrice, 'totalNet' | 'totalGross' | 'totalTax'> {
  return { totalNet: net, totalGross: gross, totalTax: difference(net, gross) };
}

/** A taxed price (of an item, of shipping or of the order) taxed at one rate: its one tax portion is all the tax. */
export function taxedPrice(net: CentPrecisionMoney, gross: CentPrecisionMoney, rate: TaxRate = taxRate()): TaxedPrice {
  const portion: TaxPortion = { name: rate.name, rate: rate.amount, amount: difference(net, gross) };
  return { ...taxTotals(net, gross), taxPortions: [portion] };
}

/** What one cart discount took off a price. */
export function cartDiscountPortion(
  discountedAmount: TypedMoney,
  id = '5b8e2c1d-7f3a-4e9b-a6d0-c4f1e2b3a5d7',
): DiscountedLineItemPortion {
  return { discount: { typeId: 'cart-discount', id }, discountedAmount };
}

/** A unit price after cart discounts, with what each of them took off. */
export function discountedPrice(
  value: TypedMoney,
  ...includedDiscounts: DiscountedLineItemPortion[]
): DiscountedLineItemPrice {
  return { value, includedDiscounts };
}

/** A discount on the total price by one cart discount (net and gross amounts exist once the order is taxed). */
export function discountOnTotalPrice(
  fields: Pick<DiscountOnTotalPrice, 'discountedAmount'> & Partial<DiscountOnTotalPrice>,
): DiscountOnTotalPrice {
  return { includedDiscounts: [cartDiscountPortion(fields.discountedAmount)], ...fields };
}

/**
 * The fields a line item and a custom line item share for `quantity` units worth `net` and
 * `gross` in all: taxed at the standard rate, included in the price, with no cart discount.
 */
function standardItem(
  quantity: number,
  { net, gross }: { net: CentPrecisionMoney; gross: CentPrecisionMoney },
): Pick<
  LineItem,
  | 'quantity'
  | 'totalPrice'
  | 'discountedPricePerQuantity'
  | 'taxRate'
  | 'perMethodTaxRate'
  | 'taxedPrice'
  | 'taxedPricePortions'
  | 'state'
> {
  return {
    quantity,
    totalPrice: gross,
    discountedPricePerQuantity: [],
    taxRate: taxRate(),
    perMethodTaxRate: [],
    taxedPrice: taxedPrice(net, gross),
    taxedPricePortions: [],
    state: [{ quantity, state: INITIAL_STATE }],
  };
}

/** Two white linen shirts at 49.90 EUR, 19 % VAT included: 99.80 gross, 83.87 net. */
export function lineItem(overrides: Partial<LineItem> = {}): LineItem {
  return {
    id: '1d3f5b7a-9c2e-4a4c-8e6a-0b2d4f6a8c1e',
    productId: '7a0b3c4d-5e6f-4a7b-9c8d-9e0f1a2b3c4d',
    productKey: 'linen-shirt',
    name: { en: 'Linen Shirt', de: 'Leinenhemd' },
    productSlug: { en: 'linen-shirt', de: 'leinenhemd' },
    productType: { typeId: 'product-type', id: 'c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f' },
    variant: {
      id: 2,
      sku: 'LSH-WHT-L',
      key: 'linen-shirt-white-l',
      prices: [],
      images: [
        { url: 'https://images.example-cdn.com/products/linen-shirt-white.jpg', dimensions: { w: 1200, h: 1200 } },
      ],
      attributes: [],
      assets: [],
    },
    price: { id: '3b5d7f9a-1c3e-4e5a-9c7e-2d4f6b8a0c3e', value: money(4990), country: 'DE' },
    // 99.80 / 1.19 = 83.865… → 83.87
    ...standardItem(2, { net: money(8387), gross: money(9980) }),
    priceMode: 'Platform',
    lineItemMode: 'Standard',
    addedAt: '2026-05-04T10:12:31.204Z',
    lastModifiedAt: '2026-05-04T10:12:31.204Z',
    ...overrides,
  };
}

/** Gift wrapping for 4.50 EUR, 19 % VAT included: 3.78 net. */
export function customLineItem(overrides: Partial<CustomLineItem> = {}): CustomLineItem {
  return {
    id: 'f6a7b8c9-d0e1-4f2a-8b3c-5d6e7f8a9b0c',
    name: { en: 'Gift wrapping', de: 'Geschenkverpackung' },
    slug: 'gift-wrap',
    money: money(450),
    taxCategory: STANDARD_TAX,
    // 4.50 / 1.19 = 3.781… → 3.78
    ...standardItem(1, { net: money(378), gross: money(450) }),
    priceMode: 'Standard',
    ...overrides,
  };
}

/** DHL Paket for 4.90 EUR, 19 % VAT included: 4.12 net. */
export function shippingInfo(overrides: Partial<ShippingInfo> = {}): ShippingInfo {
  return {
    shippingMethodName: 'DHL Paket',
    price: money(490),
    shippingRate: { price: money(490), freeAbove: money(15000), tiers: [] },
    taxRate: taxRate(),
    // 4.90 / 1.19 = 4.117… → 4.12
    taxedPrice: taxedPrice(money(412), money(490)),
    taxCategory: STANDARD_TAX,
    shippingMethod: { typeId: 'shipping-method', id: 'd8e9f0a1-b2c3-4d4e-8f5a-6b7c8d9e0f1a' },
    shippingMethodState: 'MatchesCart',
    deliveries: [],
    ...overrides,
  };
}

/** Where the default customer lives, as an address of an order or of a customer. */
export function address(overrides: Partial<Address> = {}): Address {
  return {
    id: SHOPPER.addressId,
    firstName: 'Wilhelmina',
    lastName: 'Brandtstetter',
    streetName: 'Rosenhofstraße',
    streetNumber: '12',
    postalCode: '04109',
    city: 'Leipzig',
    country: 'DE',
    email: SHOPPER.email,
    ...overrides,
  };
}

/**
 * A registered customer's order in the German webshop, just placed and paid by card: two linen
 * shirts (99.80) and DHL shipping (4.90), 19 % VAT included. total 104.70 gross, 87.99 net
 * (83.87 + 4.12), tax 16.71.
 */
export function order(overrides: Partial<Order> = {}): Order {
  return {
    id: ORDER_ID,
    version: 3,
    orderNumber: ORDER_NUMBER,
    customerId: SHOPPER.id,
    customerEmail: SHOPPER.email,
    store: WEBSHOP,
    country: 'DE',
    locale: 'de-DE',
    lineItems: [lineItem()],
    customLineItems: [],
    totalPrice: money(ORDER_TOTAL),
    taxedPrice: taxedPrice(money(8799), money(ORDER_TOTAL)),
    taxedShippingPrice: taxedPrice(money(412), money(490)),
    priceRoundingMode: 'HalfEven',
    taxMode: 'Platform',
    taxRoundingMode: 'HalfEven',
    taxCalculationMode: 'LineItemLevel',
    inventoryMode: 'None',
    shippingAddress: address(),
    billingAddress: address(),
    shippingMode: 'Single',
    shippingInfo: shippingInfo(),
    shipping: [],
    itemShippingAddresses: [],
    discountCodes: [],
    directDiscounts: [],
    refusedGifts: [],
    paymentInfo: { payments: [{ typeId: 'payment', id: PAYMENT_ID }] },
    origin: 'Customer',
    cart: { typeId: 'cart', id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' },
    orderState: 'Open',
    shipmentState: 'Pending',
    paymentState: 'Paid',
    syncInfo: [],
    lastMessageSequenceNumber: 1,
    createdAt: PLACED_AT,
    lastModifiedAt: '2026-05-04T10:14:08.021Z',
    ...overrides,
  };
}

/** What a return item of either kind holds besides its item: received back and refunded. */
function returned(
  itemId: string,
  quantity: number,
): Pick<LineItemReturnItem, 'id' | 'shipmentState' | 'paymentState' | 'createdAt' | 'lastModifiedAt'> {
  return {
    id: `return-${itemId}-${quantity}`,
    shipmentState: 'Returned',
    paymentState: 'Refunded',
    createdAt: '2026-05-12T09:40:00.000Z',
    lastModifiedAt: '2026-05-12T09:40:00.000Z',
  };
}

/** Units of a line item sent back, received and refunded. */
export function lineItemReturn(
  item: Pick<LineItemReturnItem, 'lineItemId' | 'quantity'> & Partial<LineItemReturnItem>,
): LineItemReturnItem {
  return { type: 'LineItemReturnItem', ...returned(item.lineItemId, item.quantity), ...item };
}

/** Units of a custom line item sent back, received and refunded. */
export function customLineItemReturn(
  item: Pick<CustomLineItemReturnItem, 'customLineItemId' | 'quantity'> & Partial<CustomLineItemReturnItem>,
): CustomLineItemReturnItem {
  return { type: 'CustomLineItemReturnItem', ...returned(item.customLineItemId, item.quantity), ...item };
}

/** A successful charge of the default order's 104.70 EUR. */
export function transaction(overrides: Partial<Transaction> = {}): Transaction {
  return {
    id: '0c2e4a6b-8d1f-4b3d-9e5a-7c9e1b3d5f7a',
    timestamp: '2026-05-04T10:14:05.912Z',
    type: 'Charge',
    amount: money(ORDER_TOTAL),
    interactionId: 'psp-8816204571',
    state: 'Success',
    ...overrides,
  };
}

/** The default order's card payment, charged in full. */
export function payment(overrides: Partial<Payment> = {}): Payment {
  return {
    id: PAYMENT_ID,
    version: 4,
    customer: { typeId: 'customer', id: SHOPPER.id },
    interfaceId: 'psp-payment-40812',
    amountPlanned: money(ORDER_TOTAL),
    paymentMethodInfo: { paymentInterface: 'adyen', method: 'scheme', name: { en: 'Credit card' } },
    paymentStatus: {},
    transactions: [transaction()],
    interfaceInteractions: [],
    createdAt: '2026-05-04T10:13:58.204Z',
    lastModifiedAt: '2026-05-04T10:14:05.912Z',
    ...overrides,
  };
}

/** The default order's customer: registered in the German webshop, one address, email verified. */
export function customer(overrides: Partial<Customer> = {}): Customer {
  return {
    id: SHOPPER.id,
    version: 5,
    customerNumber: 'CN-311902',
    email: SHOPPER.email,
    firstName: 'Wilhelmina',
    lastName: 'Brandtstetter',
    addresses: [address()],
    defaultShippingAddressId: SHOPPER.addressId,
    shippingAddressIds: [SHOPPER.addressId],
    defaultBillingAddressId: SHOPPER.addressId,
    billingAddressIds: [SHOPPER.addressId],
    isEmailVerified: true,
    customerGroupAssignments: [],
    locale: 'de-DE',
    stores: [WEBSHOP],
    authenticationMode: 'Password',
    createdAt: '2025-09-18T19:02:44.610Z',
    lastModifiedAt: '2026-05-04T10:14:08.021Z',
    ...overrides,
  };
}

/** Custom fields of the project's consent type (any resource's `custom`). */
export function customFields(fields: CustomFields['fields']): CustomFields {
  return { type: { typeId: 'type', id: '4a0b7f3c-2d8e-4f51-a6c9-1e7d3b5f9a20' }, fields };
}

/** A subscription to order changes, delivered to Pub/Sub, as commercetools stores it. */
export function subscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: '7e9a1c3e-5b7d-4f9b-8d1f-3a5c7e9b1d3f',
    version: 1,
    key: 'segment-connector-subscription',
    destination: { type: 'GoogleCloudPubSub', topic: 'connect-topic-1', projectId: 'connect-gcp-project' },
    changes: [{ resourceTypeId: 'order' }],
    messages: [],
    events: [],
    format: { type: 'Platform' },
    status: 'Healthy',
    createdAt: '2026-05-01T08:00:00.000Z',
    lastModifiedAt: '2026-05-01T08:00:00.000Z',
    ...overrides,
  };
}

/**
 * A Message notification (the Platform format) as the decoder hands it on: its envelope checked,
 * the fields of its type (`order`, `transaction`…) not yet, so they may be anything.
 */
export function messageNotification(
  fields: Pick<MessageNotification, 'type'> & Partial<MessageNotification>,
): MessageNotification {
  return {
    notificationType: 'Message',
    projectKey: 'demo-shop',
    id: '8c0e2a4c-6e8a-4a0c-9e2a-4c6e8a0c2e4a',
    version: 1,
    sequenceNumber: 1,
    resource: { typeId: 'order', id: ORDER_ID },
    resourceVersion: 1,
    resourceUserProvidedIdentifiers: { orderNumber: ORDER_NUMBER },
    createdAt: PLACED_AT,
    lastModifiedAt: PLACED_AT,
    ...fields,
  };
}
