/**
 * How a backfill shows its progress: a bar on a terminal, JSON lines everywhere else (CI,
 * Connect job logs), where a redrawn bar would be one endless line.
 */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { BackfillNotice, BackfillOutput, BackfillProgress } from './backfill';

export interface ProgressReporter extends BackfillOutput {
  /** Writes what is pending (the last progress line, the final bar) and stops the timers. */
  stop(): void;
}

/**
 * One JSON line per notice at once, and the latest progress every `intervalMs` (also when
 * nothing moved: a stalled run still shows it is alive), and once more on stop.
 */
export function createJsonLinesReporter(write: (line: string) => void, intervalMs: number): ProgressReporter {
  let latest: BackfillProgress | undefined;
  let written: BackfillProgress | undefined;
  const emit = () => {
    if (!latest) return;
    written = latest;
    write(`${JSON.stringify(latest)}\n`);
  };
  const timer = setInterval(emit, intervalMs);
  timer.unref();
  return {
    progress(progress) {
      latest = progress;
    },
    notice(notice) {
      write(`${JSON.stringify(notice)}\n`);
    },
    stop() {
      clearInterval(timer);
      if (latest !== written) emit();
    },
  };
}

// What matters first, for terminals too narrow for the whole line (cli-progress cuts the end).
const BAR_FORMAT =
  '{phase} {bar} {percentage}% {value}/{total} ETA {eta_formatted} | sent {sent}, skipped {skipped}, failed {failed} | {eventsPerSecond} events/s';

/** A cli-progress bar over every resource to backfill (the totals counted at the start); notices are printed above it. */
export function createBarReporter(stream: NodeJS.WritableStream): ProgressReporter {
  const bars = new MultiBar(
    {
      stream,
      format: BAR_FORMAT,
      barsize: 20,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 200,
      fps: 10,
      autopadding: true,
      gracefulExit: false,
    },
    Presets.shades_classic,
  );
  let bar: SingleBar | undefined;
  const payloadOf = (progress: BackfillProgress) => ({
    phase: { customer: 'customers', 'business-unit': 'units    ', order: 'orders   ' }[progress.phase],
    sent: progress.sent,
    skipped: progress.skipped,
    failed: progress.failed,
    eventsPerSecond: progress.eventsPerSecond,
  });
  return {
    progress(progress) {
      const parts = [progress.customers, progress.businessUnits, progress.orders];
      const value = parts.reduce((sum, part) => sum + part.processed, 0);
      const total = parts.reduce((sum, part) => sum + (part.total ?? part.processed), 0);
      if (!bar) bar = bars.create(Math.max(total, value), value, payloadOf(progress));
      else {
        if (bar.getTotal() !== Math.max(total, value)) bar.setTotal(Math.max(total, value));
        bar.update(value, payloadOf(progress));
      }
    },
    notice(notice: BackfillNotice) {
      // Above the bar once it runs; before that (or without one) straight to the stream.
      if (bar) bars.log(`${notice.message}\n`);
      else stream.write(`${notice.message}\n`);
    },
    stop() {
      bars.stop();
    },
  };
}
