import { createHash } from 'node:crypto';
import { buildMessageId, type MessageIdParts } from '../../src/mapping/message-id';

const parts: MessageIdParts = {
  projectKey: 'demo-shop',
  typeId: 'order',
  resourceId: '9b2f4c1e-7a3d-4e8b-b5c6-0d1e2f3a4b5c',
  event: 'order-completed',
  discriminator: 'created',
};

describe('buildMessageId', () => {
  it('is ct-<event>-<first 32 hex of sha256 over the parts joined by |>', () => {
    const expectedHash = createHash('sha256')
      .update('demo-shop|order|9b2f4c1e-7a3d-4e8b-b5c6-0d1e2f3a4b5c|order-completed|created')
      .digest('hex')
      .slice(0, 32);
    expect(buildMessageId(parts)).toBe(`ct-order-completed-${expectedHash}`);
    expect(buildMessageId(parts)).toMatch(/^ct-order-completed-[0-9a-f]{32}$/);
  });

  it('is the same for the same input', () => {
    expect(buildMessageId({ ...parts })).toBe(buildMessageId(parts));
  });

  it.each<[string, Partial<MessageIdParts>]>([
    ['project', { projectKey: 'other-shop' }],
    ['resource type', { typeId: 'customer' }],
    ['resource', { resourceId: '3e7a9c2b-5d1f-4b8a-9e6c-4f2d8b1a7c35' }],
    ['event', { event: 'guest-identify' }],
    ['discriminator', { discriminator: 'updated' }],
  ])('changes with the %s', (_part, change) => {
    expect(buildMessageId({ ...parts, ...change })).not.toBe(buildMessageId(parts));
  });

  it('tells customer versions apart', () => {
    const customer = { ...parts, typeId: 'customer', event: 'identify' };
    expect(buildMessageId({ ...customer, discriminator: 12 })).not.toBe(
      buildMessageId({ ...customer, discriminator: 13 }),
    );
  });

  it('stays below Segment’s 100 characters even for long keys and the longest allowed event', () => {
    const id = buildMessageId({
      ...parts,
      projectKey: 'p'.repeat(256),
      resourceId: 'r'.repeat(256),
      event: 'a'.repeat(40),
    });
    expect(id.length).toBeLessThan(100);
  });

  it.each(['Order Completed', 'order_completed', '', 'a'.repeat(41)])('rejects "%s" as event', (event) => {
    expect(() => buildMessageId({ ...parts, event })).toThrow(RangeError);
  });
});
