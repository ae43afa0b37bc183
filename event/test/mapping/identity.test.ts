import { createHash } from 'node:crypto';
import type { Order } from '@commercetools/platform-sdk';
import type { AnonymousIdFallback } from '../../src/events';
import { orderIdentity } from '../../src/mapping/identity';
import { buildOrderCompleted, needsGuestEmailLookup } from '../../src/mapping/order';
import { orderFixtures } from '../support/fixtures';
import { callsOf, MAPPING_OPTIONS, orderMessageId } from '../support/mapping';

const { guest, taxExcluded } = orderFixtures;

/** An order placed by nobody the storefront knows: imported, or created by an agent or a backend. */
const unattributed: Order = { ...guest, anonymousId: undefined };

const GUEST_ORDER_ID = '7d0e2f4a-9b8c-4e6d-af5a-0b2c4d6e8f91';
const GUEST_EMAIL = 'guest.shopper@example.com';
// sha256("guest.shopper@example.com") in hex, computed once with `node -e` and written out so a
// change of algorithm, encoding or normalisation breaks this test instead of passing silently.
const GUEST_EMAIL_HASH = 'd1c46fd6748e0bf29ad6123c1b8d2b1ed1afdf25cf973eff63e8a2e6af026d7e';

describe('orderIdentity', () => {
  it('names a registered customer’s order by userId, with its anonymousId when it has one', () => {
    expect(taxExcluded.anonymousId).toBeDefined();
    expect(orderIdentity(taxExcluded)).toEqual({
      userId: 'd4a8e2f1-3b6c-4d9e-8f0a-1b2c3d4e5f60',
      anonymousId: '0f6e5d4c-3b2a-4190-8e7d-6c5b4a392817',
    });
  });

  it('names a guest’s order by the storefront’s anonymousId', () => {
    expect(orderIdentity(guest)).toEqual({ anonymousId: '3f9d6c2e-8b1a-4e57-9c0d-6a2b7e4f1d83' });
  });

  it.each<AnonymousIdFallback>(['email-hash', 'order-id', 'none'])(
    'ignores the %s fallback whenever the order has its own identity',
    (fallback) => {
      expect(orderIdentity(taxExcluded, fallback)).toEqual({
        userId: 'd4a8e2f1-3b6c-4d9e-8f0a-1b2c3d4e5f60',
        anonymousId: '0f6e5d4c-3b2a-4190-8e7d-6c5b4a392817',
      });
      expect(orderIdentity(guest, fallback)).toEqual({ anonymousId: '3f9d6c2e-8b1a-4e57-9c0d-6a2b7e4f1d83' });
    },
  );

  it('gives an order without customer or visitor no identity by default and with `none`', () => {
    expect(orderIdentity(unattributed)).toBeUndefined();
    expect(orderIdentity(unattributed, undefined)).toBeUndefined();
    expect(orderIdentity(unattributed, 'none')).toBeUndefined();
  });

  it('uses the order id as anonymousId with `order-id`, email or not', () => {
    expect(orderIdentity(unattributed, 'order-id')).toEqual({ anonymousId: GUEST_ORDER_ID });
    expect(orderIdentity({ ...unattributed, customerEmail: undefined }, 'order-id')).toEqual({
      anonymousId: GUEST_ORDER_ID,
    });
  });

  describe('email-hash', () => {
    const hashOf = (customerEmail: string | undefined) =>
      orderIdentity({ ...unattributed, customerEmail }, 'email-hash');

    it('uses the SHA-256 of the email as anonymousId', () => {
      expect(hashOf(GUEST_EMAIL)).toEqual({ anonymousId: GUEST_EMAIL_HASH });
      expect(GUEST_EMAIL_HASH).toBe(createHash('sha256').update(GUEST_EMAIL).digest('hex'));
    });

    it('is 64 lowercase hex characters and does not contain the email', () => {
      const identity = hashOf(GUEST_EMAIL);
      if (!identity || !('anonymousId' in identity)) throw new Error('expected an anonymousId');
      expect(identity.anonymousId).toMatch(/^[0-9a-f]{64}$/);
      expect(identity.anonymousId).not.toContain('guest');
      expect(identity.anonymousId).not.toContain('@');
    });

    it('trims and lower-cases the email first, so one guest’s orders share one id', () => {
      expect(hashOf(' Guest.Shopper@Example.com ')).toEqual({ anonymousId: GUEST_EMAIL_HASH });
      expect(hashOf('GUEST.SHOPPER@EXAMPLE.COM\t')).toEqual({ anonymousId: GUEST_EMAIL_HASH });
    });

    it('tells different emails apart', () => {
      expect(hashOf('other.shopper@example.com')).not.toEqual({ anonymousId: GUEST_EMAIL_HASH });
    });

    it('gives no identity without an email, or with a blank one', () => {
      expect(hashOf(undefined)).toBeUndefined();
      expect(hashOf('')).toBeUndefined();
      expect(hashOf('   ')).toBeUndefined();
    });
  });
});

describe('needsGuestEmailLookup with an anonymousId fallback', () => {
  it('is true for an order with an email whose identity comes from a fallback', () => {
    expect(needsGuestEmailLookup(unattributed, 'email-hash')).toBe(true);
    expect(needsGuestEmailLookup(unattributed, 'order-id')).toBe(true);
  });

  it('is false when the fallback yields no identity', () => {
    expect(needsGuestEmailLookup(unattributed)).toBe(false);
    expect(needsGuestEmailLookup(unattributed, 'none')).toBe(false);
    // email-hash has nothing to hash without an email.
    expect(needsGuestEmailLookup({ ...unattributed, customerEmail: undefined }, 'email-hash')).toBe(false);
  });

  it('is false without an email, whatever the identity', () => {
    expect(needsGuestEmailLookup({ ...unattributed, customerEmail: undefined }, 'order-id')).toBe(false);
  });

  it('is false for a registered customer’s order, whatever the fallback', () => {
    expect(needsGuestEmailLookup(taxExcluded, 'email-hash')).toBe(false);
    expect(needsGuestEmailLookup(taxExcluded, 'order-id')).toBe(false);
  });
});

describe('buildOrderCompleted with an anonymousId fallback', () => {
  const guestIdentifyId = orderMessageId(GUEST_ORDER_ID, 'guest-identify', 'created');
  const orderCompletedId = orderMessageId(GUEST_ORDER_ID, 'order-completed', 'created');

  it('identifies an unregistered guest under the email hash, then tracks under it', () => {
    const calls = callsOf(
      buildOrderCompleted(unattributed, {
        ...MAPPING_OPTIONS,
        anonymousIdFallback: 'email-hash',
        guestEmailRegistered: false,
      }),
    );
    expect(calls).toHaveLength(2);
    expect(calls[0]).toEqual({
      type: 'identify',
      stores: ['us-webshop'],
      anonymousId: GUEST_EMAIL_HASH,
      traits: { email: GUEST_EMAIL },
      timestamp: '2026-10-27T15:41:02.733Z',
      messageId: guestIdentifyId,
    });
    expect(calls[1]).toMatchObject({
      type: 'track',
      event: 'Order Completed',
      anonymousId: GUEST_EMAIL_HASH,
      messageId: orderCompletedId,
      properties: { order_id: GUEST_ORDER_ID, email: GUEST_EMAIL },
    });
    expect(calls[1]).not.toHaveProperty('userId');
  });

  it('identifies under the order id with `order-id`', () => {
    const calls = callsOf(
      buildOrderCompleted(unattributed, {
        ...MAPPING_OPTIONS,
        anonymousIdFallback: 'order-id',
        guestEmailRegistered: false,
      }),
    );
    expect(calls.map((call) => [call.type, call.anonymousId])).toEqual([
      ['identify', GUEST_ORDER_ID],
      ['track', GUEST_ORDER_ID],
    ]);
  });

  it.each([true, undefined])('only tracks when guestEmailRegistered is %s', (guestEmailRegistered) => {
    const calls = callsOf(
      buildOrderCompleted(unattributed, {
        ...MAPPING_OPTIONS,
        anonymousIdFallback: 'email-hash',
        guestEmailRegistered,
      }),
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      type: 'track',
      anonymousId: GUEST_EMAIL_HASH,
      messageId: orderCompletedId,
    });
  });

  it('skips the order with `none`', () => {
    expect(
      buildOrderCompleted(unattributed, {
        ...MAPPING_OPTIONS,
        anonymousIdFallback: 'none',
        guestEmailRegistered: false,
      }),
    ).toEqual({ kind: 'skip', reason: 'no-identity' });
  });
});
