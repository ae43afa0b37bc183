import { z } from 'zod';

/**
 * The parts of commercetools orders and customers that the mappers read, for resources that
 * arrive inside messages (OrderCreated, CustomerCreated) rather than from a commercetools read.
 * Such a payload is external input like any other: a forged or truncated one must be refused as
 * a bad request, not crash a mapper halfway. Everything else in the resource passes through.
 */
const text = z.string();

/**
 * A commercetools money value (TypedMoney), wherever a message carries one. Its `type` may be
 * absent: the mappers then read `centAmount` (see mapping/money.ts, amountOf).
 */
export const moneySchema = z.looseObject({
  type: z.enum(['centPrecision', 'highPrecision']).optional(),
  currencyCode: z.string().regex(/^[A-Z]{3}$/),
  centAmount: z.number().int(),
  fractionDigits: z.number().int().min(0).max(20),
  preciseAmount: z.number().int().optional(),
});
const money = moneySchema;
const taxRate = z.looseObject({ amount: z.number().min(0).max(1), includedInPrice: z.boolean() });
const perMethodTaxRate = z.array(z.looseObject({ shippingMethodKey: text.optional(), taxRate: taxRate.optional() }));
const shippingDetails = z.looseObject({
  targets: z.array(z.looseObject({ shippingMethodKey: text.optional(), quantity: z.number().int().nonnegative() })),
});
const localized = z.record(z.string(), z.string());
const discountedPricePerQuantity = z.array(
  z.looseObject({
    quantity: z.number().int().nonnegative(),
    discountedPrice: z.looseObject({
      value: money,
      includedDiscounts: z.array(z.looseObject({ discountedAmount: money })),
    }),
  }),
);
const taxedItemPrice = z.looseObject({ totalNet: money, totalGross: money });
const custom = z.looseObject({ fields: z.record(z.string(), z.unknown()) });

const lineItem = z.looseObject({
  id: text,
  productId: text,
  name: localized,
  variant: z.looseObject({
    id: z.number().int(),
    sku: text.optional(),
    key: text.optional(),
    images: z.array(z.looseObject({ url: text })).optional(),
  }),
  price: z.looseObject({ value: money, discounted: z.looseObject({ value: money }).optional() }),
  quantity: z.number().int().nonnegative(),
  totalPrice: money,
  discountedPricePerQuantity,
  taxRate: taxRate.optional(),
  perMethodTaxRate: perMethodTaxRate.optional(),
  shippingDetails: shippingDetails.optional(),
  taxedPrice: taxedItemPrice.optional(),
});

const customLineItem = z.looseObject({
  id: text,
  name: localized,
  slug: text,
  money,
  quantity: z.number().int().nonnegative(),
  totalPrice: money,
  discountedPricePerQuantity,
  taxRate: taxRate.optional(),
  perMethodTaxRate: perMethodTaxRate.optional(),
  shippingDetails: shippingDetails.optional(),
  taxedPrice: taxedItemPrice.optional(),
});

const shippingInfo = z.looseObject({
  shippingMethodName: text,
  price: money,
  discountedPrice: z.looseObject({ value: money }).optional(),
  taxedPrice: taxedItemPrice.optional(),
  taxRate: taxRate.optional(),
});

export const embeddedOrderSchema = z.looseObject({
  id: text,
  version: z.number().int(),
  createdAt: text,
  lastModifiedAt: text,
  customerId: text.optional(),
  anonymousId: text.optional(),
  customerEmail: text.optional(),
  totalPrice: money,
  taxedPrice: z
    .looseObject({
      totalNet: money,
      totalGross: money,
      totalTax: money.optional(),
      taxPortions: z.array(z.looseObject({ amount: money })),
    })
    .optional(),
  taxedShippingPrice: z.looseObject({ totalNet: money, totalGross: money }).optional(),
  taxRoundingMode: z.enum(['HalfEven', 'HalfUp', 'HalfDown']).optional(),
  priceRoundingMode: z.enum(['HalfEven', 'HalfUp', 'HalfDown']).optional(),
  lineItems: z.array(lineItem),
  customLineItems: z.array(customLineItem),
  shippingMode: z.enum(['Single', 'Multiple']).optional(),
  shippingInfo: shippingInfo.optional(),
  shipping: z.array(z.looseObject({ shippingInfo })).optional(),
  discountOnTotalPrice: z.looseObject({ discountedAmount: money, discountedGrossAmount: money.optional() }).optional(),
  discountCodes: z
    .array(z.looseObject({ discountCode: z.looseObject({ id: text }), state: text.optional() }))
    .optional(),
  custom: custom.optional(),
  returnInfo: z
    .array(z.looseObject({ items: z.array(z.looseObject({ type: text, quantity: z.number().int() })) }))
    .optional(),
});

const address = z.looseObject({ id: text.optional() });

export const embeddedCustomerSchema = z.looseObject({
  id: text,
  version: z.number().int(),
  createdAt: text,
  lastModifiedAt: text,
  email: text,
  addresses: z.array(address),
  isEmailVerified: z.boolean().optional(),
  custom: custom.optional(),
  stores: z.array(z.looseObject({ key: text })).optional(),
});
