import type { CustomFields } from '@commercetools/platform-sdk';
import {
  callContext,
  DEFAULT_TRACKING_FIELDS,
  MAX_TRACKING_LENGTH,
  MAX_TRACKING_LONG_LENGTH,
  parseTrackingTarget,
  readTracking,
  targetPath,
  type TrackingField,
} from '../../src/mapping/tracking';

/** The default TRACKING_FIELDS, parsed as the configuration parses them. */
const defaults: TrackingField[] = Object.entries(DEFAULT_TRACKING_FIELDS).map(([path, field]) => {
  const parsed = parseTrackingTarget(path);
  if (!('target' in parsed)) throw new Error(`default target ${path} does not parse`);
  return { target: parsed.target, field };
});

const USER_AGENT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/456.0.0.41.109;FBBV/581093546;FBDV/iPhone15,3;FBMD/iPhone;FBSN/iOS;FBSV/17.4;FBSS/3;FBID/phone;FBLC/de_DE;FBOP/5;FBRV/583347155]';

/** A cart's (then the order's) custom fields as a storefront following the README fills them. */
const custom: CustomFields = {
  type: { typeId: 'type', id: '4a0b7f3c-2d8e-4f51-a6c9-1e7d3b5f9a20' },
  fields: {
    segmentAnonymousId: '5b1f0c3e-2a4d-4e6f-8a9b-0c1d2e3f4a5b',
    clientIp: '203.0.113.42',
    userAgent: USER_AGENT,
    locale: 'de-DE',
    pageUrl: 'https://shop.example/de/checkout?step=payment',
    pageReferrer: 'https://www.google.com/',
    utmCampaign: 'spring-sale',
    utmSource: 'newsletter',
    utmMedium: 'email',
    utmTerm: 'trail shoes',
    utmContent: 'hero-banner',
    consent: '{"categoryPreferences":{"Analytics":true}}',
  },
};

describe('readTracking', () => {
  it('reads the browser’s anonymousId and every context path of the default fields', () => {
    expect(USER_AGENT.length).toBeGreaterThan(MAX_TRACKING_LENGTH);
    expect(readTracking(custom, defaults)).toEqual({
      anonymousId: '5b1f0c3e-2a4d-4e6f-8a9b-0c1d2e3f4a5b',
      context: {
        ip: '203.0.113.42',
        userAgent: USER_AGENT,
        locale: 'de-DE',
        page: { url: 'https://shop.example/de/checkout?step=payment', referrer: 'https://www.google.com/' },
        campaign: {
          name: 'spring-sale',
          source: 'newsletter',
          medium: 'email',
          term: 'trail shoes',
          content: 'hero-banner',
        },
      },
    });
  });

  it('uses only text within its bound, trimmed: nothing else a field may hold', () => {
    const fields = {
      ...custom.fields,
      segmentAnonymousId: '  5b1f0c3e  ',
      clientIp: 42,
      locale: '   ',
      utmCampaign: 'c'.repeat(MAX_TRACKING_LENGTH + 1),
      utmSource: 's'.repeat(MAX_TRACKING_LENGTH),
      pageUrl: `https://shop.example/${'p'.repeat(MAX_TRACKING_LONG_LENGTH)}`,
      pageReferrer: { url: 'https://www.google.com/' },
    };
    const tracking = readTracking({ ...custom, fields }, defaults);
    expect(tracking.anonymousId).toBe('5b1f0c3e');
    expect(tracking.context).toEqual({
      userAgent: USER_AGENT,
      campaign: {
        source: 's'.repeat(MAX_TRACKING_LENGTH),
        medium: 'email',
        term: 'trail shoes',
        content: 'hero-banner',
      },
    });
  });

  it('reads nothing without custom fields or without tracking fields', () => {
    expect(readTracking(undefined, defaults)).toEqual({ context: {} });
    expect(readTracking(custom, undefined)).toEqual({ context: {} });
    expect(readTracking(custom, [])).toEqual({ context: {} });
  });
});

describe('parseTrackingTarget', () => {
  it.each(['anonymousId', 'context.ip', 'context.page.url', 'context.device.advertisingId'])('accepts %s', (path) => {
    const parsed = parseTrackingTarget(path);
    expect('target' in parsed && targetPath(parsed.target)).toBe(path);
  });

  it.each([
    ['userId', /not anonymousId, context.<key> or context.<key>.<key>/],
    ['context', /not anonymousId/],
    ['context.page.url.path', /not anonymousId/],
    ['properties.coupon', /not anonymousId/],
    ['context.page.', /letters, digits and _/],
    ['context.1st', /letters, digits and _/],
    ['context.consent', /the connector or Segment's library sets/],
    ['context.consent.categoryPreferences', /the connector or Segment's library sets/],
    ['context.groupId', /the connector or Segment's library sets/],
    ['context.traits.email', /the connector or Segment's library sets/],
    ['context.library.name', /the connector or Segment's library sets/],
  ])('refuses %s', (path, problem) => {
    const parsed = parseTrackingTarget(path);
    expect('problem' in parsed && parsed.problem).toMatch(problem);
  });
});

describe('callContext', () => {
  it('puts what the connector sets after the tracked context, so consent, group and traits are its own', () => {
    const tracked = { ip: '203.0.113.42', consent: 'forged', groupId: 'forged', traits: { email: 'forged' } };
    expect(
      callContext(tracked, {
        consent: { categoryPreferences: { Analytics: true } },
        groupId: 'acme',
        email: 'ada@example.com',
      }),
    ).toEqual({
      context: {
        ip: '203.0.113.42',
        consent: { categoryPreferences: { Analytics: true } },
        groupId: 'acme',
        traits: { email: 'ada@example.com' },
      },
    });
  });

  it('is absent when there is nothing to say', () => {
    expect(callContext({}, {})).toEqual({});
    expect(callContext({}, { email: undefined })).toEqual({});
  });
});
