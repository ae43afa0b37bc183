import type { Attribute, LineItem, Order } from '@commercetools/platform-sdk';
import type { JsonObject } from '../segment/calls';
import { localize } from './localize';
import { toUnits, unitsOf } from './money';
import { isReduction, unitCartDiscount, unitPrice } from './order-figures';
import { compact, type MappingOptions, type ProductOptions } from './types';

/** The placeholders a product URL template may use, each filled from the line item (see productUrl). */
export const PRODUCT_URL_PLACEHOLDERS = ['slug', 'sku', 'productKey', 'productId', 'variantKey', 'locale'] as const;

type ProductUrlPlaceholder = (typeof PRODUCT_URL_PLACEHOLDERS)[number];

/** What products are built with: the deployment's locale and product settings. */
export type ProductMapping = Pick<MappingOptions, 'locale' | 'products'>;

/**
 * The `products` array of Segment's Order Completed: line items first, then custom line items
 * (gift wrap, fees…), numbered on from where the line items stop. Custom line items with negative
 * money (vouchers, credits) are reductions, counted in the order's `discount` instead.
 *
 * `price` is the unit price shoppers saw on the product (product discounts included, cart
 * discounts not, since those are spread over the whole cart); `discount` is the unit amount of
 * cart discounts on the line, so (price − discount) × quantity is `total_price`, what the line
 * finally cost. High-precision unit prices keep all their digits.
 *
 * A line item also carries its `brand` (a variant attribute), `url` (from a template) and
 * `category` (its product's first category, read by the handler) when configured; custom line
 * items have no product, so none of the three.
 */
export function buildProducts(order: Order, options: ProductMapping = {}): JsonObject[] {
  const { locale } = options;
  const settings = options.products ?? {};
  const lineItems = order.lineItems.map((item, index) =>
    compact({
      product_id: item.productId,
      sku: item.variant.sku,
      name: localize(item.name, locale),
      variant: item.variant.key ?? String(item.variant.id),
      brand: brandOf(item, settings.brandAttribute, locale),
      category: categoryOf(item.productId, settings, locale),
      price: toUnits(unitPrice(item)),
      discount: toUnits(unitCartDiscount(item, order)),
      quantity: item.quantity,
      total_price: unitsOf(item.totalPrice),
      url: settings.urlTemplate ? productUrl(settings.urlTemplate, item, locale) : undefined,
      image_url: item.variant.images?.[0]?.url,
      position: index + 1,
    }),
  );
  const customLineItems = order.customLineItems
    .filter((item) => !isReduction(item))
    .map((item, index) =>
      compact({
        sku: item.slug,
        name: localize(item.name, locale),
        price: toUnits(unitPrice(item)),
        discount: toUnits(unitCartDiscount(item, order)),
        quantity: item.quantity,
        total_price: unitsOf(item.totalPrice),
        position: lineItems.length + index + 1,
      }),
    );
  return [...lineItems, ...customLineItems];
}

/**
 * The brand: the value of the variant's attribute of that name, as text. commercetools gives a
 * text attribute as a string, an enum as `{key, label}`, a localized enum as `{key, label: {en…}}`
 * and a localized text as `{en…}`: labels and texts are taken in the locale. Anything else (a
 * number, a set, a reference) is no brand.
 */
export function brandOf(item: LineItem, attribute: string | undefined, locale?: string): string | undefined {
  if (!attribute) return undefined;
  const found: Attribute | undefined = item.variant.attributes?.find((candidate) => candidate.name === attribute);
  return found ? attributeText(found.value, locale) : undefined;
}

function attributeText(value: unknown, locale?: string): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if ('label' in record) {
    const label = record.label;
    if (typeof label === 'string') return label.trim() === '' ? undefined : label;
    return isLocalized(label) ? localize(label, locale) : undefined;
  }
  return isLocalized(record) ? localize(record, locale) : undefined;
}

/** A language tag as commercetools' LocalizedString keys are: `en`, `de-DE`, `zh-Hant-TW`. */
const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/**
 * A LocalizedString: an object of language tags to text. A reference (`{typeId, id}`) is all text
 * too; its `typeId` is no language tag.
 */
function isLocalized(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return entries.length > 0 && entries.every(([key, text]) => LANGUAGE_TAG.test(key) && typeof text === 'string');
}

/** The product's first category: its own name, or its path from the root joined by ` > `. */
function categoryOf(productId: string, settings: ProductOptions, locale?: string): string | undefined {
  const path = settings.categories?.get(productId);
  if (!path || path.length === 0) return undefined;
  const names = (settings.categoryPath ? path : path.slice(-1)).map((name) => localize(name, locale));
  if (names.some((name) => name === undefined)) return undefined;
  return names.join(' > ');
}

/**
 * The product page's URL: the template with each placeholder replaced by the line item's value,
 * URL-encoded. Undefined when a placeholder the template uses has no value (a product without
 * key, a variant without key, a deleted product without slug): a URL that leads nowhere is worse
 * than none.
 */
export function productUrl(template: string, item: LineItem, locale?: string): string | undefined {
  const values: Record<ProductUrlPlaceholder, string | undefined> = {
    slug: localize(item.productSlug, locale),
    sku: item.variant.sku,
    productKey: item.productKey,
    productId: item.productId,
    variantKey: item.variant.key,
    locale,
  };
  let missing = false;
  const url = template.replace(/\{([A-Za-z]+)\}/g, (placeholder, name: string) => {
    const value = values[name as ProductUrlPlaceholder];
    if (value === undefined || value === '') {
      missing = true;
      return placeholder;
    }
    return encodeURIComponent(value);
  });
  return missing ? undefined : url;
}
