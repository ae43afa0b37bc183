/** US dollars as commercetools writes an amount: cents, two fraction digits. */
export const usd = (centAmount: number) => ({
  type: 'centPrecision',
  currencyCode: 'USD',
  centAmount,
  fractionDigits: 2,
});

/**
 * A payment as commercetools holds one, with these transactions: $227.46 planned, paid by card
 * through a PSP, unless `fields` say otherwise.
 */
export const paymentWith = (id: string, transactions: object[], fields: object = {}) => ({
  id,
  version: 3,
  createdAt: '2026-03-14T09:26:50.000Z',
  lastModifiedAt: '2026-03-14T09:31:12.000Z',
  amountPlanned: usd(22746),
  paymentMethodInfo: { paymentInterface: 'psp', method: 'card' },
  paymentStatus: {},
  transactions,
  interfaceInteractions: [],
  ...fields,
});
