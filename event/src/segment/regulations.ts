import type { Config } from '../config';
import { upstreamUnavailable } from '../errors';

/** Segment's Public API, for what the tracking API cannot do: deleting a user's data. */
export interface RegulationsClient {
  /** false without a Public API token: deletions can then only be logged. */
  readonly configured: boolean;
  /**
   * Asks Segment to suppress the user and delete their data (SUPPRESS_WITH_DELETE). Resolves
   * 'requested' once Segment accepted, and 'refused' only when Segment refuses the request itself
   * (400 or 422: a malformed subject, refused again however often it is sent). Every other answer
   * throws upstream-unavailable, so the notification is redelivered rather than acknowledged with
   * the user's data still in Segment: 429 and any answer that speaks of a quota or limit (it
   * passes), 5xx, timeouts, network errors, 401/403 (a token an operator can fix), 404 and the
   * other 4xx (a wrong host or path, a change on Segment's side), and redirects (something in
   * between, not Segment, answered).
   */
  requestDeletion(userId: string, signal?: AbortSignal): Promise<'requested' | 'refused'>;
}

export const DEFAULT_REGULATIONS_TIMEOUT_MS = 3_000;

/**
 * Words of a quota or rate-limit answer. Segment limits how many users a workspace may delete in
 * a month and answers rate limits with 429, but the status of a quota answer is not documented:
 * one that says so is waited out whatever its status.
 */
const QUOTA_WORDS = /quota|rate.?limit|too many|limit (?:exceeded|reached)|exceed(?:s|ed)? (?:the )?(?:\w+ )?limit/i;

/** The messages of a Public API error answer (`{"errors":[{"message":…}]}`), or its `message`. */
function messagesOf(text: string): string[] {
  try {
    const answer = JSON.parse(text) as { errors?: unknown; message?: unknown };
    const errors = Array.isArray(answer.errors) ? answer.errors : [answer];
    return errors
      .map((error) => (error as { message?: unknown } | null)?.message)
      .filter((message): message is string => typeof message === 'string');
  } catch {
    return [text];
  }
}

/** A refusal of the request as such (what it asked for can never be granted), as opposed to a quota. */
function isRefusal(status: number, text: string): boolean {
  return (status === 400 || status === 422) && !messagesOf(text).some((message) => QUOTA_WORDS.test(message));
}

export interface RegulationsClientOptions {
  /** Per-request timeout, ms; DEFAULT_REGULATIONS_TIMEOUT_MS by default. */
  timeoutMs?: number;
}

export function createRegulationsClient(
  settings: Config['segment']['publicApi'],
  options: RegulationsClientOptions = {},
): RegulationsClient {
  const { token } = settings;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REGULATIONS_TIMEOUT_MS;
  return {
    configured: token !== undefined,
    async requestDeletion(userId, signal) {
      if (!token) throw new Error('requestDeletion needs a Segment Public API token');
      const timeout = AbortSignal.timeout(timeoutMs);
      let response: Response;
      let text: string;
      try {
        response = await fetch(`${settings.host}/regulations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            regulationType: 'SUPPRESS_WITH_DELETE',
            subjectType: 'USER_ID',
            subjectIds: [userId],
          }),
          // A redirect's target is not Segment: a page answering 200 there must not count as accepted.
          redirect: 'manual',
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        // Read whole: it frees the connection for reuse, and an error answer says whether it is a quota.
        text = await response.text();
      } catch (error) {
        throw upstreamUnavailable('Segment Public API could not be reached', error);
      }
      if (response.status >= 200 && response.status < 300) return 'requested';
      if (isRefusal(response.status, text)) return 'refused';
      // Status only: Segment's answer may quote the subject, and the message is logged and answered.
      const quota = response.status === 429 || messagesOf(text).some((message) => QUOTA_WORDS.test(message));
      throw upstreamUnavailable(
        `Segment Public API answered HTTP ${response.status}${quota ? ' (rate limit or quota)' : ''}`,
      );
    },
  };
}
