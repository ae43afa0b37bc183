/** `npm run backfill`'s summary for people, and its exit code. */
import { type BackfillSummary } from '../tools/backfill';

/** Failures printed in the summary; the checkpoint holds them all. */
const MAX_PRINTED_FAILURES = 50;

/** 0 done and nothing failed; 1 failures or a page that could not be read; 130 stopped on request. */
export function exitCodeOf(summary: BackfillSummary): number {
  const failed = summary.resourceTypes.some((type) => Object.keys(summary.counts[type].failed).length > 0);
  if (summary.status === 'aborted' || failed) return 1;
  if (summary.status === 'interrupted') return 130;
  return 0;
}

const plural = (count: number, word: string) => `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`;
const reasons = (record: Record<string, number>) =>
  Object.entries(record)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, count]) => `${reason} ${count.toLocaleString('en-US')}`)
    .join(', ');

/** The human-readable end of a run. */
export function formatSummary(summary: BackfillSummary, checkpointFile?: string): string {
  const verb = summary.dryRun ? 'would send' : 'sent';
  const title = {
    completed: 'Backfill completed',
    interrupted: 'Backfill stopped before the end',
    aborted: 'Backfill aborted',
  }[summary.status];
  const shard = summary.shard ? ` (shard ${summary.shard})` : '';
  const lines = [`${title}${shard}${summary.dryRun ? ' (dry run: nothing was sent to Segment)' : ''}.`];
  for (const type of summary.resourceTypes) {
    const counts = summary.counts[type];
    const label = { customer: 'customers', 'business-unit': 'units    ', order: 'orders   ' }[type];
    if (summary.disabled.includes(type)) {
      lines.push(`  ${label}  not read: their events are switched off`);
      continue;
    }
    const skipped = Object.values(counts.skipped).reduce((a, b) => a + b, 0);
    const failed = Object.values(counts.failed).reduce((a, b) => a + b, 0);
    lines.push(
      `  ${label}  ${counts.processed.toLocaleString('en-US')} read: ${verb} ${counts.sent.toLocaleString('en-US')} (${plural(counts.events, 'event')}), ` +
        `skipped ${skipped.toLocaleString('en-US')}${skipped ? ` (${reasons(counts.skipped)})` : ''}, ` +
        `failed ${failed.toLocaleString('en-US')}${failed ? ` (${reasons(counts.failed)})` : ''}`,
    );
  }
  const { run } = summary;
  lines.push(
    `  this run   ${plural(run.resources, 'resource')}, ${plural(run.events, 'event')} in ${run.durationSeconds} s ` +
      `(${run.eventsPerSecond} events/s, ${run.resourcesPerSecond} resources/s), ${plural(run.pages, 'page')}, ${plural(run.retries, 'retry')}`.replace(
        'retrys',
        'retries',
      ),
  );
  if (summary.resumedFrom) {
    const { resourceType, lastId } = summary.resumedFrom;
    lines.push(
      `  resumed    ${lastId ? `after ${resourceType} ${lastId}` : `at the first ${resourceType}`} (counts above include the earlier runs)`,
    );
  }
  if (summary.failures.length > 0) {
    lines.push(
      checkpointFile
        ? `  failed resources (all are in ${checkpointFile}; --resume retries them first, --retry-failed only them):`
        : '  failed resources (inspect one with npm run preview -- <type> <id>; a re-run sends them with the same messageIds):',
    );
    const shown = summary.failures.slice(0, MAX_PRINTED_FAILURES);
    for (const failure of shown) lines.push(`    ${failure.resourceType} ${failure.id}: ${failure.reason}`);
    const listed = shown.length;
    const total = summary.resourceTypes.reduce(
      (all, type) => all + Object.values(summary.counts[type].failed).reduce((a, b) => a + b, 0),
      0,
    );
    if (total > listed) lines.push(`    … and ${total - listed} more`);
  }
  if (summary.error) lines.push(`  error      ${summary.error}`);
  if (summary.status !== 'completed') {
    const { resourceType, lastId } = summary.position;
    const where = lastId ? `after ${resourceType} ${lastId}` : `at the first ${resourceType}`;
    lines.push(
      checkpointFile
        ? `  resume     npm run backfill -- <the same options> --resume ${checkpointFile} (continues ${where})`
        : `  resume     not possible without --resume FILE; a new run starts over (Segment drops what it already has)`,
    );
  }
  return `${lines.join('\n')}\n`;
}
