import type { Config } from '../config';
import { upstreamUnavailable } from '../errors';

/** Segment's Public API, for what the tracking API cannot do: deleting a user's data. */
export interface RegulationsClient {
  /** false without a Public API token: deletions can then only be logged. */
  readonly configured: boolean;
  /**
   * Asks Segment to suppress the user and delete their data (SUPPRESS_WITH_DELETE). Resolves
   * 'requested' once Segment accepted, 'refused' when Segment rejects the request as such (a
   * retry would be refused again); throws upstream-unavailable on 429, 5xx, timeouts, network
   * errors and on 401/403 (a token problem an operator can fix, after which a retry succeeds).
   */
  requestDeletion(userId: string, signal?: AbortSignal): Promise<'requested' | 'refused'>;
}

export const DEFAULT_REGULATIONS_TIMEOUT_MS = 3_000;

export function createRegulationsClient(
  settings: Config['segment']['publicApi'],
  timeoutMs = DEFAULT_REGULATIONS_TIMEOUT_MS,
): RegulationsClient {
  const { token } = settings;
  return {
    configured: token !== undefined,
    async requestDeletion(userId, signal) {
      if (!token) throw new Error('requestDeletion needs a Segment Public API token');
      const timeout = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetch(`${settings.host}/regulations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            regulationType: 'SUPPRESS_WITH_DELETE',
            subjectType: 'USER_ID',
            subjectIds: [userId],
          }),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        // The body is not needed, but reading it frees the connection for reuse.
        await response.arrayBuffer();
      } catch (error) {
        throw upstreamUnavailable('Segment Public API could not be reached', error);
      }
      if (response.ok) return 'requested';
      if (response.status === 429 || response.status >= 500 || response.status === 401 || response.status === 403) {
        throw upstreamUnavailable(`Segment Public API answered HTTP ${response.status}`);
      }
      return 'refused';
    },
  };
}
