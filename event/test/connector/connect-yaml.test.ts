import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectorSpecificationParser } from '@commercetools-connect/specification';

/** connect.yaml as the commercetools CLI (and so Connect) reads it. */
const text = readFileSync(join(__dirname, '..', '..', '..', 'connect.yaml'), 'utf8');

describe('connect.yaml', () => {
  it('parses with Connect’s own specification parser', async () => {
    const specification = await new ConnectorSpecificationParser().parse(text);
    expect(specification.deployAs).toHaveLength(1);
  });

  it('declares an event application named after its folder, with a bounded retry policy and a health check', async () => {
    const [application] = (await new ConnectorSpecificationParser().parse(text)).deployAs;
    expect(application).toMatchObject({
      name: 'event',
      applicationType: 'event',
      endpoint: '/',
      retryPolicy: { strategy: 'exponential-backoff', maxAttempts: expect.any(Number) },
      healthCheck: { path: '/health' },
    });
  });

  it('is refused by the parser when a retry policy is out of Connect’s bounds (the test can fail)', async () => {
    const unbounded = text.replace('maxAttempts: 20', 'maxAttempts: 1000');
    await expect(new ConnectorSpecificationParser().parse(unbounded)).rejects.toThrow(/maxAttempts/);
  });

  it('asks Connect for the scopes the proofs need: the Messages API and the project settings', async () => {
    const specification = await new ConnectorSpecificationParser().parse(text);
    expect(specification.inheritAs?.apiClient?.scopes).toEqual(
      expect.arrayContaining(['view_messages', 'view_project_settings', 'view_orders', 'manage_subscriptions']),
    );
  });
});
