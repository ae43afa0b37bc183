import { ConfigError, loadConfig } from '../src/config';
import { targetPath } from '../src/mapping/tracking';

const valid = {
  CTP_PROJECT_KEY: 'shop-prod',
  CTP_CLIENT_ID: 'client-id',
  CTP_CLIENT_SECRET: 'super-secret-client-secret',
  SEGMENT_WRITE_KEY: 'super-secret-write-key',
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig({ ...valid, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** A name nobody would write by chance: a message that contains it echoed the value. */
const MARK = 'zq7mark';

describe('TRACKING_FIELDS', () => {
  it('reads the documented default when unset', () => {
    const { tracking } = loadConfig(valid);
    expect(Object.fromEntries(tracking.map(({ target, field }) => [targetPath(target), field]))).toEqual({
      anonymousId: 'segmentAnonymousId',
      'context.ip': 'clientIp',
      'context.userAgent': 'userAgent',
      'context.locale': 'locale',
      'context.page.url': 'pageUrl',
      'context.page.referrer': 'pageReferrer',
      'context.campaign.name': 'utmCampaign',
      'context.campaign.source': 'utmSource',
      'context.campaign.medium': 'utmMedium',
      'context.campaign.term': 'utmTerm',
      'context.campaign.content': 'utmContent',
    });
  });

  it('reads no field with {}, and the fields given otherwise', () => {
    expect(loadConfig({ ...valid, TRACKING_FIELDS: '{}' }).tracking).toEqual([]);
    expect(
      loadConfig({ ...valid, TRACKING_FIELDS: '{"anonymousId":"ajsId","context.device.advertisingId":"adId"}' })
        .tracking,
    ).toEqual([
      { target: { kind: 'anonymousId' }, field: 'ajsId' },
      { target: { kind: 'context', keys: ['device', 'advertisingId'] }, field: 'adId' },
    ]);
  });

  it.each([
    ['not JSON', `{anonymousId:${MARK}}`, /must be a JSON object .* \(it is not valid JSON\)$/],
    ['an array', `["${MARK}"]`, /must be a JSON object such as/],
    ['a value that is not text', `{"context.ip":["${MARK}"]}`, /entry 1 has a value that is not text/],
    ['a target outside the call', `{"userId":"${MARK}"}`, /entry 1 has a target that is not anonymousId/],
    ['a target under properties', `{"anonymousId":"a","properties.${MARK}":"b"}`, /entry 2 has a target that is not/],
    ['a target three keys deep', `{"context.page.url.${MARK}":"b"}`, /not anonymousId, context.<key> or/],
    ['consent as target', `{"context.consent":"${MARK}"}`, /entry 1 targets a context key the connector/],
    ['the traits as target', `{"context.traits.email":"${MARK}"}`, /targets a context key the connector/],
    ['the group as target', `{"context.groupId":"${MARK}"}`, /targets a context key the connector/],
    ['a field name commercetools cannot hold', `{"context.ip":"client ip ${MARK}"}`, /entry 1 has a field that is not/],
    [
      'a key that is a text and holds keys',
      `{"context.page":"${MARK}","context.page.url":"pageUrl"}`,
      /targets both context.<key> and context.<key>.<key>/,
    ],
  ])('stops start-up on %s, naming the setting and why, never the value', (_label, value, problem) => {
    const problems = problemsOf({ TRACKING_FIELDS: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^TRACKING_FIELDS /);
    expect(problems[0]).toMatch(problem);
    expect(problems[0]).not.toContain(MARK);
  });
});

describe('ORDER_PROPERTY_FIELDS and CUSTOMER_TRAIT_FIELDS', () => {
  it('map nothing when unset, and the fields given otherwise', () => {
    expect(loadConfig(valid)).toMatchObject({ orderPropertyFields: {}, customerTraitFields: {} });
    expect(
      loadConfig({
        ...valid,
        ORDER_PROPERTY_FIELDS: '{"giftMessage":"gift_message","deliveryDate":"delivery_date"}',
        CUSTOMER_TRAIT_FIELDS: '{"loyaltyTier":"loyaltyTier"}',
      }),
    ).toMatchObject({
      orderPropertyFields: { giftMessage: 'gift_message', deliveryDate: 'delivery_date' },
      customerTraitFields: { loyaltyTier: 'loyaltyTier' },
    });
  });

  it.each([
    ['ORDER_PROPERTY_FIELDS', 'not JSON', `${MARK}`, /must be a JSON object such as .*not valid JSON/],
    [
      'ORDER_PROPERTY_FIELDS',
      'a property the connector sets',
      `{"${MARK}":"total"}`,
      /entry 1 names a property the connector sets itself/,
    ],
    [
      'ORDER_PROPERTY_FIELDS',
      'the email property',
      `{"${MARK}":"email"}`,
      /names a property the connector sets itself/,
    ],
    [
      'ORDER_PROPERTY_FIELDS',
      'a name with spaces',
      `{"giftMessage":"gift ${MARK}"}`,
      /entry 1 has a property name that is not letters/,
    ],
    ['ORDER_PROPERTY_FIELDS', 'an empty name', `{"${MARK}":""}`, /has a property name that is not/],
    [
      'ORDER_PROPERTY_FIELDS',
      'an empty field',
      `{"":"${MARK}"}`,
      /entry 1 has a key that is not a commercetools custom field name/,
    ],
    [
      'ORDER_PROPERTY_FIELDS',
      'two fields to one property',
      `{"a":"${MARK}","b":"${MARK}"}`,
      /entry 2 names the same property as an earlier entry/,
    ],
    [
      'ORDER_PROPERTY_FIELDS',
      'a number as name',
      `{"giftMessage":${MARK.length}}`,
      /entry 1 has a value that is not text/,
    ],
    [
      'CUSTOMER_TRAIT_FIELDS',
      'a trait the connector sets',
      `{"${MARK}":"email"}`,
      /entry 1 names a trait the connector sets itself/,
    ],
    ['CUSTOMER_TRAIT_FIELDS', 'the address trait', `{"${MARK}":"address"}`, /names a trait the connector sets itself/],
    ['CUSTOMER_TRAIT_FIELDS', 'a nested path', `{"tier":"loyalty.${MARK}"}`, /has a trait name that is not letters/],
  ])('%s: stops start-up on %s, naming the setting and why, never the value', (variable, _label, value, problem) => {
    const problems = problemsOf({ [variable]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable} `));
    expect(problems[0]).toMatch(problem);
    expect(problems[0]).not.toContain(MARK);
  });
});

describe('EMAIL_IN_EVENTS', () => {
  it('is on by default and a switch like the others', () => {
    expect(loadConfig(valid).emailInEvents).toBe(true);
    expect(loadConfig({ ...valid, EMAIL_IN_EVENTS: 'false' }).emailInEvents).toBe(false);
    expect(loadConfig({ ...valid, EMAIL_IN_EVENTS: 'off' }).emailInEvents).toBe(false);
    expect(problemsOf({ EMAIL_IN_EVENTS: 'sometimes' })).toEqual(['EMAIL_IN_EVENTS must be true or false']);
  });
});
