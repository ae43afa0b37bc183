import { z } from 'zod';
import { readMessage } from '../../src/transport/messages';
import { notificationSchema } from '../../src/transport/notification';
import { describeIssues } from '../../src/transport/parse';
import { issuePath } from '../../src/transport/paths';
import { messageNotification, order } from '../support/builders';

const email = 'jane.doe@example.com';

describe('issue paths name the schema, never the sender’s keys', () => {
  const schema = z.object({
    identifiers: z.record(z.string(), z.string()).optional(),
    lines: z.array(z.looseObject({ name: z.record(z.string(), z.string()), sku: z.string() })),
    either: z.union([z.object({ a: z.string() }), z.object({ b: z.record(z.string(), z.number()) })]),
    piped: z.string().pipe(z.string().min(2)).default('xx'),
  });

  it.each([
    [['identifiers', email], 'identifiers.*'],
    [['lines', 3, 'name', email], 'lines.3.name.*'],
    [['lines', 3, 'sku'], 'lines.3.sku'],
    [['either', 'b', email], 'either.b.*'],
    [['either', 'a'], 'either.a'],
    [['piped'], 'piped'],
    [[email, 'deeper', 2], '*.*.2'],
    [['lines', 0, 'name', 'a', 'b', 'c', 'd', 'e', 'f'], 'lines.0.name.*.*.*.*.*.…'],
  ] as const)('%j → %s', (path, expected) => {
    expect(issuePath(path, schema)).toBe(expected);
  });

  it('describes issues with record keys hidden', () => {
    const parsed = z
      .object({ identifiers: z.record(z.string(), z.string()) })
      .safeParse({ identifiers: { [email]: 1, ['k'.repeat(1_000)]: 2 } });
    if (parsed.success) throw new Error('expected issues');
    const description = describeIssues(parsed.error, z.object({ identifiers: z.record(z.string(), z.string()) }));
    expect(description).toBe(
      'identifiers.*: Invalid input: expected string, received number; identifiers.*: Invalid input: expected string, received number',
    );
  });

  it('does not quote keys zod would list as unrecognised', () => {
    const strict = z.strictObject({ a: z.string() });
    const parsed = strict.safeParse({ a: 'x', [email]: 1 });
    if (parsed.success) throw new Error('expected issues');
    expect(describeIssues(parsed.error, strict)).toBe('(root): unrecognized keys');
  });

  it('keeps the notification schema’s own field names', () => {
    const parsed = notificationSchema.safeParse({ notificationType: 'ResourceCreated', projectKey: 'p', resource: {} });
    if (parsed.success) throw new Error('expected issues');
    expect(describeIssues(parsed.error, notificationSchema)).toContain('resource.typeId');
  });

  it('names the fields a message lacks without the keys of the records it carries', () => {
    const placed = order();
    const [line] = placed.lineItems;
    const message = messageNotification({
      type: 'OrderCreated',
      order: { ...placed, lineItems: [{ ...line, name: { [email]: 42 } }] },
    });
    expect(() => readMessage(message, 'OrderCreated')).toThrow(
      'OrderCreated message lacks valid fields: order.lineItems.0.name.*',
    );
  });
});
