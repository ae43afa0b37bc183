import { createServer, type AddressInfo } from 'node:net';
import type { ChangeSubscription, Destination, MessageSubscription, Subscription } from '@commercetools/platform-sdk';
import { CommercetoolsMock } from '@labdigital/commercetools-mock';
import { ConfigError, loadConfig } from '../../src/config';
import { runPostDeploy } from '../../src/connector/post-deploy';
import { runPreUndeploy } from '../../src/connector/pre-undeploy';
import {
  SUBSCRIPTION_KEY,
  destinationFromEnvironment,
  planSubscriptionUpdate,
  redact,
  subscriptionTopics,
} from '../../src/connector/subscription';
import type { ScriptOutput } from '../../src/connector/output';
import { subscription } from '../support/builders';

const PROJECT_KEY = 'test-project';
const CLIENT_SECRET = 'ct-client-secret-do-not-print';
const WRITE_KEY = 'segment-write-key-do-not-print';
const AZURE_KEY = 'azureSharedKeyDoNotPrint0123456789abcdef=';
const AZURE_CONNECTION_STRING = `Endpoint=sb://shop-events.servicebus.windows.net/;SharedAccessKeyName=commercetools;SharedAccessKey=${AZURE_KEY};EntityPath=notifications`;

const ctMock = new CommercetoolsMock({
  enableAuthentication: true,
  validateCredentials: false,
  defaultProjectKey: PROJECT_KEY,
  silent: true,
});
let baseUrl: string;

/**
 * commercetools-mock 4.4 implements only `setKey` among the subscription update actions. These are
 * the three the connector sends, as the HTTP API documents them, so an update really travels over
 * HTTP, is version-checked by the mock and lands in its storage.
 */
function implementMissingSubscriptionUpdateActions(): void {
  const repository = ctMock.project(PROJECT_KEY).getRepository('subscription');
  // The mock keeps its update handlers in a protected field: reaching it takes a cast.
  const handler = (repository as unknown as { actions: Record<string, unknown> }).actions;
  type Writable = { destination: Destination; changes: ChangeSubscription[]; messages: MessageSubscription[] };
  Object.assign(handler, {
    changeDestination: (_context: unknown, resource: Writable, action: { destination: Destination }) => {
      resource.destination = action.destination;
    },
    setChanges: (_context: unknown, resource: Writable, action: { changes?: ChangeSubscription[] }) => {
      resource.changes = action.changes ?? [];
    },
    setMessages: (_context: unknown, resource: Writable, action: { messages?: MessageSubscription[] }) => {
      resource.messages = action.messages ?? [];
    },
  });
}

beforeAll(async () => {
  await ctMock.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = ctMock.app.server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;
  implementMissingSubscriptionUpdateActions();
});

afterAll(async () => {
  await ctMock.app.close();
});

beforeEach(async () => {
  await ctMock.clear();
});

/** What Connect would give the postDeploy script of an event application on GCP. */
function connectEnvironment(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    CTP_PROJECT_KEY: PROJECT_KEY,
    CTP_CLIENT_ID: 'connect-generated-client',
    CTP_CLIENT_SECRET: CLIENT_SECRET,
    CTP_SCOPE: [`view_orders`, `view_customers`, `view_payments`, `view_products`, `manage_subscriptions`]
      .map((scope) => `${scope}:${PROJECT_KEY}`)
      .join(' '),
    CTP_REGION: 'europe-west1.gcp',
    CTP_API_URL: baseUrl,
    CTP_AUTH_URL: baseUrl,
    SEGMENT_WRITE_KEY: WRITE_KEY,
    CONNECT_PROVIDER: 'GCP',
    CONNECT_GCP_PROJECT_ID: 'connect-gcp-project',
    CONNECT_GCP_TOPIC_NAME: 'connect-topic-1',
    ...overrides,
  };
}

function captureOutput(): ScriptOutput & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, info: (line) => lines.push(line), error: (line) => errors.push(line) };
}

/** Turns the project's messages on or off through the HTTP API, as a merchant does in the settings. */
async function setProjectMessages(enabled: boolean): Promise<void> {
  const basic = Buffer.from('merchant:merchant-secret').toString('base64');
  const token = await fetch(`${baseUrl}/oauth/token?grant_type=client_credentials`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}` },
  }).then((response) => response.json() as Promise<{ access_token: string }>);
  const headers = { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' };
  const project = await fetch(`${baseUrl}/${PROJECT_KEY}`, { headers }).then(
    (response) => response.json() as Promise<{ version: number }>,
  );
  const updated = await fetch(`${baseUrl}/${PROJECT_KEY}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      version: project.version,
      actions: [
        { action: 'changeMessagesConfiguration', messagesConfiguration: { enabled, deleteDaysAfterCreation: 15 } },
      ],
    }),
  });
  expect(updated.status).toBe(200);
}

async function storedSubscriptions(): Promise<Subscription[]> {
  const repository = ctMock.project(PROJECT_KEY).getRepository('subscription');
  return (await repository.query({ projectKey: PROJECT_KEY })).results;
}

/** Where connectEnvironment() tells post-deploy to send notifications: the Pub/Sub topic Connect made. */
const CONNECT_TOPIC: Destination = {
  type: 'GoogleCloudPubSub',
  topic: 'connect-topic-1',
  projectId: 'connect-gcp-project',
};

/** What a subscription subscribes to and where it sends it: the fields post-deploy writes. */
function topicsAndDestination({ destination, changes, messages }: Subscription) {
  return { destination, changes, messages };
}

async function storedSubscription(): Promise<Subscription> {
  const all = await storedSubscriptions();
  expect(all).toHaveLength(1);
  const [subscription] = all;
  expect(subscription?.key).toBe(SUBSCRIPTION_KEY);
  return subscription as Subscription;
}

/** A loopback port nobody listens on: commercetools "down". */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}

function thrownBy(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, none was thrown');
}

function expectNoSecrets(output: { lines: string[]; errors: string[] }): void {
  const everything = [...output.lines, ...output.errors].join('\n');
  for (const secret of [CLIENT_SECRET, WRITE_KEY, AZURE_KEY, AZURE_CONNECTION_STRING]) {
    expect(everything).not.toContain(secret);
  }
}

/** Every event variable switched off: a starting point for deployments that enable a few. */
const EVERYTHING_OFF: Record<string, string> = {
  EVENT_ORDER_COMPLETED: 'off',
  EVENT_ORDER_UPDATED: 'off',
  EVENT_ORDER_CANCELLED: 'off',
  EVENT_ORDER_PAID: 'off',
  EVENT_ORDER_SHIPPED: 'off',
  EVENT_ORDER_DELIVERED: 'off',
  EVENT_ORDER_REFUNDED: 'off',
  EVENT_PAYMENT_FAILED: 'off',
  EVENT_SIGNED_UP: 'off',
  IDENTIFY_CUSTOMERS: 'false',
  SEGMENT_DELETE_USERS: 'false',
  GROUP_BUSINESS_UNITS: 'false',
  EVENT_ACCOUNT_ADDED_USER: 'off',
  EVENT_ACCOUNT_REMOVED_USER: 'off',
  EVENT_QUOTE_REQUESTED: 'off',
  EVENT_QUOTE_ACCEPTED: 'off',
  EVENT_QUOTE_DECLINED: 'off',
  EVENT_ORDER_CUSTOMER_SET: 'off',
};

/** The topics a deployment with these event variables subscribes to, read as the server reads them. */
function topicsFor(variables: Record<string, string> = {}) {
  return subscriptionTopics(
    loadConfig({
      CTP_PROJECT_KEY: 'p',
      CTP_CLIENT_ID: 'c',
      CTP_CLIENT_SECRET: 's',
      SEGMENT_WRITE_KEY: 'w',
      ...variables,
    }).events,
  );
}

const ORDER_STATE_MESSAGES = ['OrderPaymentStateChanged', 'OrderShipmentStateChanged', 'OrderStateChanged'];
/** The order messages of a default deployment: the state changes, and OrderCustomerSet (EVENT_ORDER_CUSTOMER_SET). */
const ORDER_MESSAGES = ['OrderCustomerSet', ...ORDER_STATE_MESSAGES];
const PAYMENT_MESSAGES = {
  resourceTypeId: 'payment',
  types: ['PaymentTransactionAdded', 'PaymentTransactionStateChanged'],
};

type Topics = { changes: ChangeSubscription[]; messages: MessageSubscription[] };

/** The B2B topics every default deployment adds: business unit changes, associate and quote messages. */
const B2B_TOPICS: Topics = {
  changes: [{ resourceTypeId: 'business-unit' }],
  messages: [
    { resourceTypeId: 'business-unit', types: ['BusinessUnitAssociateAdded', 'BusinessUnitAssociateRemoved'] },
    { resourceTypeId: 'quote', types: ['QuoteStateChanged'] },
    { resourceTypeId: 'quote-request', types: ['QuoteRequestCreated'] },
  ],
};

/** The topics with the B2B ones beside them, in the order commercetools' lists are kept (by resource type). */
function withB2B(topics: Topics): Topics {
  const byType = <T extends { resourceTypeId: string }>(list: T[]) =>
    [...list].sort((a, b) => a.resourceTypeId.localeCompare(b.resourceTypeId));
  return {
    changes: byType([...B2B_TOPICS.changes, ...topics.changes]),
    messages: byType([...B2B_TOPICS.messages, ...topics.messages]),
  };
}

const DEFAULT_TOPICS = withB2B({
  changes: [{ resourceTypeId: 'customer' }, { resourceTypeId: 'order' }],
  messages: [{ resourceTypeId: 'order', types: ORDER_MESSAGES }, PAYMENT_MESSAGES],
});

describe('subscriptionTopics', () => {
  it('subscribes by default to customer and order changes, order state messages and payment transactions', () => {
    expect(topicsFor()).toEqual(DEFAULT_TOPICS);
  });

  it('does not depend on the names events are sent under', () => {
    expect(topicsFor({ EVENT_ORDER_PAID: 'Payment Captured', EVENT_SIGNED_UP: 'Account Created' })).toEqual(
      DEFAULT_TOPICS,
    );
  });

  it('takes Order Completed from the OrderCreated message, not from order changes, when Order Updated is off', () => {
    expect(topicsFor({ EVENT_ORDER_UPDATED: 'off' })).toEqual(
      withB2B({
        changes: [{ resourceTypeId: 'customer' }],
        messages: [{ resourceTypeId: 'order', types: ['OrderCreated', ...ORDER_MESSAGES] }, PAYMENT_MESSAGES],
      }),
    );
  });

  it('keeps order changes, without OrderCreated, for Order Updated alone; and neither when both are off', () => {
    expect(topicsFor({ EVENT_ORDER_COMPLETED: 'off' })).toEqual(DEFAULT_TOPICS);
    expect(topicsFor({ EVENT_ORDER_COMPLETED: 'off', EVENT_ORDER_UPDATED: 'off' })).toEqual(
      withB2B({
        changes: [{ resourceTypeId: 'customer' }],
        messages: [{ resourceTypeId: 'order', types: ORDER_MESSAGES }, PAYMENT_MESSAGES],
      }),
    );
  });

  it.each(['EVENT_ORDER_SHIPPED', 'EVENT_ORDER_DELIVERED'])(
    'subscribes to shipment state changes only, when %s is the only event on',
    (variable) => {
      const { [variable]: _enabled, ...others } = EVERYTHING_OFF;
      expect(topicsFor(others)).toEqual({
        changes: [],
        messages: [{ resourceTypeId: 'order', types: ['OrderShipmentStateChanged'] }],
      });
    },
  );

  it('leaves payments out when Order Refunded and Payment Failed are both off', () => {
    expect(topicsFor({ EVENT_ORDER_REFUNDED: 'off', EVENT_PAYMENT_FAILED: 'off' })).toEqual(
      withB2B({
        changes: [{ resourceTypeId: 'customer' }, { resourceTypeId: 'order' }],
        messages: [{ resourceTypeId: 'order', types: ORDER_MESSAGES }],
      }),
    );
    expect(topicsFor({ EVENT_ORDER_REFUNDED: 'off' })).toEqual(DEFAULT_TOPICS);
    expect(topicsFor({ EVENT_PAYMENT_FAILED: 'off' })).toEqual(DEFAULT_TOPICS);
  });

  it.each(['EVENT_ORDER_REFUNDED', 'EVENT_PAYMENT_FAILED'])(
    'subscribes to the payment transaction messages only, when %s is the only event on',
    (variable) => {
      const { [variable]: _enabled, ...others } = EVERYTHING_OFF;
      expect(topicsFor(others)).toEqual({ changes: [], messages: [PAYMENT_MESSAGES] });
    },
  );

  it('leaves customers out when identify, Signed Up and deletions are all off', () => {
    expect(topicsFor({ IDENTIFY_CUSTOMERS: 'false', EVENT_SIGNED_UP: 'off', SEGMENT_DELETE_USERS: 'false' })).toEqual(
      withB2B({
        changes: [{ resourceTypeId: 'order' }],
        messages: [{ resourceTypeId: 'order', types: ORDER_MESSAGES }, PAYMENT_MESSAGES],
      }),
    );
  });

  it.each(['IDENTIFY_CUSTOMERS', 'EVENT_SIGNED_UP', 'SEGMENT_DELETE_USERS'])(
    'subscribes to customer changes for %s alone',
    (variable) => {
      const { [variable]: _enabled, ...others } = EVERYTHING_OFF;
      expect(topicsFor(others)).toEqual({ changes: [{ resourceTypeId: 'customer' }], messages: [] });
    },
  );

  it.each([
    ['GROUP_BUSINESS_UNITS', 'true', { changes: [{ resourceTypeId: 'business-unit' }], messages: [] }],
    [
      'EVENT_ACCOUNT_ADDED_USER',
      'Account Added User',
      { changes: [], messages: [{ resourceTypeId: 'business-unit', types: ['BusinessUnitAssociateAdded'] }] },
    ],
    [
      'EVENT_QUOTE_REQUESTED',
      'Quote Requested',
      { changes: [], messages: [{ resourceTypeId: 'quote-request', types: ['QuoteRequestCreated'] }] },
    ],
    [
      'EVENT_QUOTE_DECLINED',
      'Quote Declined',
      { changes: [], messages: [{ resourceTypeId: 'quote', types: ['QuoteStateChanged'] }] },
    ],
    [
      'EVENT_ORDER_CUSTOMER_SET',
      'on',
      { changes: [], messages: [{ resourceTypeId: 'order', types: ['OrderCustomerSet'] }] },
    ],
  ])('subscribes for %s alone to exactly what it needs', (variable, value, expected) => {
    expect(topicsFor({ ...EVERYTHING_OFF, [variable]: value })).toEqual(expected);
  });

  it('is empty when nothing is enabled', () => {
    expect(topicsFor(EVERYTHING_OFF)).toEqual({ changes: [], messages: [] });
  });
});

describe('destinationFromEnvironment', () => {
  it('reads a Pub/Sub topic, with GCP assumed when no provider is named', () => {
    expect(destinationFromEnvironment({ CONNECT_GCP_TOPIC_NAME: 'topic', CONNECT_GCP_PROJECT_ID: 'project' })).toEqual({
      type: 'GoogleCloudPubSub',
      topic: 'topic',
      projectId: 'project',
    });
  });

  it('understands CONNECT_SUBSCRIPTION_DESTINATION as well as CONNECT_PROVIDER', () => {
    const arn = 'arn:aws:sns:eu-central-1:123456789012:connect-topic';
    const expected = { type: 'SNS', topicArn: arn, authenticationMode: 'IAM' };
    expect(destinationFromEnvironment({ CONNECT_SUBSCRIPTION_DESTINATION: 'SNS', CONNECT_AWS_TOPIC_ARN: arn })).toEqual(
      expected,
    );
    expect(destinationFromEnvironment({ CONNECT_PROVIDER: 'aws', CONNECT_AWS_TOPIC_ARN: arn })).toEqual(expected);
  });

  it('names every missing variable for the chosen provider', () => {
    const error = thrownBy(() => destinationFromEnvironment({ CONNECT_GCP_TOPIC_NAME: '  ' }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^CONNECT_GCP_TOPIC_NAME is required/),
      expect.stringMatching(/^CONNECT_GCP_PROJECT_ID is required/),
    ]);
    expect(() => destinationFromEnvironment({ CONNECT_PROVIDER: 'AWS' })).toThrow(/CONNECT_AWS_TOPIC_ARN is required/);
    expect(() => destinationFromEnvironment({ CONNECT_PROVIDER: 'AZURE' })).toThrow(
      /CONNECT_AZURE_CONNECTION_STRING is required/,
    );
  });

  it('rejects an unknown provider and disagreeing variables', () => {
    expect(() => destinationFromEnvironment({ CONNECT_PROVIDER: 'IBM' })).toThrow(
      /CONNECT_PROVIDER must be GCP, AWS or AZURE/,
    );
    expect(() =>
      destinationFromEnvironment({
        CONNECT_PROVIDER: 'GCP',
        CONNECT_SUBSCRIPTION_DESTINATION: 'SNS',
        CONNECT_AWS_TOPIC_ARN: 'arn:aws:sns:eu-central-1:123456789012:t',
      }),
    ).toThrow(/disagree/);
  });

  it('never repeats a malformed Azure connection string, which holds a secret', () => {
    const leaked = 'Endpoint=https://wrong;SharedAccessKey=top-secret-value';
    const { message } = thrownBy(() =>
      destinationFromEnvironment({ CONNECT_PROVIDER: 'AZURE', CONNECT_AZURE_CONNECTION_STRING: leaked }),
    );
    expect(message).toMatch(/CONNECT_AZURE_CONNECTION_STRING must be an Azure Service Bus connection string/);
    expect(message).not.toContain('top-secret-value');
  });
});

describe('planSubscriptionUpdate', () => {
  const destination: Destination = { type: 'GoogleCloudPubSub', topic: 't', projectId: 'p' };
  const stored = subscription({
    version: 3,
    key: SUBSCRIPTION_KEY,
    destination,
    changes: [{ resourceTypeId: 'order' }],
    messages: [],
  });

  it('is empty when only the order of topics differs', () => {
    const reordered: Subscription = {
      ...stored,
      changes: [{ resourceTypeId: 'order' }, { resourceTypeId: 'customer' }],
      messages: [{ resourceTypeId: 'order', types: ['OrderStateChanged', 'OrderCreated'] }],
    };
    expect(
      planSubscriptionUpdate(reordered, {
        key: SUBSCRIPTION_KEY,
        destination,
        changes: [{ resourceTypeId: 'customer' }, { resourceTypeId: 'order' }],
        messages: [{ resourceTypeId: 'order', types: ['OrderCreated', 'OrderStateChanged'] }],
      }),
    ).toEqual([]);
  });

  it('treats "every message" (no types) as different from a list of types', () => {
    const everyOrderMessage: Subscription = { ...stored, messages: [{ resourceTypeId: 'order' }] };
    expect(
      planSubscriptionUpdate(everyOrderMessage, {
        key: SUBSCRIPTION_KEY,
        destination,
        changes: [{ resourceTypeId: 'order' }],
        messages: [{ resourceTypeId: 'order', types: ['OrderCreated'] }],
      }),
    ).toEqual([{ action: 'setMessages', messages: [{ resourceTypeId: 'order', types: ['OrderCreated'] }] }]);
  });

  it('fills a list before it empties the other, so the subscription is never without topics', () => {
    const actions = planSubscriptionUpdate(stored, {
      key: SUBSCRIPTION_KEY,
      destination,
      changes: [],
      messages: [{ resourceTypeId: 'order', types: ['OrderStateChanged'] }],
    });
    expect(actions).toEqual([
      { action: 'setMessages', messages: [{ resourceTypeId: 'order', types: ['OrderStateChanged'] }] },
      { action: 'setChanges' },
    ]);
  });
});

describe('redact', () => {
  it('hides every occurrence of a secret, but not placeholder-sized values that would garble the text', () => {
    expect(redact(`key ${WRITE_KEY} and ${WRITE_KEY} again`, [WRITE_KEY, 's'])).toBe(
      'key [redacted] and [redacted] again',
    );
  });
});

describe('post-deploy against a commercetools stand-in', () => {
  it('creates the subscription on first deploy, with the Connect topic and the topics of the default events', async () => {
    const output = captureOutput();
    const result = await runPostDeploy(connectEnvironment(), output);

    expect(result).toEqual({ kind: 'done', subscription: 'created' });
    expect(topicsAndDestination(await storedSubscription())).toEqual({ destination: CONNECT_TOPIC, ...DEFAULT_TOPICS });
    expect(output.errors).toEqual([]);
    expect(output.lines).toEqual([
      expect.stringMatching(
        /^Post-deploy: The project keeps no messages: a state claim is proven by the resource's current state/,
      ),
      expect.stringContaining(`subscription '${SUBSCRIPTION_KEY}' created`),
    ]);
    expectNoSecrets(output);
  });

  it('updates the same subscription in place when the topic changes, and leaves an identical one alone', async () => {
    await runPostDeploy(connectEnvironment(), captureOutput());
    const first = await storedSubscription();

    const moved = await runPostDeploy(
      connectEnvironment({ CONNECT_GCP_TOPIC_NAME: 'connect-topic-2' }),
      captureOutput(),
    );
    expect(moved).toEqual({ kind: 'done', subscription: 'updated' });
    const second = await storedSubscription();
    expect(second.id).toBe(first.id);
    expect(second.version).toBe(first.version + 1);
    expect(topicsAndDestination(second)).toEqual({
      ...topicsAndDestination(first),
      destination: { ...CONNECT_TOPIC, topic: 'connect-topic-2' },
    });

    const again = await runPostDeploy(
      connectEnvironment({ CONNECT_GCP_TOPIC_NAME: 'connect-topic-2' }),
      captureOutput(),
    );
    expect(again).toEqual({ kind: 'done', subscription: 'unchanged' });
    const third = await storedSubscription();
    expect(third.version).toBe(second.version);
  });

  it('follows the event settings: Order Updated switched off and on again, in place', async () => {
    await runPostDeploy(connectEnvironment(), captureOutput());
    const first = await storedSubscription();

    const output = captureOutput();
    expect(await runPostDeploy(connectEnvironment({ EVENT_ORDER_UPDATED: 'off' }), output)).toEqual({
      kind: 'done',
      subscription: 'updated',
    });
    const reduced = await storedSubscription();
    // The stand-in counts a version per update action, commercetools one per update: only "newer" holds for both.
    expect(reduced.id).toBe(first.id);
    expect(reduced.version).toBeGreaterThan(first.version);
    const expected = withB2B({
      changes: [{ resourceTypeId: 'customer' }],
      messages: [{ resourceTypeId: 'order', types: ['OrderCreated', ...ORDER_MESSAGES] }, PAYMENT_MESSAGES],
    });
    expect(topicsAndDestination(reduced)).toEqual({ destination: CONNECT_TOPIC, ...expected });
    expect(output.lines).toEqual([
      expect.stringContaining('keeps no messages'),
      expect.stringContaining('changes business-unit, customer; messages business-unit ('),
    ]);

    expect(await runPostDeploy(connectEnvironment(), captureOutput())).toEqual({
      kind: 'done',
      subscription: 'updated',
    });
    const restored = await storedSubscription();
    expect(restored.id).toBe(first.id);
    expect(restored.version).toBeGreaterThan(reduced.version);
    expect(topicsAndDestination(restored)).toEqual({ destination: CONNECT_TOPIC, ...DEFAULT_TOPICS });
  });

  it('empties a list when the settings no longer need it, keeping the other', async () => {
    await runPostDeploy(connectEnvironment(), captureOutput());
    const shippedOnly = { ...EVERYTHING_OFF, EVENT_ORDER_SHIPPED: 'Order Shipped' };
    expect(await runPostDeploy(connectEnvironment(shippedOnly), captureOutput())).toEqual({
      kind: 'done',
      subscription: 'updated',
    });
    expect(topicsAndDestination(await storedSubscription())).toEqual({
      destination: CONNECT_TOPIC,
      changes: [],
      messages: [{ resourceTypeId: 'order', types: ['OrderShipmentStateChanged'] }],
    });
  });

  it('takes over a subscription with our key that someone changed by hand', async () => {
    await ctMock
      .project(PROJECT_KEY)
      .getRepository('subscription')
      .create(
        { projectKey: PROJECT_KEY },
        {
          key: SUBSCRIPTION_KEY,
          destination: { type: 'GoogleCloudPubSub', topic: 'old-topic', projectId: 'old-project' },
          messages: [{ resourceTypeId: 'order' }],
        },
      );
    expect(await runPostDeploy(connectEnvironment(), captureOutput())).toEqual({
      kind: 'done',
      subscription: 'updated',
    });
    expect(topicsAndDestination(await storedSubscription())).toEqual({ destination: CONNECT_TOPIC, ...DEFAULT_TOPICS });
  });

  it('says in one line that messages are proven with the Messages API when the project keeps them', async () => {
    await setProjectMessages(true);
    try {
      const output = captureOutput();
      const result = await runPostDeploy(connectEnvironment({ SEGMENT_PUBLIC_API_TOKEN: 'public-api-token' }), output);
      expect(result).toEqual({ kind: 'done', subscription: 'created' });
      expect(output.lines[0]).toBe(
        "Post-deploy: Messages are proven with commercetools' Messages API (kept 15 days): one read per message; customer deletions by their CustomerDeleted message.",
      );
    } finally {
      await setProjectMessages(false);
    }
  });

  it('fails the deployment when a Public API token is set but deletions could never be proven, creating nothing', async () => {
    const output = captureOutput();
    const result = await runPostDeploy(connectEnvironment({ SEGMENT_PUBLIC_API_TOKEN: 'public-api-token' }), output);
    expect(result.kind).toBe('failed');
    expect(output.errors).toEqual([
      expect.stringMatching(
        /^Post-deploy: SEGMENT_PUBLIC_API_TOKEN is set, but customer deletions could never be proven/,
      ),
    ]);
    expect(output.errors[0]).toContain('SEGMENT_DELETE_USERS=false');
    expect(output.errors.join('\n')).not.toContain('public-api-token');
    expect(await storedSubscriptions()).toEqual([]);

    // Deletions off: nothing to prove, the deployment goes ahead.
    const off = await runPostDeploy(
      connectEnvironment({ SEGMENT_PUBLIC_API_TOKEN: 'public-api-token', SEGMENT_DELETE_USERS: 'false' }),
      captureOutput(),
    );
    expect(off).toEqual({ kind: 'done', subscription: 'created' });
  });

  it('refuses an invalid configuration, lists every problem and creates nothing', async () => {
    const output = captureOutput();
    const result = await runPostDeploy(
      connectEnvironment({ SEGMENT_WRITE_KEY: undefined, CTP_REGION: 'mars-north1' }),
      output,
    );

    expect(result.kind).toBe('failed');
    const problems = result.kind === 'done' ? [] : result.problems;
    expect(problems).toEqual(
      expect.arrayContaining(['SEGMENT_WRITE_KEY is required', expect.stringMatching(/^CTP_REGION must look like/)]),
    );
    expect(output.errors.join('\n')).toContain('SEGMENT_WRITE_KEY is required');
    expect(output.errors.join('\n')).toContain('CTP_REGION');
    expect(output.lines).toEqual([]);
    expect(await storedSubscriptions()).toEqual([]);
    expectNoSecrets(output);
  });

  it('refuses invalid event settings, creates nothing, and leaves an existing subscription alone', async () => {
    const output = captureOutput();
    const invalid = connectEnvironment({ IDENTIFY_CUSTOMERS: 'maybe', ANONYMOUS_ID_FALLBACK: 'customer-number' });
    const result = await runPostDeploy(invalid, output);
    const problems = result.kind === 'done' ? [] : result.problems;
    expect(problems).toHaveLength(2);
    expect(problems).toEqual(
      expect.arrayContaining([
        'IDENTIFY_CUSTOMERS must be true or false',
        expect.stringMatching(/^ANONYMOUS_ID_FALLBACK /),
      ]),
    );
    expect(output.errors[0]).toMatch(/invalid configuration, no subscription was created or changed/);
    expect(await storedSubscriptions()).toEqual([]);

    await runPostDeploy(connectEnvironment(), captureOutput());
    const deployed = await storedSubscription();
    expect((await runPostDeploy(invalid, captureOutput())).kind).toBe('failed');
    expect(await storedSubscription()).toEqual(deployed);
  });

  it('refuses a deployment with nothing enabled, since a subscription without topics is invalid', async () => {
    const output = captureOutput();
    const result = await runPostDeploy(connectEnvironment(EVERYTHING_OFF), output);
    expect(result.kind === 'done' ? [] : result.problems).toEqual([expect.stringMatching(/^No event is enabled: /)]);
    expect(output.errors.join('\n')).toContain('No event is enabled');
    expect(output.lines).toEqual([]);
    expect(await storedSubscriptions()).toEqual([]);
  });

  it('reports configuration and destination problems together', async () => {
    const output = captureOutput();
    const result = await runPostDeploy(
      connectEnvironment({
        SEGMENT_WRITE_KEY: '',
        CONNECT_GCP_TOPIC_NAME: undefined,
        CONNECT_GCP_PROJECT_ID: undefined,
      }),
      output,
    );
    expect(result.kind === 'done' ? [] : result.problems).toEqual([
      'SEGMENT_WRITE_KEY is required',
      expect.stringMatching(/^CONNECT_GCP_TOPIC_NAME is required/),
      expect.stringMatching(/^CONNECT_GCP_PROJECT_ID is required/),
    ]);
    expect(await storedSubscriptions()).toEqual([]);
  });

  it('fails without the destination variables Connect sets, and creates nothing', async () => {
    const output = captureOutput();
    const result = await runPostDeploy(
      connectEnvironment({
        CONNECT_PROVIDER: undefined,
        CONNECT_GCP_TOPIC_NAME: undefined,
        CONNECT_GCP_PROJECT_ID: undefined,
      }),
      output,
    );
    expect(result.kind).toBe('failed');
    expect(output.errors.join('\n')).toMatch(/CONNECT_GCP_TOPIC_NAME is required/);
    expect(output.errors.join('\n')).toMatch(/CONNECT_GCP_PROJECT_ID is required/);
    expect(await storedSubscriptions()).toEqual([]);

    const aws = await runPostDeploy(connectEnvironment({ CONNECT_PROVIDER: 'AWS' }), captureOutput());
    expect(aws.kind === 'done' ? [] : aws.problems).toEqual([
      expect.stringMatching(/^CONNECT_AWS_TOPIC_ARN is required/),
    ]);
    expect(await storedSubscriptions()).toEqual([]);
  });

  it('subscribes an SNS topic on AWS, authenticated by IAM', async () => {
    const arn = 'arn:aws:sns:eu-central-1:123456789012:connect-events';
    const result = await runPostDeploy(
      connectEnvironment({
        CONNECT_PROVIDER: undefined,
        CONNECT_SUBSCRIPTION_DESTINATION: 'SNS',
        CONNECT_AWS_TOPIC_ARN: arn,
      }),
      captureOutput(),
    );
    expect(result).toEqual({ kind: 'done', subscription: 'created' });
    expect((await storedSubscription()).destination).toEqual({ type: 'SNS', topicArn: arn, authenticationMode: 'IAM' });
  });

  it('subscribes an Azure Service Bus without ever printing its connection string', async () => {
    const output = captureOutput();
    const env = connectEnvironment({
      CONNECT_PROVIDER: 'AZURE',
      CONNECT_AZURE_CONNECTION_STRING: AZURE_CONNECTION_STRING,
    });
    expect(await runPostDeploy(env, output)).toEqual({ kind: 'done', subscription: 'created' });
    expect((await storedSubscription()).destination).toEqual({
      type: 'AzureServiceBus',
      connectionString: AZURE_CONNECTION_STRING,
    });
    expect(output.lines).toEqual([
      expect.stringContaining('keeps no messages'),
      expect.stringContaining('AzureServiceBus shop-events.servicebus.windows.net'),
    ]);

    // The stand-in returns the string unmasked, so an identical deploy is recognised as such here.
    expect(await runPostDeploy(env, output)).toEqual({ kind: 'done', subscription: 'unchanged' });
    expectNoSecrets(output);
  });

  it("reports commercetools' status and code when it refuses, and changes nothing", async () => {
    // A stock stand-in, without the update actions added above: it answers 400 InvalidInput to
    // changeDestination, as commercetools would to any update it refuses.
    const refusing = new CommercetoolsMock({
      enableAuthentication: true,
      validateCredentials: false,
      defaultProjectKey: PROJECT_KEY,
      silent: true,
    });
    await refusing.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const url = `http://127.0.0.1:${(refusing.app.server.address() as AddressInfo).port}`;
      const at = { CTP_API_URL: url, CTP_AUTH_URL: url };
      expect(await runPostDeploy(connectEnvironment(at), captureOutput())).toEqual({
        kind: 'done',
        subscription: 'created',
      });

      const output = captureOutput();
      const result = await runPostDeploy(
        connectEnvironment({ ...at, CONNECT_GCP_TOPIC_NAME: 'connect-topic-2' }),
        output,
      );
      expect(result.kind).toBe('failed');
      expect(output.errors).toEqual([
        expect.stringMatching(
          /^Post-deploy failed: Updating subscription 'segment-connector-subscription' failed: commercetools answered 400 InvalidInput: /,
        ),
      ]);
      const repository = refusing.project(PROJECT_KEY).getRepository('subscription');
      const [stored] = (await repository.query({ projectKey: PROJECT_KEY })).results;
      expect(stored?.destination).toMatchObject({ topic: 'connect-topic-1' });
      expectNoSecrets(output);
    } finally {
      await refusing.app.close();
    }
  });

  it('fails clearly, without secrets, when commercetools cannot be reached', async () => {
    const port = await closedPort();
    const output = captureOutput();
    const result = await runPostDeploy(
      connectEnvironment({ CTP_API_URL: `http://127.0.0.1:${port}`, CTP_AUTH_URL: `http://127.0.0.1:${port}` }),
      output,
    );
    expect(result.kind).toBe('failed');
    expect(output.errors).toEqual([expect.stringMatching(/^Post-deploy failed: .*commercetools could not be reached/)]);
    expectNoSecrets(output);
  });
});

describe('pre-undeploy against a commercetools stand-in', () => {
  it('deletes the subscription, then finds it absent on a second run', async () => {
    await runPostDeploy(connectEnvironment(), captureOutput());
    expect(await storedSubscriptions()).toHaveLength(1);

    const output = captureOutput();
    expect(await runPreUndeploy(connectEnvironment(), output)).toEqual({ kind: 'done', subscription: 'deleted' });
    expect(await storedSubscriptions()).toEqual([]);
    expect(output.lines).toEqual([expect.stringContaining('deleted')]);

    expect(await runPreUndeploy(connectEnvironment(), captureOutput())).toEqual({
      kind: 'done',
      subscription: 'absent',
    });
  });

  it('needs only the commercetools settings', async () => {
    await runPostDeploy(connectEnvironment(), captureOutput());
    const env = connectEnvironment({
      SEGMENT_WRITE_KEY: undefined,
      SEGMENT_HOST: 'not a url',
      CONNECT_GCP_TOPIC_NAME: undefined,
    });
    expect(await runPreUndeploy(env, captureOutput())).toEqual({ kind: 'done', subscription: 'deleted' });
  });

  it('fails on missing commercetools settings', async () => {
    const output = captureOutput();
    const result = await runPreUndeploy(
      connectEnvironment({ CTP_CLIENT_ID: undefined, CTP_CLIENT_SECRET: '' }),
      output,
    );
    expect(result.kind === 'done' ? [] : result.problems).toEqual([
      'CTP_CLIENT_ID is required',
      'CTP_CLIENT_SECRET is required',
    ]);
  });

  it('fails when commercetools cannot be reached', async () => {
    const port = await closedPort();
    const output = captureOutput();
    const result = await runPreUndeploy(
      connectEnvironment({ CTP_API_URL: `http://127.0.0.1:${port}`, CTP_AUTH_URL: `http://127.0.0.1:${port}` }),
      output,
    );
    expect(result.kind).toBe('failed');
    expect(output.errors).toEqual([
      expect.stringMatching(/^Pre-undeploy failed: .*commercetools could not be reached/),
    ]);
    expectNoSecrets(output);
  });
});
