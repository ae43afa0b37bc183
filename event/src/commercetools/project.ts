import type { ByProjectKeyRequestBuilder } from '@commercetools/platform-sdk';
import { upstreamUnavailable } from '../errors';
import { withRequestSignal } from './client';
import { statusOf } from './errors';

/** What the project's settings say about its Messages API (Project `messages`). */
export interface MessagesSetting {
  /** Messages are kept and can be read with `GET /messages/{id}`. */
  enabled: boolean;
  /** How long commercetools keeps them (15 by default). */
  deleteDaysAfterCreation: number;
}

/**
 * The project's settings the connector's proofs depend on. Read at start and kept for an hour:
 * they change when someone changes the project, not per notification, so a notification never
 * pays a read for them once the connector is warm.
 */
export interface ProjectSettings {
  /**
   * The messages setting as last read. The first call waits for a read; later calls answer at
   * once and refresh in the background once the setting is older than the refresh interval (a
   * failed refresh keeps the last value). Rejects with upstream-unavailable only while no read has
   * ever succeeded.
   */
  messages(signal?: AbortSignal): Promise<MessagesSetting>;
  /** Reads the settings now (at start, or the background refresh in progress); rejects with upstream-unavailable. */
  refresh(): Promise<MessagesSetting>;
}

export interface ProjectSettingsOptions {
  /** How long a read is kept before it is refreshed; an hour by default. */
  refreshMs?: number;
  /** How long after a failed read the next one is tried. */
  retryMs?: number;
  /** The clock; Date.now by default. */
  now?: () => number;
}

export const DEFAULT_SETTINGS_REFRESH_MS = 60 * 60 * 1000;
const DEFAULT_RETRY_MS = 60 * 1000;
const DEFAULT_DELETE_DAYS = 15;

/** Reads `GET /{projectKey}` (scope view_project_settings). */
export async function readMessagesSetting(
  api: ByProjectKeyRequestBuilder,
  signal?: AbortSignal,
): Promise<MessagesSetting> {
  try {
    const { body } = await withRequestSignal(signal, () => api.get().execute());
    return {
      enabled: body.messages?.enabled === true,
      deleteDaysAfterCreation: body.messages?.deleteDaysAfterCreation ?? DEFAULT_DELETE_DAYS,
    };
  } catch (error) {
    const status = statusOf(error);
    throw upstreamUnavailable(
      status
        ? `commercetools refused the project settings read (HTTP ${status}${status === 403 ? ': the API client needs view_project_settings' : ''})`
        : 'commercetools could not be reached (project settings read)',
      error,
    );
  }
}

export function createProjectSettings(
  api: ByProjectKeyRequestBuilder,
  options: ProjectSettingsOptions = {},
): ProjectSettings {
  const refreshMs = options.refreshMs ?? DEFAULT_SETTINGS_REFRESH_MS;
  const retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
  const now = options.now ?? Date.now;
  let known: { setting: MessagesSetting; readAt: number } | undefined;
  let reading: Promise<MessagesSetting> | undefined;
  let nextAttemptAt = 0;

  /** One read at a time; no notification's deadline may abort a read others share. */
  const read = (): Promise<MessagesSetting> => {
    reading ??= readMessagesSetting(api)
      .then((setting) => {
        known = { setting, readAt: now() };
        return setting;
      })
      .catch((error: unknown) => {
        nextAttemptAt = now() + retryMs;
        throw error;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };

  return {
    async messages(signal) {
      if (known) {
        if (now() - known.readAt >= refreshMs && now() >= nextAttemptAt) read().catch(() => undefined);
        return known.setting;
      }
      if (signal?.aborted) throw upstreamUnavailable('commercetools project settings not read: deadline passed');
      return read();
    },
    refresh: read,
  };
}
