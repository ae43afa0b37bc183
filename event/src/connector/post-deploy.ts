import type { Destination } from '@commercetools/platform-sdk';
import { createCommercetoolsApi, type CommercetoolsClientLimits } from '../commercetools/client';
import { readMessagesSetting } from '../commercetools/project';
import { summarizeProofs } from '../handlers/proof';
import { ConfigError, loadConfig, type Config } from '../config';
import { entryEnvironment, errorClassOnly, reportConfigProblems, runCommand } from '../entry';
import {
  SUBSCRIPTION_KEY,
  describeDestination,
  describeTopics,
  destinationFromEnvironment,
  destinationSecrets,
  ensureSubscription,
  redact,
  subscriptionTopics,
  type SubscriptionChange,
  type SubscriptionTopics,
} from './subscription';
import { consoleOutput, type ScriptOutput } from './output';

export type PostDeployResult =
  { kind: 'done'; subscription: SubscriptionChange } | { kind: 'failed'; problems: string[] };

export interface PostDeployOptions {
  /** Timeouts and retries of the commercetools calls; defaults to DEPLOY_SCRIPT_LIMITS. */
  limits?: CommercetoolsClientLimits;
}

/**
 * A deploy is not on Pub/Sub's 10 s clock, and a failed postDeploy fails the whole deployment:
 * give commercetools more time and retries than the request path does.
 */
export const DEPLOY_SCRIPT_LIMITS: CommercetoolsClientLimits = { timeoutMs: 10_000, maxRetries: 3, retryDelayMs: 250 };

function problemsOf(error: unknown): string[] {
  if (error instanceof ConfigError) return error.problems;
  return [error instanceof Error ? error.message : String(error)];
}

const DELETIONS_UNPROVABLE =
  'SEGMENT_PUBLIC_API_TOKEN is set, but customer deletions could never be proven: the project keeps no messages ' +
  'and deliveries on Connect carry no credential, so every deletion would be skipped. Enable messages in the ' +
  "project's settings (Settings → Messages), or set SEGMENT_DELETE_USERS=false.";

const NOTHING_ENABLED =
  'No event is enabled: every EVENT_* variable is off and IDENTIFY_CUSTOMERS, GROUP_BUSINESS_UNITS and SEGMENT_DELETE_USERS are false. ' +
  'Enable at least one, or undeploy the connector.';

/**
 * Validates the whole configuration first (the server's own rules, plus the destination Connect
 * gave us) so a deployment that could never work fails here, before anything is created; then
 * creates or updates the subscription to what the enabled events need.
 */
export async function runPostDeploy(
  environment: NodeJS.ProcessEnv,
  output: ScriptOutput,
  options: PostDeployOptions = {},
): Promise<PostDeployResult> {
  const problems: string[] = [];
  let config: Config | undefined;
  let destination: Destination | undefined;
  let topics: SubscriptionTopics | undefined;
  try {
    config = loadConfig(environment);
    topics = subscriptionTopics(config.events);
    if (topics.changes.length === 0 && topics.messages.length === 0) problems.push(NOTHING_ENABLED);
  } catch (error) {
    problems.push(...problemsOf(error));
  }
  try {
    destination = destinationFromEnvironment(environment);
  } catch (error) {
    problems.push(...problemsOf(error));
  }
  if (!config || !topics || !destination || problems.length > 0) {
    reportConfigProblems(problems, {
      name: 'Post-deploy',
      consequence: 'no subscription was created or changed',
      write: (line) => output.error(line),
    });
    return { kind: 'failed', problems };
  }

  const secrets = [config.commercetools.clientSecret, config.segment.writeKey, ...destinationSecrets(destination)];
  try {
    const api = createCommercetoolsApi(config.commercetools, { limits: options.limits ?? DEPLOY_SCRIPT_LIMITS });
    const proofs = summarizeProofs(await readMessagesSetting(api), {
      authenticatedTransport: config.transport.pubSub !== undefined || config.transport.snsTopicArn !== undefined,
      deletions: config.events.deleteUsers && config.segment.publicApi.token !== undefined,
    });
    if (proofs.deletionsUnprovable) {
      output.error(`Post-deploy: ${DELETIONS_UNPROVABLE} No subscription was created or changed.`);
      return { kind: 'failed', problems: [DELETIONS_UNPROVABLE] };
    }
    output.info(`Post-deploy: ${proofs.line}`);
    const subscription = await ensureSubscription(api, {
      key: SUBSCRIPTION_KEY,
      destination,
      ...topics,
    });
    output.info(
      `Post-deploy: subscription '${SUBSCRIPTION_KEY}' ${subscription} (project ${config.commercetools.projectKey}, ${describeDestination(destination)}; ${describeTopics(topics)})`,
    );
    return { kind: 'done', subscription };
  } catch (error) {
    const message = redact(problemsOf(error).join('; '), secrets);
    output.error(`Post-deploy failed: ${message}`);
    return { kind: 'failed', problems: [message] };
  }
}

if (require.main === module) {
  runCommand(
    'Post-deploy',
    // A non-zero exit is how Connect learns that the deployment failed.
    async () => ((await runPostDeploy(entryEnvironment(), consoleOutput)).kind === 'done' ? 0 : 1),
    errorClassOnly,
  );
}
