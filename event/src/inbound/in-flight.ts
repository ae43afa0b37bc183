/**
 * The notifications in progress, counted so that shutdown can wait for them before it closes the
 * Segment sink. Waiting for the server's connections is not enough: a notification whose sender
 * hung up has no connection left, yet runs to its end, and must find the sink open when it gets
 * there (its events are then in Segment before the redelivery comes).
 */
export interface InFlight {
  /** Counts `work` as in progress until it settles, and hands it back. */
  track<T>(work: Promise<T>): Promise<T>;
  /** How many are in progress. */
  readonly size: number;
  /** Resolves once none is in progress: at once when none is. */
  idle(): Promise<void>;
}

export function createInFlight(): InFlight {
  let size = 0;
  let waiting: (() => void)[] = [];
  const settled = () => {
    size -= 1;
    if (size > 0) return;
    const resolved = waiting;
    waiting = [];
    for (const resolve of resolved) resolve();
  };
  return {
    track(work) {
      size += 1;
      work.then(settled, settled);
      return work;
    },
    get size() {
      return size;
    },
    idle() {
      return size === 0 ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve));
    },
  };
}
