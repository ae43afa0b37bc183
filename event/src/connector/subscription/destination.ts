import type { Destination } from '@commercetools/platform-sdk';
import { z } from 'zod';
import { ConfigError, presentValues, snsTopicArn } from '../../config';

/**
 * Where Connect wants the notifications, read from the variables it sets for event applications'
 * postDeploy (docs.commercetools.com/connect/automation-scripts).
 */
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
  CONNECT_AWS_TOPIC_ARN: snsTopicArn().optional(),
  // Checked for shape only: the value is a secret and must never appear in a message.
  CONNECT_AZURE_CONNECTION_STRING: z
    .string()
    .trim()
    .regex(/^Endpoint=sb:\/\/[^;]+;.*SharedAccessKey=/i, {
      message:
        'must be an Azure Service Bus connection string (Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…)',
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
  const parsed = destinationEnvironmentSchema.safeParse(presentValues(environment));
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
        (name) =>
          `${name} is required for a ${provider} subscription destination (Connect sets it for event applications)`,
      ),
    );

  switch (provider) {
    case 'GCP': {
      const { CONNECT_GCP_TOPIC_NAME: topic, CONNECT_GCP_PROJECT_ID: projectId } = env;
      if (!topic || !projectId) {
        throw missing([...(topic ? [] : ['CONNECT_GCP_TOPIC_NAME']), ...(projectId ? [] : ['CONNECT_GCP_PROJECT_ID'])]);
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
