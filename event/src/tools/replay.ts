import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectorError } from '../errors';
import { answerOf, processDelivery, type PipelineDependencies, type Processed } from '../pipeline';
import { findHandler, routeKey } from '../routing';
import { isObject } from '../transport/parse';

/**
 * Replays saved notifications through the connector's own pipeline, one line at a time, exactly as
 * a push would have been processed: same decoding, routing, handlers and messageIds, so the events
 * of a notification already handled (or replayed twice) are deduplicated by Segment. Saved lines
 * carry no credential, so carried resources are never trusted: commercetools is asked.
 */

/** What a line held; every format becomes a body the app's decoder accepts. */
export type LineFormat =
  /** A commercetools notification as is (Platform format). */
  | 'notification'
  /** A CloudEvent (subscription format CloudEvents). */
  | 'cloudevent'
  /** A Pub/Sub push request body: `{"message":{"data":…},"subscription":…}` (also `gcloud … pull --format=json` items). */
  | 'pubsub-push'
  /** A Pub/Sub message as exported from a (dead-letter) subscription: `{"data":"<base64>","attributes":…,"messageId":…}`. */
  | 'pubsub-message';

export interface ReplayDependencies {
  /** What the live path is built from: the same pipeline handles each line. */
  pipeline: PipelineDependencies;
  /** Waits between retries; injectable so tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
}

export interface ReplayOptions {
  /** Notifications in flight at once. Default 4. */
  concurrency?: number;
  /** Decode and route only: report what would be handled, call neither commercetools nor Segment. */
  dryRun?: boolean;
  /** Retries of a line answered 5xx (or not answered), after the first attempt. Default 3. */
  retries?: number;
  /** Delay before the first retry, doubled for each further one. Default 500 ms. */
  retryDelayMs?: number;
  /** Called as each line is done, in completion order (progress). */
  onLine?: (line: number, outcome: LineOutcome) => void;
}

export type LineOutcome =
  | { kind: 'delivered'; events: number }
  | { kind: 'deletion-requested' }
  | { kind: 'skipped'; reason: string }
  /** Dry run: the handler this notification would be given to. */
  | { kind: 'would-handle'; route: string }
  | { kind: 'failed'; status?: number; error: string; message: string; attempts: number }
  | { kind: 'invalid'; message: string };

export interface LineFailure {
  line: number;
  /** The HTTP answer the live endpoint would have given. */
  status?: number;
  error: string;
  message: string;
  attempts: number;
}

export interface ReplaySummary {
  dryRun: boolean;
  /** Non-blank lines read. */
  lines: number;
  formats: Record<LineFormat, number>;
  /** Notifications Segment accepted, and the events they carried. */
  delivered: { notifications: number; events: number };
  /** Customer deletions accepted by Segment's Public API. */
  deletionsRequested: number;
  /** Acknowledged with nothing to send, by reason (not-found, unhandled-type…). */
  skipped: Record<string, number>;
  /** Dry run: notifications that would be handled, by route (e.g. order/ResourceCreated). */
  wouldHandle: Record<string, number>;
  failed: number;
  invalid: number;
  /** The first failures and invalid lines, in line order (at most MAX_DETAILS of each). */
  failures: LineFailure[];
  invalidLines: { line: number; message: string }[];
}

export const MAX_DETAILS = 1_000;
const DEFAULTS = { concurrency: 4, retries: 3, retryDelayMs: 500 };

/** The request body for a parsed line, and what the line was. */
export function requestBodyOf(value: unknown): { format: LineFormat; body: unknown } {
  if (isObject(value)) {
    if ('message' in value) return { format: 'pubsub-push', body: value };
    if ('specversion' in value) return { format: 'cloudevent', body: value };
    // A bare Pub/Sub message: wrap it in the push envelope Pub/Sub would have sent.
    if (typeof value.data === 'string' && !('notificationType' in value)) {
      return { format: 'pubsub-message', body: { message: value } };
    }
  }
  return { format: 'notification', body: value };
}

type LineResult = Exclude<LineOutcome, { kind: 'invalid' }>;

/** A processed line as an outcome: 2xx are done, 4xx failed for good, 5xx worth another try. */
function outcomeOf(processed: Processed, attempts: number): LineResult | 'retry' {
  switch (processed.kind) {
    case 'outcome': {
      const { outcome } = processed;
      if (outcome.kind === 'delivered') return { kind: 'delivered', events: outcome.events };
      if (outcome.kind === 'deletion-requested') return { kind: 'deletion-requested' };
      return { kind: 'skipped', reason: outcome.reason };
    }
    case 'control':
      // A transport's control message (an SNS subscription confirmation…): nothing was sent.
      return { kind: 'skipped', reason: processed.status };
    case 'failure': {
      const { status } = answerOf(processed);
      if (status >= 500) return 'retry';
      return { kind: 'failed', status, error: processed.failure, message: processed.message, attempts };
    }
  }
}

/** Processes one line, retrying transient failures with a doubling delay. */
async function processLine(
  body: unknown,
  pipeline: PipelineDependencies,
  options: Required<Pick<ReplayOptions, 'retries' | 'retryDelayMs'>> & { sleep: (ms: number) => Promise<void> },
): Promise<LineResult> {
  for (let attempt = 1; ; attempt += 1) {
    const processed = await processDelivery(body, pipeline, { authenticated: false });
    const outcome = outcomeOf(processed, attempt);
    if (outcome !== 'retry') return outcome;
    if (attempt > options.retries && processed.kind === 'failure') {
      return {
        kind: 'failed',
        status: answerOf(processed).status,
        error: processed.failure,
        message: processed.message,
        attempts: attempt,
      };
    }
    await options.sleep(options.retryDelayMs * 2 ** (attempt - 1));
  }
}

/** What the app would do with the body, without calling any handler. */
async function routeLine(body: unknown, pipeline: PipelineDependencies): Promise<LineResult> {
  try {
    const decoded = await pipeline.decode(body);
    if (decoded.kind === 'control') return { kind: 'skipped', reason: decoded.status };
    const { notification } = decoded;
    if (notification.projectKey !== pipeline.mapping.projectKey) return { kind: 'skipped', reason: 'other-project' };
    if (!findHandler(notification)) return { kind: 'skipped', reason: 'unhandled-type' };
    return { kind: 'would-handle', route: routeKey(notification) };
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    const { status } = answerOf({ kind: 'failure', failure: error.kind, message: error.publicMessage });
    return { kind: 'failed', status, error: error.kind, message: error.publicMessage, attempts: 1 };
  }
}

function emptySummary(dryRun: boolean): ReplaySummary {
  return {
    dryRun,
    lines: 0,
    formats: { notification: 0, cloudevent: 0, 'pubsub-push': 0, 'pubsub-message': 0 },
    delivered: { notifications: 0, events: 0 },
    deletionsRequested: 0,
    skipped: {},
    wouldHandle: {},
    failed: 0,
    invalid: 0,
    failures: [],
    invalidLines: [],
  };
}

function record(summary: ReplaySummary, line: number, outcome: LineOutcome): void {
  switch (outcome.kind) {
    case 'delivered':
      summary.delivered.notifications += 1;
      summary.delivered.events += outcome.events;
      return;
    case 'deletion-requested':
      summary.deletionsRequested += 1;
      return;
    case 'skipped':
      summary.skipped[outcome.reason] = (summary.skipped[outcome.reason] ?? 0) + 1;
      return;
    case 'would-handle':
      summary.wouldHandle[outcome.route] = (summary.wouldHandle[outcome.route] ?? 0) + 1;
      return;
    case 'failed': {
      summary.failed += 1;
      const { kind: _kind, ...failure } = outcome;
      if (summary.failures.length < MAX_DETAILS) summary.failures.push({ line, ...failure });
      return;
    }
    case 'invalid':
      summary.invalid += 1;
      if (summary.invalidLines.length < MAX_DETAILS) summary.invalidLines.push({ line, message: outcome.message });
      return;
  }
}

/**
 * Replays every line (blank lines are ignored) and resolves with the summary; it never rejects
 * for a line's sake. Lines are started in order, `concurrency` at a time.
 */
export async function replayNotifications(
  lines: AsyncIterable<string> | Iterable<string>,
  deps: ReplayDependencies,
  options: ReplayOptions = {},
): Promise<ReplaySummary> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULTS.concurrency));
  const lineOptions = {
    retries: options.retries ?? DEFAULTS.retries,
    retryDelayMs: options.retryDelayMs ?? DEFAULTS.retryDelayMs,
    sleep: deps.sleep ?? ((ms: number) => sleep(ms)),
  };
  const dryRun = options.dryRun ?? false;
  const summary = emptySummary(dryRun);

  const replayLine = async (text: string): Promise<LineOutcome> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { kind: 'invalid', message: 'not valid JSON' };
    }
    const { format, body } = requestBodyOf(value);
    summary.formats[format] += 1;
    try {
      if (dryRun) return await routeLine(body, deps.pipeline);
      return await processLine(body, deps.pipeline, lineOptions);
    } catch (error) {
      return {
        kind: 'failed',
        error: 'internal',
        message: error instanceof Error ? error.message : String(error),
        attempts: 1,
      };
    }
  };

  const running = new Set<Promise<void>>();
  let lineNumber = 0;
  for await (const raw of lines) {
    lineNumber += 1;
    const text = (lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw).trim();
    if (text === '') continue;
    summary.lines += 1;
    const line = lineNumber;
    const task: Promise<void> = replayLine(text)
      .then((outcome) => {
        record(summary, line, outcome);
        try {
          options.onLine?.(line, outcome);
        } catch {
          // Progress display only: it must not stop the replay.
        }
      })
      .finally(() => running.delete(task));
    running.add(task);
    if (running.size >= concurrency) await Promise.race(running);
  }
  await Promise.all(running);
  summary.failures.sort((a, b) => a.line - b.line);
  summary.invalidLines.sort((a, b) => a.line - b.line);
  return summary;
}

/** 0 when every line was replayed (delivered or skipped), 1 when any failed or was not JSON. */
export function replayExitCode(summary: ReplaySummary): 0 | 1 {
  return summary.failed > 0 || summary.invalid > 0 ? 1 : 0;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function byCount(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([key, count]) => `${key} ${count}`)
    .join(', ');
}

/** The summary for people: counts, then every failure with its line number (up to `limit`). */
export function formatReplaySummary(summary: ReplaySummary, source: string, limit = 20): string {
  const out: string[] = [];
  const formats = Object.entries(summary.formats).filter(([, count]) => count > 0);
  const formatText =
    formats.length > 0 ? ` (${formats.map(([format, count]) => `${format} ${count}`).join(', ')})` : '';
  out.push(`${summary.dryRun ? 'dry run of' : 'replayed'} ${source}: ${plural(summary.lines, 'line')}${formatText}`);
  const skippedTotal = Object.values(summary.skipped).reduce((sum, count) => sum + count, 0);
  if (summary.dryRun) {
    const handled = Object.values(summary.wouldHandle).reduce((sum, count) => sum + count, 0);
    out.push(`  would handle  ${handled}${handled > 0 ? ` (${byCount(summary.wouldHandle)})` : ''}`);
    out.push(`  would skip    ${skippedTotal}${skippedTotal > 0 ? ` (${byCount(summary.skipped)})` : ''}`);
  } else {
    out.push(
      `  delivered     ${plural(summary.delivered.notifications, 'notification')} (${plural(summary.delivered.events, 'event')})`,
    );
    if (summary.deletionsRequested > 0) out.push(`  deletions     ${summary.deletionsRequested} requested`);
    out.push(`  skipped       ${skippedTotal}${skippedTotal > 0 ? ` (${byCount(summary.skipped)})` : ''}`);
  }
  out.push(`  ${summary.dryRun ? 'would fail  ' : 'failed      '}  ${summary.failed}`);
  for (const failure of summary.failures.slice(0, limit)) {
    const answer = failure.status ? `HTTP ${failure.status} ` : '';
    const tries = failure.attempts > 1 ? ` (after ${failure.attempts} attempts)` : '';
    out.push(`    line ${failure.line}: ${answer}${failure.error}: ${failure.message}${tries}`);
  }
  if (summary.failed > limit) out.push(`    … and ${summary.failed - limit} more`);
  out.push(`  invalid       ${summary.invalid}`);
  for (const invalid of summary.invalidLines.slice(0, limit)) out.push(`    line ${invalid.line}: ${invalid.message}`);
  if (summary.invalid > limit) out.push(`    … and ${summary.invalid - limit} more`);
  if (summary.dryRun) out.push('nothing was sent (dry run)');
  return `${out.join('\n')}\n`;
}
