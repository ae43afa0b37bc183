import type { Attribute, DiscountCodeInfo, LocalizedString, Order } from '@commercetools/platform-sdk';
import { appliedCoupons } from '../../src/mapping/order';
import { buildProducts, productUrl } from '../../src/mapping/products';
import type { ProductCategories } from '../../src/mapping/types';
import taxExcludedJson from '../fixtures/orders/order-tax-excluded.json';

/** A fresh copy of the tax-excluded order (a sneaker and a second line), to change one field at a time. */
function order(): Order {
  return structuredClone(taxExcludedJson) as unknown as Order;
}

/** The order with these attributes on its first line item's variant. */
function withAttributes(attributes: Attribute[]): Order {
  const changed = order();
  const [first, ...rest] = changed.lineItems;
  return { ...changed, lineItems: [{ ...first!, variant: { ...first!.variant, attributes } }, ...rest] };
}

const sneaker = order().lineItems[0]!;

describe('brand', () => {
  const brandOfFirst = (attributes: Attribute[], locale?: string, brandAttribute = 'brand') =>
    buildProducts(withAttributes(attributes), { locale, products: { brandAttribute } })[0]?.brand;

  it.each<[string, unknown, string | undefined]>([
    ['a text attribute', 'Trailhead', 'Trailhead'],
    ['an enum, by its label', { key: 'trailhead', label: 'Trailhead Outdoor' }, 'Trailhead Outdoor'],
    [
      'a localized enum, its label in the locale',
      { key: 'th', label: { en: 'Trailhead', de: 'Trailkopf' } },
      'Trailkopf',
    ],
    ['a localized text, in the locale', { en: 'Trailhead', 'de-DE': 'Trailkopf' }, 'Trailkopf'],
    ['a blank text, as none', '  ', undefined],
    ['a number, as none', 42, undefined],
    ['a set, as none', ['Trailhead'], undefined],
    ['a reference, as none', { typeId: 'product', id: 'e1c6…' }, undefined],
  ])('takes %s', (_, value, brand) => {
    expect(brandOfFirst([{ name: 'brand', value }], 'de-DE')).toBe(brand);
  });

  it('reads the configured attribute only, and nothing when none is configured', () => {
    const attributes = [
      { name: 'brand', value: 'Trailhead' },
      { name: 'manufacturer', value: 'Trailhead GmbH' },
    ];
    expect(brandOfFirst(attributes, 'en', 'manufacturer')).toBe('Trailhead GmbH');
    expect(buildProducts(withAttributes(attributes), {})[0]).not.toHaveProperty('brand');
    expect(brandOfFirst([], 'en')).toBeUndefined();
  });
});

describe('url', () => {
  it('fills every placeholder from the line item, URL-encoded', () => {
    const template = 'https://shop.example/{locale}/p/{slug}?sku={sku}&k={productKey}&id={productId}&v={variantKey}';
    expect(productUrl(template, sneaker, 'de')).toBe(
      `https://shop.example/de/p/trailrunning-sneaker?sku=TRS-GRY-42&k=trail-runner-sneaker&id=${sneaker.productId}&v=trail-runner-grey-42`,
    );
    const spaced = { ...sneaker, productSlug: { en: 'trail runner/grey' } };
    expect(productUrl('https://shop.example/p/{slug}', spaced, 'en')).toBe(
      'https://shop.example/p/trail%20runner%2Fgrey',
    );
  });

  it('gives no url when a value the template uses is missing, rather than a broken one', () => {
    const deleted = { ...sneaker, productSlug: undefined };
    expect(productUrl('https://shop.example/p/{slug}', deleted, 'en')).toBeUndefined();
    expect(productUrl('https://shop.example/{locale}/p/{slug}', sneaker, undefined)).toBeUndefined();
    expect(productUrl('https://shop.example/p/{sku}', deleted, 'en')).toBe('https://shop.example/p/TRS-GRY-42');
  });

  it('is on line items only: custom line items have no product page', () => {
    const withCustom = order();
    const products = buildProducts(withCustom, { products: { urlTemplate: 'https://shop.example/p/{productId}' } });
    expect(products.filter((product) => 'url' in product)).toHaveLength(withCustom.lineItems.length);
  });
});

describe('category', () => {
  const men: LocalizedString = { en: 'Men', de: 'Herren' };
  const shoes: LocalizedString = { en: 'Shoes', de: 'Schuhe' };
  const trail: LocalizedString = { en: 'Trail', de: 'Trail' };
  const categories: ProductCategories = new Map([[sneaker.productId, [men, shoes, trail]]]);

  it("is the first category's own name in the locale, or its path from the root", () => {
    const [first, second] = buildProducts(order(), { locale: 'de', products: { categories } });
    expect(first?.category).toBe('Trail');
    expect(second).not.toHaveProperty('category');
    const [withPath] = buildProducts(order(), { locale: 'de', products: { categories, categoryPath: true } });
    expect(withPath?.category).toBe('Herren > Schuhe > Trail');
  });

  it('leaves the category out when a name of the path has no text at all', () => {
    const unnamed: ProductCategories = new Map([[sneaker.productId, [men, {}, trail]]]);
    expect(buildProducts(order(), { products: { categories: unnamed, categoryPath: true } })[0]).not.toHaveProperty(
      'category',
    );
  });
});

describe('coupon', () => {
  const code = (text: string, state: DiscountCodeInfo['state']): DiscountCodeInfo => ({
    state,
    discountCode: {
      typeId: 'discount-code',
      id: `id-${text}`,
      obj: {
        id: `id-${text}`,
        version: 1,
        createdAt: '2026-02-01T08:00:00.000Z',
        lastModifiedAt: '2026-02-01T08:00:00.000Z',
        code: text,
        cartDiscounts: [],
        isActive: true,
        stores: [],
        references: [],
        groups: [],
      },
    },
  });

  it('lists every code that applied, in the order commercetools holds them', () => {
    const discountCodes = [
      code('SUMMER10', 'MatchesCart'),
      code('VIP', 'ApplicationStoppedByGroupBestDeal'),
      code('FREESHIP', 'MatchesCart'),
      code('OLD', 'NotActive'),
    ];
    expect(appliedCoupons({ discountCodes })).toBe('SUMMER10,FREESHIP');
  });

  it('names no code when none applied or none is expanded', () => {
    expect(appliedCoupons({ discountCodes: [code('VIP', 'DoesNotMatchCart')] })).toBeUndefined();
    const unexpanded: DiscountCodeInfo = {
      state: 'MatchesCart',
      discountCode: { typeId: 'discount-code', id: 'id-X' },
    };
    expect(appliedCoupons({ discountCodes: [unexpanded] })).toBeUndefined();
    expect(appliedCoupons({})).toBeUndefined();
  });
});
