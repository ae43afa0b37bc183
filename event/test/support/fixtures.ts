import type { Customer, Order } from '@commercetools/platform-sdk';
import customerFullJson from '../fixtures/customers/customer-full.json';
import customerMinimalJson from '../fixtures/customers/customer-minimal.json';
import giftCreditJson from '../fixtures/orders/order-gift-credit.json';
import guestJson from '../fixtures/orders/order-guest.json';
import highPrecisionJson from '../fixtures/orders/order-high-precision.json';
import invalidConsentJson from '../fixtures/orders/order-invalid-consent.json';
import jpyJson from '../fixtures/orders/order-jpy.json';
import kwdJson from '../fixtures/orders/order-kwd.json';
import multipleShippingJson from '../fixtures/orders/order-multiple-shipping.json';
import noTaxJson from '../fixtures/orders/order-no-tax.json';
import shippedJson from '../fixtures/orders/order-shipped.json';
import taxExcludedJson from '../fixtures/orders/order-tax-excluded.json';
import taxIncludedJson from '../fixtures/orders/order-tax-included.json';
import totalDiscountJson from '../fixtures/orders/order-total-discount.json';

/**
 * A commercetools type as a JSON import types it: JSON has no string literal types, so a field
 * that holds 'centPrecision' or 'Open' is a plain string. Everything else is checked as it is.
 */
type Json<T> = T extends string
  ? string
  : T extends number | boolean | null | undefined
    ? T
    : T extends readonly (infer Item)[]
      ? Json<Item>[]
      : { [Key in keyof T]: Json<T[Key]> };

/**
 * The fixture as the Order it is. TypeScript checks every field name, value type and required
 * field against Order; only the string literals are taken on trust (fixtures.test.ts checks that
 * each order holds together as commercetools computes it).
 */
function orderFromJson(json: Json<Order>): Order {
  return json as Order;
}

/** The fixture as the Customer it is, checked like orderFromJson's orders. */
function customerFromJson(json: Json<Customer>): Customer {
  return json as Customer;
}

/**
 * The realistic orders of test/fixtures/orders, each hand-checked: its comments in
 * order-figures.test.ts say what it adds up to.
 */
export const orderFixtures = {
  /** USD, 8.875 % on top of prices, SAVE10 takes 10 % off both lines; a registered customer. */
  taxExcluded: orderFromJson(taxExcludedJson),
  /** EUR, 19 % included, product, total-price and shipping discounts, a gift-wrap custom line, consent. */
  taxIncluded: orderFromJson(taxIncludedJson),
  /** USD, two shipping methods (Multiple shipping mode). */
  multipleShipping: orderFromJson(multipleShippingJson),
  /** JPY, which has no minor unit. */
  jpy: orderFromJson(jpyJson),
  /** KWD, which has three fraction digits; no store. */
  kwd: orderFromJson(kwdJson),
  /** EUR B2B, high-precision prices. */
  highPrecision: orderFromJson(highPrecisionJson),
  /** CAD, tax mode Disabled. */
  noTax: orderFromJson(noTaxJson),
  /** USD, a guest: an anonymousId and an email, no customerId. */
  guest: orderFromJson(guestJson),
  /** EUR, a consent field that does not parse. */
  invalidConsent: orderFromJson(invalidConsentJson),
  /** USD, 15 % off the total price, which also falls on shipping. */
  totalDiscount: orderFromJson(totalDiscountJson),
  /** EUR, a multi-buy, a free gift line and a goodwill credit (a custom line with negative money). */
  giftCredit: orderFromJson(giftCreditJson),
  /** EUR, shipped in two deliveries with tracked parcels and a return label. */
  shipped: orderFromJson(shippedJson),
};

/** The realistic customers of test/fixtures/customers. */
export const customerFixtures = {
  /** Every field the connector reads, two addresses, consent. */
  full: customerFromJson(customerFullJson),
  /** Only what commercetools requires. */
  minimal: customerFromJson(customerMinimalJson),
};

/** A value the fixture must have because the test relies on it; a clear failure if it has not. */
export function defined<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('fixture is missing a value the test relies on');
  return value;
}
