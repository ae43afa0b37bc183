import { createCommercetoolsApi, type CommercetoolsClientLimits } from '../commercetools/client';
import { entryEnvironment, errorClassOnly, loadEntryConfig, runCommand } from '../entry';
import { SUBSCRIPTION_KEY, redact, removeSubscription, type SubscriptionRemoval } from './subscription';
import { consoleOutput, type ScriptOutput } from './output';

export type PreUndeployResult =
  { kind: 'done'; subscription: SubscriptionRemoval } | { kind: 'failed'; problems: string[] };

export interface PreUndeployOptions {
  limits?: CommercetoolsClientLimits;
}

const UNDEPLOY_SCRIPT_LIMITS: CommercetoolsClientLimits = { timeoutMs: 10_000, maxRetries: 3, retryDelayMs: 250 };

/**
 * The commercetools variables only, to be checked by the server's own rules. Those rules also
 * demand the Segment settings; undeploy never talks to Segment, so a stand-in write key keeps a
 * missing or broken Segment configuration from blocking the clean-up.
 */
function commercetoolsOnly(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const variables = Object.entries(environment).filter(([name]) => name.startsWith('CTP_'));
  return { ...Object.fromEntries(variables), SEGMENT_WRITE_KEY: 'not-used-by-pre-undeploy' };
}

/** Deletes the subscription post-deploy created, so no notifications go to a removed deployment. */
export async function runPreUndeploy(
  environment: NodeJS.ProcessEnv,
  output: ScriptOutput,
  options: PreUndeployOptions = {},
): Promise<PreUndeployResult> {
  const loaded = loadEntryConfig(commercetoolsOnly(environment), {
    name: 'Pre-undeploy',
    consequence: 'the subscription was not removed',
    write: (line) => output.error(line),
  });
  if (loaded.kind === 'invalid') return { kind: 'failed', problems: loaded.problems };
  const settings = loaded.config.commercetools;

  try {
    const api = createCommercetoolsApi(settings, { limits: options.limits ?? UNDEPLOY_SCRIPT_LIMITS });
    const subscription = await removeSubscription(api, SUBSCRIPTION_KEY);
    output.info(
      subscription === 'deleted'
        ? `Pre-undeploy: subscription '${SUBSCRIPTION_KEY}' deleted (project ${settings.projectKey})`
        : `Pre-undeploy: subscription '${SUBSCRIPTION_KEY}' was already absent (project ${settings.projectKey})`,
    );
    return { kind: 'done', subscription };
  } catch (error) {
    const message = redact(error instanceof Error ? error.message : String(error), [settings.clientSecret]);
    output.error(`Pre-undeploy failed: ${message}`);
    return { kind: 'failed', problems: [message] };
  }
}

if (require.main === module) {
  runCommand(
    'Pre-undeploy',
    // A non-zero exit is how Connect learns that the deployment failed.
    async () => ((await runPreUndeploy(entryEnvironment(), consoleOutput)).kind === 'done' ? 0 : 1),
    errorClassOnly,
  );
}
