import type { ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import { statusOf } from '../../commercetools/errors';
import { destinationSecrets } from './destination';
import { planSubscriptionUpdate, type SubscriptionSpec } from './plan';

/**
 * The subscription's commercetools calls (read, create or update, delete), with errors that say
 * what failed and never echo secrets.
 */

/** What post-deploy did to the subscription. */
export type SubscriptionChange = 'created' | 'updated' | 'unchanged';
/** What pre-undeploy did to it. */
export type SubscriptionRemoval = 'deleted' | 'absent';

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

function failure(doing: string, error: unknown, secrets: readonly string[]): SubscriptionError {
  const shape = (error ?? {}) as CommercetoolsErrorShape;
  const statusCode = statusOf(error);
  let detail: string;
  if (statusCode !== undefined) {
    const code = typeof shape.code === 'string' ? ` ${shape.code}` : '';
    const message = typeof shape.message === 'string' && shape.message ? `: ${shape.message}` : '';
    detail = `commercetools answered ${statusCode}${code}${message}`;
  } else {
    // No answer at all: named by its cause's system error code when it has one, else by its message.
    const cause = shape.cause as { code?: unknown } | undefined;
    const reason =
      typeof cause?.code === 'string'
        ? cause.code
        : typeof shape.message === 'string'
          ? shape.message
          : 'unknown error';
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
): Promise<SubscriptionChange> {
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
export async function removeSubscription(api: ByProjectKeyRequestBuilder, key: string): Promise<SubscriptionRemoval> {
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
