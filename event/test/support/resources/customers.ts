/**
 * A registered customer as commercetools holds one: an email and nothing else of note. commercetools
 * keeps `lowercaseEmail` beside the email, for look-ups.
 */
export const registeredCustomer = (id: string, email: string) => ({
  id,
  version: 1,
  createdAt: '2026-03-01T10:00:00.000Z',
  lastModifiedAt: '2026-03-01T10:00:00.000Z',
  email,
  lowercaseEmail: email.toLowerCase(),
  addresses: [],
  shippingAddressIds: [],
  billingAddressIds: [],
  isEmailVerified: false,
  stores: [],
  authenticationMode: 'Password',
});

/** A registered customer whose email is a guest order's email, in capitals. */
export const registeredTwin = (email: string) =>
  registeredCustomer('7b8f7c52-3f55-4d0e-9a3a-5b8f3a1e0c11', email.toUpperCase());
