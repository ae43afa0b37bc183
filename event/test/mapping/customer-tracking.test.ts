import type { Customer } from '@commercetools/platform-sdk';
import { buildCustomerIdentify, buildSignedUp } from '../../src/mapping/customer';
import { DEFAULT_TRACKING_FIELDS, parseTrackingTarget, type TrackingField } from '../../src/mapping/tracking';
import type { MappingOptions } from '../../src/mapping/types';
import type { IdentifyCall, TrackCall } from '../../src/segment/calls';
import customerJson from '../fixtures/customers/customer-full.json';

/** A customer's calls with the customer's own tracking fields and custom traits. */
const BROWSER = '5b1f0c3e-2a4d-4e6f-8a9b-0c1d2e3f4a5b';
const tracking: TrackingField[] = Object.entries(DEFAULT_TRACKING_FIELDS).map(([path, field]) => {
  const parsed = parseTrackingTarget(path);
  if (!('target' in parsed)) throw new Error(path);
  return { target: parsed.target, field };
});
const options: MappingOptions = {
  projectKey: 'demo-shop',
  consentFieldName: 'consent',
  locale: 'de',
  tracking,
  emailInEvents: true,
  customerTraitFields: { loyaltyTier: 'loyalty_tier', tierName: 'tier_name', nickname: 'firstName' },
};
const base = customerJson as unknown as Customer;
const customer: Customer = {
  ...base,
  custom: {
    type: { typeId: 'type', id: '4a0b7f3c-2d8e-4f51-a6c9-1e7d3b5f9a20' },
    fields: {
      ...base.custom?.fields,
      segmentAnonymousId: BROWSER,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0',
      loyaltyTier: 'gold',
      tierName: { en: 'Gold member', de: 'Gold-Mitglied' },
      nickname: 'Hetty',
    },
  },
};
const consent = JSON.parse(base.custom?.fields.consent as string) as object;

function callOf<T>(result: ReturnType<typeof buildCustomerIdentify>): T {
  if (result.kind !== 'calls') throw new Error(result.reason);
  return result.calls[0] as T;
}

describe('a customer’s identify', () => {
  it('carries the browser’s anonymousId, the tracked context and the custom traits; the connector’s traits win', () => {
    const identify = callOf<IdentifyCall>(buildCustomerIdentify(customer, options));
    expect(identify).toMatchObject({
      userId: customer.id,
      anonymousId: BROWSER,
      context: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0', consent },
      traits: { loyalty_tier: 'gold', tier_name: 'Gold-Mitglied', firstName: customer.firstName },
    });
    expect(identify.context).not.toHaveProperty('traits');
  });

  it('is the userId alone without a tracking field', () => {
    expect(callOf<IdentifyCall>(buildCustomerIdentify(base, options))).not.toHaveProperty('anonymousId');
  });
});

describe('Signed Up', () => {
  const event = { name: 'Signed Up', slug: 'signed-up' };

  it('carries the browser’s anonymousId, the context and the customer’s email as context.traits', () => {
    expect(callOf<TrackCall>(buildSignedUp(customer, options, event))).toMatchObject({
      userId: customer.id,
      anonymousId: BROWSER,
      context: { consent, traits: { email: customer.email } },
    });
  });

  it('carries no email with EMAIL_IN_EVENTS off', () => {
    const track = callOf<TrackCall>(buildSignedUp(customer, { ...options, emailInEvents: false }, event));
    expect(track.context).not.toHaveProperty('traits');
  });
});
