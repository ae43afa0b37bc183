import type {
  ByProjectKeyRequestBuilder,
  ChangeSubscription,
  Destination,
  MessageSubscription,
  Subscription,
  SubscriptionUpdateAction,
} from '@commercetools/platform-sdk';
import { z } from 'zod';
import { ConfigError } from '../config';
import type { EventSettings, TrackEventKey } from '../events';

/**
 * One subscription per deployment, found again by this key on every deploy. Changing it would
 * leave the old subscription behind, delivering every notification twice.
 */
export const SUBSCRIPTION_KEY = 'segment-connector-subscription';

export interface SubscriptionTopics {
  changes: ChangeSubscription[];
  messages: MessageSubscription[];
}

export interface SubscriptionSpec extends SubscriptionTopics {
  key: string;
  destination: Destination;
}

export type EnsureOutcome = 'created' | 'updated' | 'unchanged';
export type RemoveOutcome = 'deleted' | 'absent';

/** Where the deploy scripts write: plain lines, which Connect shows in the deployment log. */
export interface ScriptOutput {
  info(line: string): void;
  error(line: string): void;
}

export const consoleOutput: ScriptOutput = {
  info: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
};

// ---------------------------------------------------------------------------------------------
// Topics: what to subscribe to, derived from the deployment's event settings, so a disabled event
// costs no notifications and alternative routes to one event are never subscribed to twice.
// ---------------------------------------------------------------------------------------------

/** A change subscription to one resource type, or a message subscription to some of its messages. */
type Topic = { changes: string } | { messages: string; types: readonly string[] };

const on = (events: EventSettings, key: TrackEventKey): boolean => events.track[key] !== undefined;

/**
 * Which topic each setting needs. commercetools cannot narrow a change subscription to one change
 * type, so customer changes bring creations, updates and deletions alike. Order changes include
 * ResourceCreated, which also yields Order Completed, so the OrderCreated message is only needed
 * when Order Updated is off (it carries the order, so it needs no read). Refunds are found on the
 * payment, whose transactions change without any order message.
 */
const TOPIC_RULES: ReadonlyArray<{ topic: Topic; when: (events: EventSettings) => boolean }> = [
  { topic: { changes: 'customer' }, when: (e) => e.identifyCustomers || on(e, 'signedUp') || e.deleteUsers },
  { topic: { changes: 'order' }, when: (e) => on(e, 'orderUpdated') },
  { topic: { messages: 'order', types: ['OrderCreated'] }, when: (e) => !on(e, 'orderUpdated') && on(e, 'orderCompleted') },
  { topic: { messages: 'order', types: ['OrderStateChanged'] }, when: (e) => on(e, 'orderCancelled') },
  { topic: { messages: 'order', types: ['OrderPaymentStateChanged'] }, when: (e) => on(e, 'orderPaid') },
  {
    topic: { messages: 'order', types: ['OrderShipmentStateChanged'] },
    when: (e) => on(e, 'orderShipped') || on(e, 'orderDelivered'),
  },
  {
    topic: { messages: 'payment', types: ['PaymentTransactionAdded', 'PaymentTransactionStateChanged'] },
    when: (e) => on(e, 'orderRefunded'),
  },
];

/**
 * The topics the enabled events need: one change subscription per resource type and one message
 * subscription per resource type with its message types. Sorted and deduplicated, so the result
 * compares equal across deploys. Empty when nothing is enabled, which commercetools would refuse.
 */
export function subscriptionTopics(events: EventSettings): SubscriptionTopics {
  const changeTypes = new Set<string>();
  const messageTypes = new Map<string, Set<string>>();
  for (const { topic, when } of TOPIC_RULES) {
    if (!when(events)) continue;
    if ('changes' in topic) {
      changeTypes.add(topic.changes);
    } else {
      const types = messageTypes.get(topic.messages) ?? new Set<string>();
      for (const type of topic.types) types.add(type);
      messageTypes.set(topic.messages, types);
    }
  }
  return {
    changes: [...changeTypes].sort().map((resourceTypeId) => ({ resourceTypeId })),
    messages: [...messageTypes.keys()].sort().map((resourceTypeId) => ({
      resourceTypeId,
      types: [...(messageTypes.get(resourceTypeId) ?? [])].sort(),
    })),
  };
}

/** A one-line description of topics, for deploy logs: `changes customer, order; messages order (…)`. */
export function describeTopics(topics: SubscriptionTopics): string {
  const changes = topics.changes.map((change) => change.resourceTypeId).join(', ');
  const messages = topics.messages
    .map((message) => `${message.resourceTypeId} (${(message.types ?? []).join(', ')})`)
    .join(', ');
  return [changes && `changes ${changes}`, messages && `messages ${messages}`].filter(Boolean).join('; ');
}

// ---------------------------------------------------------------------------------------------
// Destination: where Connect wants the notifications, read from the variables it sets for
// event applications' postDeploy (docs.commercetools.com/connect/automation-scripts).
// ---------------------------------------------------------------------------------------------

type Provider = 'GCP' | 'AWS' | 'AZURE';

/** Connect's newer variable names the destination type directly; map it onto the provider. */
const PROVIDER_OF_DESTINATION_TYPE: Record<string, Provider> = {
  GoogleCloudPubSub: 'GCP',
  SNS: 'AWS',
  AzureServiceBus: 'AZURE',
};

const optionalText = z.string().trim().min(1).optional();

const destinationEnvironmentSchema = z.object({
  CONNECT_PROVIDER: z
    .string()
    .trim()
    .toUpperCase()
    .pipe(z.enum(['GCP', 'AWS', 'AZURE'], { message: 'must be GCP, AWS or AZURE' }))
    .optional(),
  CONNECT_SUBSCRIPTION_DESTINATION: z
    .enum(['GoogleCloudPubSub', 'SNS', 'AzureServiceBus'], {
      message: 'must be GoogleCloudPubSub, SNS or AzureServiceBus',
    })
    .optional(),
  CONNECT_GCP_TOPIC_NAME: optionalText,
  CONNECT_GCP_PROJECT_ID: optionalText,
  CONNECT_AWS_TOPIC_ARN: z
    .string()
    .trim()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/, {
      message: 'must be an SNS topic ARN such as arn:aws:sns:eu-central-1:123456789012:topic',
    })
    .optional(),
  // Checked for shape only: the value is a secret and must never appear in a message.
  CONNECT_AZURE_CONNECTION_STRING: z
    .string()
    .trim()
    .regex(/^Endpoint=sb:\/\/[^;]+;.*SharedAccessKey=/i, {
      message: 'must be an Azure Service Bus connection string (Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…)',
    })
    .optional(),
});

/**
 * The subscription destination for this deployment, from the variables Connect sets. Accepts both
 * of Connect's conventions: CONNECT_SUBSCRIPTION_DESTINATION (GoogleCloudPubSub | SNS) and the older
 * CONNECT_PROVIDER (GCP | AWS; AZURE for self-managed set-ups). With neither, GCP is assumed, since
 * that is where Connect runs by default. Throws ConfigError naming every missing or malformed
 * variable, never their values.
 */
export function destinationFromEnvironment(environment: NodeJS.ProcessEnv): Destination {
  const present = Object.fromEntries(
    Object.entries(environment).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = destinationEnvironmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`));
  }
  const env = parsed.data;

  const byDestination = env.CONNECT_SUBSCRIPTION_DESTINATION
    ? PROVIDER_OF_DESTINATION_TYPE[env.CONNECT_SUBSCRIPTION_DESTINATION]
    : undefined;
  if (byDestination && env.CONNECT_PROVIDER && byDestination !== env.CONNECT_PROVIDER) {
    throw new ConfigError([
      `CONNECT_PROVIDER (${env.CONNECT_PROVIDER}) and CONNECT_SUBSCRIPTION_DESTINATION (${env.CONNECT_SUBSCRIPTION_DESTINATION}) disagree`,
    ]);
  }
  const provider: Provider = byDestination ?? env.CONNECT_PROVIDER ?? 'GCP';

  const missing = (names: string[]) =>
    new ConfigError(
      names.map(
        (name) => `${name} is required for a ${provider} subscription destination (Connect sets it for event applications)`,
      ),
    );

  switch (provider) {
    case 'GCP': {
      const { CONNECT_GCP_TOPIC_NAME: topic, CONNECT_GCP_PROJECT_ID: projectId } = env;
      if (!topic || !projectId) {
        throw missing([
          ...(topic ? [] : ['CONNECT_GCP_TOPIC_NAME']),
          ...(projectId ? [] : ['CONNECT_GCP_PROJECT_ID']),
        ]);
      }
      return { type: 'GoogleCloudPubSub', topic, projectId };
    }
    case 'AWS': {
      if (!env.CONNECT_AWS_TOPIC_ARN) throw missing(['CONNECT_AWS_TOPIC_ARN']);
      // IAM: commercetools publishes with its own AWS identity, which Connect grants on the topic.
      return { type: 'SNS', topicArn: env.CONNECT_AWS_TOPIC_ARN, authenticationMode: 'IAM' };
    }
    case 'AZURE': {
      if (!env.CONNECT_AZURE_CONNECTION_STRING) throw missing(['CONNECT_AZURE_CONNECTION_STRING']);
      return { type: 'AzureServiceBus', connectionString: env.CONNECT_AZURE_CONNECTION_STRING };
    }
  }
}

/** Values of a destination that must never be printed. */
export function destinationSecrets(destination: Destination): string[] {
  if (destination.type !== 'AzureServiceBus') return [];
  const key = /SharedAccessKey=([^;]+)/i.exec(destination.connectionString)?.[1];
  return [destination.connectionString, ...(key ? [key] : [])];
}

/** A one-line, secret-free description of a destination, for deploy logs. */
export function describeDestination(destination: Destination): string {
  switch (destination.type) {
    case 'GoogleCloudPubSub':
      return `GoogleCloudPubSub topic ${destination.topic} in project ${destination.projectId}`;
    case 'SNS':
      return `SNS topic ${destination.topicArn}`;
    case 'AzureServiceBus':
      return `AzureServiceBus ${/Endpoint=sb:\/\/([^/;]+)/i.exec(destination.connectionString)?.[1] ?? '(namespace hidden)'}`;
    default:
      return destination.type;
  }
}

// ---------------------------------------------------------------------------------------------
// Plan: pure comparison of what is stored with what we want.
// ---------------------------------------------------------------------------------------------

function sameDestination(stored: Destination, wanted: Destination): boolean {
  // Only the fields we set are compared: commercetools may add read-only ones to what it returns.
  // An Azure connection string comes back with its SharedAccessKey partly hidden, so it never
  // compares equal and an Azure destination is re-sent on every deploy; that is harmless and is
  // the only way a rotated key reaches commercetools.
  const storedFields = stored as unknown as Record<string, unknown>;
  return Object.entries(wanted).every(([field, value]) => storedFields[field] === value);
}

function canonicalChanges(changes: readonly ChangeSubscription[] | undefined): string {
  return JSON.stringify([...new Set((changes ?? []).map((change) => change.resourceTypeId))].sort());
}

function canonicalMessages(messages: readonly MessageSubscription[] | undefined): string {
  return JSON.stringify(
    [...(messages ?? [])]
      .map((message) => ({
        resourceTypeId: message.resourceTypeId,
        // No `types` means "every message of this resource": different from any explicit list.
        types: message.types ? [...new Set(message.types)].sort() : null,
      }))
      .sort((a, b) => a.resourceTypeId.localeCompare(b.resourceTypeId)),
  );
}

/**
 * The update actions that turn the stored subscription into the wanted one; empty when they
 * already match. Actions that empty a list come last, because commercetools rejects a state with
 * neither changes nor messages even between actions.
 */
export function planSubscriptionUpdate(stored: Subscription, wanted: SubscriptionSpec): SubscriptionUpdateAction[] {
  const actions: SubscriptionUpdateAction[] = [];
  if (!sameDestination(stored.destination, wanted.destination)) {
    actions.push({ action: 'changeDestination', destination: wanted.destination });
  }
  const lists: SubscriptionUpdateAction[] = [];
  if (canonicalChanges(stored.changes) !== canonicalChanges(wanted.changes)) {
    lists.push(
      wanted.changes.length > 0 ? { action: 'setChanges', changes: wanted.changes } : { action: 'setChanges' },
    );
  }
  if (canonicalMessages(stored.messages) !== canonicalMessages(wanted.messages)) {
    lists.push(
      wanted.messages.length > 0 ? { action: 'setMessages', messages: wanted.messages } : { action: 'setMessages' },
    );
  }
  const empties = (action: SubscriptionUpdateAction) =>
    (action.action === 'setChanges' && !action.changes) || (action.action === 'setMessages' && !action.messages);
  return [...actions, ...lists.filter((action) => !empties(action)), ...lists.filter(empties)];
}

// ---------------------------------------------------------------------------------------------
// I/O: the three commercetools calls, with errors that say what failed and never echo secrets.
// ---------------------------------------------------------------------------------------------

export class SubscriptionError extends Error {
  /** commercetools' HTTP status, absent when commercetools could not be reached at all. */
  readonly statusCode: number | undefined;
  constructor(message: string, statusCode: number | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SubscriptionError';
    this.statusCode = statusCode;
  }
}

interface CommercetoolsErrorShape {
  statusCode?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/**
 * Replaces every secret value in a text, so upstream messages can be shown safely. Values shorter
 * than 8 characters are left alone: real client secrets and write keys are far longer, and
 * replacing a placeholder such as `s` would garble every word of the message.
 */
export function redact(text: string, secrets: readonly string[]): string {
  return secrets
    .filter((secret) => secret.length >= 8)
    .reduce((result, secret) => result.split(secret).join('[redacted]'), text);
}

function statusOf(error: unknown): number | undefined {
  const status = (error as CommercetoolsErrorShape | undefined)?.statusCode;
  return typeof status === 'number' && status > 0 ? status : undefined;
}

function failure(doing: string, error: unknown, secrets: readonly string[]): SubscriptionError {
  const shape = (error ?? {}) as CommercetoolsErrorShape;
  const statusCode = statusOf(error);
  let detail: string;
  if (statusCode !== undefined) {
    const code = typeof shape.code === 'string' ? ` ${shape.code}` : '';
    const message = typeof shape.message === 'string' && shape.message ? `: ${shape.message}` : '';
    detail = `commercetools answered ${statusCode}${code}${message}`;
  } else {
    // Network failures arrive as fetch's TypeError, with the system error code on its cause.
    const cause = shape.cause as { code?: unknown } | undefined;
    const reason = typeof cause?.code === 'string' ? cause.code : typeof shape.message === 'string' ? shape.message : 'unknown error';
    detail = `commercetools could not be reached (${reason})`;
  }
  return new SubscriptionError(redact(`${doing} failed: ${detail}`, secrets), statusCode, { cause: error });
}

async function findByKey(api: ByProjectKeyRequestBuilder, key: string, secrets: readonly string[]) {
  try {
    return (await api.subscriptions().withKey({ key }).get().execute()).body;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw failure(`Reading subscription '${key}'`, error, secrets);
  }
}

/**
 * Creates the subscription, or brings an existing one (same key) up to date in place with one
 * update. Updating rather than deleting and re-creating keeps notifications flowing during a
 * redeploy.
 */
export async function ensureSubscription(
  api: ByProjectKeyRequestBuilder,
  spec: SubscriptionSpec,
): Promise<EnsureOutcome> {
  if (spec.changes.length === 0 && spec.messages.length === 0) {
    throw new SubscriptionError('Nothing to subscribe to: no event is enabled', undefined);
  }
  const secrets = destinationSecrets(spec.destination);
  const stored = await findByKey(api, spec.key, secrets);

  if (!stored) {
    try {
      await api
        .subscriptions()
        .post({
          body: {
            key: spec.key,
            destination: spec.destination,
            ...(spec.changes.length > 0 ? { changes: spec.changes } : {}),
            ...(spec.messages.length > 0 ? { messages: spec.messages } : {}),
          },
        })
        .execute();
    } catch (error) {
      throw failure(`Creating subscription '${spec.key}'`, error, secrets);
    }
    return 'created';
  }

  const actions = planSubscriptionUpdate(stored, spec);
  if (actions.length === 0) return 'unchanged';
  try {
    await api
      .subscriptions()
      .withId({ ID: stored.id })
      .post({ body: { version: stored.version, actions } })
      .execute();
  } catch (error) {
    throw failure(`Updating subscription '${spec.key}'`, error, secrets);
  }
  return 'updated';
}

/** Deletes the subscription; one that is already gone is not an error (undeploy may be retried). */
export async function removeSubscription(api: ByProjectKeyRequestBuilder, key: string): Promise<RemoveOutcome> {
  const stored = await findByKey(api, key, []);
  if (!stored) return 'absent';
  try {
    await api
      .subscriptions()
      .withId({ ID: stored.id })
      .delete({ queryArgs: { version: stored.version } })
      .execute();
  } catch (error) {
    // Deleted by someone else between our read and our delete: the goal is reached all the same.
    if (statusOf(error) === 404) return 'absent';
    throw failure(`Deleting subscription '${key}'`, error, []);
  }
  return 'deleted';
}
