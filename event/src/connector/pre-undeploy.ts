import { config as loadDotenv } from 'dotenv';
import { createCommercetoolsApi, type CommercetoolsClientLimits } from '../commercetools/client';
import { ConfigError, loadConfig, type Config } from '../config';
import { errorClassOnly, runCommand } from '../entry';
import { SUBSCRIPTION_KEY, redact, removeSubscription, type SubscriptionRemoval } from './subscription';
import { consoleOutput, type ScriptOutput } from './output';

export type PreUndeployResult =
  { kind: 'done'; subscription: SubscriptionRemoval } | { kind: 'failed'; problems: string[] };

export interface PreUndeployOptions {
  limits?: CommercetoolsClientLimits;
}

const UNDEPLOY_SCRIPT_LIMITS: CommercetoolsClientLimits = { timeoutMs: 10_000, maxRetries: 3, retryDelayMs: 250 };

/**
 * The commercetools settings only, checked by the server's own rules. loadConfig also demands the
 * Segment settings; undeploy never talks to Segment, so a stand-in write key keeps a missing or
 * broken Segment configuration from blocking the clean-up.
 */
function loadCommercetoolsSettings(environment: NodeJS.ProcessEnv): Config['commercetools'] {
  const commercetoolsOnly = Object.fromEntries(Object.entries(environment).filter(([name]) => name.startsWith('CTP_')));
  return loadConfig({ ...commercetoolsOnly, SEGMENT_WRITE_KEY: 'not-used-by-pre-undeploy' }).commercetools;
}

/** Deletes the subscription post-deploy created, so no notifications go to a removed deployment. */
export async function runPreUndeploy(
  environment: NodeJS.ProcessEnv,
  output: ScriptOutput,
  options: PreUndeployOptions = {},
): Promise<PreUndeployResult> {
  let settings: Config['commercetools'];
  try {
    settings = loadCommercetoolsSettings(environment);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    output.error('Pre-undeploy: invalid configuration, the subscription was not removed:');
    for (const problem of error.problems) output.error(`  - ${problem}`);
    return { kind: 'failed', problems: error.problems };
  }

  try {
    const api = createCommercetoolsApi(settings, options.limits ?? UNDEPLOY_SCRIPT_LIMITS);
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
    async () => {
      // Locally, settings come from .env; under Connect they are already in the environment.
      loadDotenv({ quiet: true });
      // A non-zero exit is how Connect learns that the deployment failed.
      return (await runPreUndeploy(process.env, consoleOutput)).kind === 'done' ? 0 : 1;
    },
    errorClassOnly,
  );
}
