import type { Order } from '@commercetools/platform-sdk';
import { buildProducts } from '../../src/mapping/products';
import { cartDiscountPortion, discountedPrice, money } from '../support/builders';
import { orderFixtures } from '../support/fixtures';

const { taxIncluded, giftCredit, taxExcluded, multipleShipping, jpy, kwd, highPrecision } = orderFixtures;

describe('buildProducts', () => {
  it('prices a product-discounted line at its discounted unit price and numbers custom line items on', () => {
    expect(buildProducts(taxIncluded, { locale: 'de-DE' })).toEqual([
      {
        product_id: '7a0b3c4d-5e6f-4a7b-9c8d-9e0f1a2b3c4d',
        sku: 'LSH-WHT-L',
        name: 'Leinenhemd',
        variant: 'linen-shirt-white-l',
        price: 49.9, // 59.90 with the spring-sale product discount
        discount: 0, // a product discount is in the price; the 15.00 off the total is on no line
        quantity: 2,
        total_price: 99.8,
        image_url: 'https://images.example-cdn.com/products/linen-shirt-white.jpg',
        position: 1,
      },
      {
        product_id: '8b1c4d5e-6f7a-4b8c-8d9e-0f1a2b3c4d5e',
        sku: 'LBT-BRN-95',
        name: 'Ledergürtel',
        variant: 'leather-belt-brown-95',
        price: 34.95,
        discount: 0,
        quantity: 1,
        total_price: 34.95,
        image_url: 'https://images.example-cdn.com/products/leather-belt-brown.jpg',
        position: 2,
      },
      {
        sku: 'gift-wrap',
        name: 'Geschenkverpackung',
        price: 4.5,
        discount: 0,
        quantity: 1,
        total_price: 4.5,
        position: 3,
      },
    ]);
  });

  it('keeps cart discounts out of the unit price but in the line total', () => {
    // JPY whisk: ¥2,200 unit price, ¥220 cart discount → line total ¥1,980
    expect(
      buildProducts(jpy, { locale: 'en' }).map(({ sku, price, total_price }) => ({ sku, price, total_price })),
    ).toEqual([
      { sku: 'MTT-40G', price: 1620, total_price: 3240 },
      { sku: 'BWH-100', price: 2200, total_price: 1980 },
    ]);
    // KWD perfume: 24.375 unit, 2 × 20.719 = 41.438 after 15 % off
    expect(buildProducts(kwd).map(({ price, total_price }) => [price, total_price])).toEqual([
      [24.375, 41.438],
      [12.345, 12.345],
    ]);
  });

  it('keeps every digit of high-precision unit prices', () => {
    // screws 0.1235 each, line 450 × 0.1180 = 53.10; washers 0.0715 each, 333 × 0.0715 = 23.8095 → 23.81
    expect(
      buildProducts(highPrecision).map(({ price, quantity, total_price }) => [price, quantity, total_price]),
    ).toEqual([
      [0.1235, 450, 53.1],
      [0.0715, 333, 23.81],
    ]);
  });

  it('names the variant by its id when it has no key', () => {
    const [, mug] = buildProducts(multipleShipping, { locale: 'en' });
    expect(mug).toMatchObject({ sku: 'SWM-OAT-12', variant: '4', position: 2 });
  });

  it('leaves out what the line item does not have', () => {
    const [first] = taxIncluded.lineItems;
    if (!first) throw new Error('fixture has no line item');
    const bare: Order = {
      ...taxIncluded,
      customLineItems: [],
      lineItems: [{ ...first, variant: { id: 7 }, name: {} }],
    };
    expect(buildProducts(bare)).toEqual([
      {
        product_id: '7a0b3c4d-5e6f-4a7b-9c8d-9e0f1a2b3c4d',
        variant: '7',
        price: 49.9,
        discount: 0,
        quantity: 2,
        total_price: 99.8,
        position: 1,
      },
    ]);
  });

  it('lists no custom line item with negative money: a credit is a discount, not a product', () => {
    // The goodwill credit of −5.00 is left out; the beans and the gift are listed.
    expect(buildProducts(giftCredit).map(({ sku, position }) => [sku, position])).toEqual([
      ['ESP-1KG-DRK', 1],
      ['MFR-STL', 2],
    ]);
    // Between two custom line items, a credit leaves no gap in the positions.
    const [credit] = giftCredit.customLineItems;
    const [giftWrap] = taxIncluded.customLineItems;
    if (!credit || !giftWrap) throw new Error('fixture has no custom line item');
    const order: Order = { ...taxIncluded, customLineItems: [credit, giftWrap, { ...giftWrap, slug: 'card' }] };
    expect(buildProducts(order).map(({ sku, position }) => [sku, position])).toEqual([
      ['LSH-WHT-L', 1],
      ['LBT-BRN-95', 2],
      ['gift-wrap', 3],
      ['card', 4],
    ]);
  });

  describe('discount: the unit amount of cart discounts on the line, in its price mode', () => {
    const pick = (order: Order) =>
      buildProducts(order).map(({ price, discount, quantity, total_price }) => [
        price,
        discount,
        quantity,
        total_price,
      ]);

    it('is what one unit lost to cart discounts, so (price − discount) × quantity is the line total', () => {
      // JPY whisk ¥2,200 − ¥220 = ¥1,980; the matcha tins have none
      expect(pick(jpy)).toEqual([
        [1620, 0, 2, 3240],
        [2200, 220, 1, 1980],
      ]);
      // KWD perfume: 24.375 − 3.656 = 20.719, × 2 = 41.438
      expect(pick(kwd)).toEqual([
        [24.375, 3.656, 2, 41.438],
        [12.345, 0, 1, 12.345],
      ]);
      // High precision: each screw 0.0025 + 0.0030 = 0.0055 off 0.1235, × 450 = 53.10
      expect(pick(highPrecision)).toEqual([
        [0.1235, 0.0055, 450, 53.1],
        [0.0715, 0, 333, 23.81],
      ]);
    });

    it('spreads a multi-buy over every unit of the line, and prices a free gift at its price, all discounted', () => {
      // Three bags for the price of two: the third bag's 18.90 over 3 bags is 6.30 each;
      // the milk frother is a gift: price 24.90 as stored, discount 24.90, total 0.
      expect(pick(giftCredit)).toEqual([
        [18.9, 6.3, 3, 37.8],
        [24.9, 24.9, 1, 0],
      ]);
    });

    it('keeps more digits when the discount does not divide by the quantity', () => {
      // 2 of 3 bags 1.00 off: 2.00 / 3 = 0.666… → 0.667; (18.90 − 0.667) × 3 = 54.699, 54.70 to the cent.
      const [beans, frother] = giftCredit.lineItems;
      if (!beans || !frother) throw new Error('fixture has no line items');
      const twoOff: Order = {
        ...giftCredit,
        lineItems: [
          {
            ...beans,
            discountedPricePerQuantity: [
              { quantity: 1, discountedPrice: discountedPrice(money(1890, 'EUR')) },
              {
                quantity: 2,
                discountedPrice: discountedPrice(money(1790, 'EUR'), cartDiscountPortion(money(100, 'EUR'))),
              },
            ],
            totalPrice: money(5470, 'EUR'),
          },
          frother,
        ],
      };
      expect(pick(twoOff)[0]).toEqual([18.9, 0.667, 3, 54.7]);
    });

    it('is the net unit discount on net prices, as the price is', () => {
      // USD tax excluded: sneakers 10 % off 89.90 net is 8.99 net (9.79 gross is not what is sent)
      expect(buildProducts(taxExcluded)[0]).toMatchObject({ price: 89.9, discount: 8.99 });
    });
  });
});
