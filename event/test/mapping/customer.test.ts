import type { Address, Customer, StoreKeyReference } from '@commercetools/platform-sdk';
import { buildCustomerIdentify, buildSignedUp } from '../../src/mapping/customer';
import { buildMessageId } from '../../src/mapping/message-id';
import type { EventName, MappingOptions } from '../../src/mapping/types';
import type { SegmentCall } from '../../src/segment/calls';
import { customFields } from '../support/builders';
import { customerFixtures, defined } from '../support/fixtures';
import { callsOf, MAPPING_OPTIONS } from '../support/mapping';

const { full: customerFull, minimal: customerMinimal } = customerFixtures;

function identifyOf(customer: Customer, extra: Partial<MappingOptions> = {}): SegmentCall {
  const calls = callsOf(buildCustomerIdentify(customer, { ...MAPPING_OPTIONS, ...extra }));
  expect(calls).toHaveLength(1);
  const [call] = calls;
  if (!call) throw new Error('no call');
  return call;
}

const traitsOf = (customer: Customer) => {
  const call = identifyOf(customer);
  if (call.type !== 'identify') throw new Error('expected an identify');
  return call.traits;
};

describe('buildCustomerIdentify', () => {
  it('identifies a full customer with every trait, the billing address and the consent', () => {
    expect(identifyOf(customerFull)).toEqual({
      type: 'identify',
      userId: '1c6e0a3b-5d7f-4b9a-8c2e-4f6a8b0c2d19',
      timestamp: '2026-02-27T16:40:12.559Z',
      messageId: buildMessageId({
        projectKey: 'demo-shop',
        typeId: 'customer',
        resourceId: '1c6e0a3b-5d7f-4b9a-8c2e-4f6a8b0c2d19',
        event: 'identify',
        discriminator: 12,
      }),
      traits: {
        email: 'henrietta.quillfeather@example.com',
        firstName: 'Henrietta',
        lastName: 'Quillfeather',
        name: 'Henrietta Quillfeather',
        title: 'Dr.',
        birthday: '1984-03-17',
        // The default billing address (the second one) has no phone, so its mobile is used.
        phone: '+49 170 5550 9921',
        address: { street: 'Kompassgasse 4a', city: 'Hamburg', postalCode: '20457', state: 'Hamburg', country: 'DE' },
        createdAt: '2024-11-03T08:15:42.021Z',
        company: { name: 'Quillfeather Kartografie GmbH' },
        customerNumber: 'CN-204817',
        externalId: 'crm-88412',
        isEmailVerified: true,
        locale: 'de-DE',
      },
      context: { consent: { categoryPreferences: { Advertising: true, Analytics: true, Functional: false } } },
    });
  });

  it('sends only what a minimal customer has', () => {
    const call = identifyOf(customerMinimal);
    expect(call).toEqual({
      type: 'identify',
      userId: '8f2b4d6e-0a1c-4e3f-9b5d-7e9f1a3b5c20',
      timestamp: '2026-01-20T12:00:03.714Z',
      messageId: buildMessageId({
        projectKey: 'demo-shop',
        typeId: 'customer',
        resourceId: '8f2b4d6e-0a1c-4e3f-9b5d-7e9f1a3b5c20',
        event: 'identify',
        discriminator: 1,
      }),
      traits: { email: 'minimal.marlowe@example.com', createdAt: '2026-01-20T12:00:03.714Z', isEmailVerified: false },
    });
  });

  describe('choosing the address', () => {
    const [home, office] = customerFull.addresses;

    it('falls back to the default shipping address without a default billing address', () => {
      const traits = traitsOf({ ...customerFull, defaultBillingAddressId: undefined });
      expect(traits.address).toEqual({
        street: 'Lindenwindweg 17',
        city: 'Berlin',
        postalCode: '10437',
        country: 'DE',
      });
      expect(traits.phone).toBe('+49 30 5550 1742'); // phone wins over mobile
    });

    it('falls back when the default billing id points at no address', () => {
      const traits = traitsOf({ ...customerFull, defaultBillingAddressId: 'gone1234' });
      expect(traits.address).toMatchObject({ city: 'Berlin' });
    });

    it('takes the first address when there is no default', () => {
      const traits = traitsOf({
        ...customerFull,
        defaultBillingAddressId: undefined,
        defaultShippingAddressId: undefined,
        addresses: [defined(office), defined(home)],
      });
      expect(traits.address).toMatchObject({ city: 'Hamburg' });
    });

    it('builds the street from whichever part exists and drops empty parts', () => {
      const onlyStreet: Address = { id: 'x1', country: 'DE', streetName: 'Kompassgasse', city: '' };
      const traits = traitsOf({ ...customerMinimal, addresses: [onlyStreet] });
      expect(traits.address).toEqual({ street: 'Kompassgasse', country: 'DE' });
      expect(traits).not.toHaveProperty('phone');
    });

    it('leaves out an address with nothing in it', () => {
      const empty: Address = { id: 'x2', country: '' };
      expect(traitsOf({ ...customerMinimal, addresses: [empty] })).not.toHaveProperty('address');
    });
  });

  it('names a customer by the part of the name that exists', () => {
    expect(traitsOf({ ...customerMinimal, firstName: 'Marlowe' }).name).toBe('Marlowe');
    expect(traitsOf({ ...customerMinimal, lastName: 'Marlowe' }).name).toBe('Marlowe');
    expect(traitsOf({ ...customerMinimal, firstName: '', lastName: '' })).not.toHaveProperty('name');
  });

  it('gives each customer version its own messageId, and the same version the same one', () => {
    const v12 = identifyOf(customerFull).messageId;
    expect(identifyOf(customerFull).messageId).toBe(v12);
    expect(identifyOf({ ...customerFull, version: 13 }).messageId).not.toBe(v12);
    expect(identifyOf(customerFull, { projectKey: 'other-shop' }).messageId).not.toBe(v12);
  });

  it('skips a customer whose consent cannot be read', () => {
    const custom = customFields({ consent: '{"Advertising":' });
    expect(buildCustomerIdentify({ ...customerFull, custom }, MAPPING_OPTIONS)).toEqual({
      kind: 'skip',
      reason: 'invalid-consent',
    });
  });

  it('reads consent from the configured field only', () => {
    expect(identifyOf(customerFull, { consentFieldName: 'segmentConsent' })).not.toHaveProperty('context');
  });
});

describe('buildSignedUp', () => {
  const SIGNED_UP: EventName = { name: 'Signed Up', slug: 'signed-up' };
  const stores: StoreKeyReference[] = [
    { typeId: 'store', key: 'de-webshop' },
    { typeId: 'store', key: 'at-webshop' },
  ];

  function signedUpOf(customer: Customer, event = SIGNED_UP, extra: Partial<MappingOptions> = {}): SegmentCall {
    const calls = callsOf(buildSignedUp(customer, { ...MAPPING_OPTIONS, ...extra }, event));
    expect(calls).toHaveLength(1);
    const [call] = calls;
    if (!call) throw new Error('no call');
    return call;
  }

  it('tracks a full customer’s sign-up at the account’s creation, with the first store and the consent', () => {
    expect(signedUpOf({ ...customerFull, stores })).toEqual({
      type: 'track',
      event: 'Signed Up',
      // Sent to the Segment source of each of the customer's stores that has one.
      stores: ['de-webshop', 'at-webshop'],
      userId: '1c6e0a3b-5d7f-4b9a-8c2e-4f6a8b0c2d19',
      // createdAt, not lastModifiedAt (2026-02-27T16:40:12.559Z): the sign-up happened then.
      timestamp: '2024-11-03T08:15:42.021Z',
      messageId: buildMessageId({
        projectKey: 'demo-shop',
        typeId: 'customer',
        resourceId: '1c6e0a3b-5d7f-4b9a-8c2e-4f6a8b0c2d19',
        event: 'signed-up',
        discriminator: 'created',
      }),
      properties: {
        email: 'henrietta.quillfeather@example.com',
        first_name: 'Henrietta',
        last_name: 'Quillfeather',
        title: 'Dr.',
        customer_number: 'CN-204817',
        store: 'de-webshop',
      },
      context: { consent: { categoryPreferences: { Advertising: true, Analytics: true, Functional: false } } },
    });
  });

  it('sends only what a minimal customer has, and no context without consent', () => {
    const call = signedUpOf(customerMinimal);
    expect(call).toMatchObject({
      type: 'track',
      userId: '8f2b4d6e-0a1c-4e3f-9b5d-7e9f1a3b5c20',
      timestamp: '2026-01-20T12:00:03.714Z',
    });
    if (call.type !== 'track') throw new Error('expected a track');
    // customer-minimal has no names, no number and an empty store list.
    expect(call.properties).toEqual({ email: 'minimal.marlowe@example.com' });
    expect(call).not.toHaveProperty('context');
  });

  it('leaves out blank values rather than sending empty strings', () => {
    const call = signedUpOf({ ...customerFull, firstName: '', lastName: '  ', title: '', customerNumber: ' ' });
    if (call.type !== 'track') throw new Error('expected a track');
    expect(call.properties).toEqual({ email: 'henrietta.quillfeather@example.com' });
  });

  it('uses the configured event name', () => {
    const call = signedUpOf(customerFull, { name: 'Account Created', slug: 'signed-up' });
    expect(call).toMatchObject({ type: 'track', event: 'Account Created' });
  });

  it('has one messageId per customer: independent of version and name, specific to project and slug', () => {
    const id = signedUpOf(customerFull).messageId;
    expect(signedUpOf({ ...customerFull, version: 13, lastModifiedAt: '2026-03-01T00:00:00.000Z' }).messageId).toBe(id);
    expect(signedUpOf(customerFull, { name: 'Account Created', slug: 'signed-up' }).messageId).toBe(id);
    expect(signedUpOf(customerFull, { name: 'Signed Up', slug: 'account-created' }).messageId).not.toBe(id);
    expect(signedUpOf(customerFull, SIGNED_UP, { projectKey: 'other-shop' }).messageId).not.toBe(id);
    expect(signedUpOf(customerMinimal).messageId).not.toBe(id);
    // Not the identify's id for the same customer either.
    expect(identifyOf(customerFull).messageId).not.toBe(id);
  });

  it('skips a customer whose consent cannot be read', () => {
    const custom = customFields({ consent: '["Analytics"]' }); // valid JSON, but not a consent object
    expect(buildSignedUp({ ...customerFull, custom }, MAPPING_OPTIONS, SIGNED_UP)).toEqual({
      kind: 'skip',
      reason: 'invalid-consent',
    });
  });
});
