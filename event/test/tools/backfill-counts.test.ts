import { countOutcome, countRetried, progressOf, startTally } from '../../src/tools/backfill/counts';

describe('backfill counting', () => {
  it('counts each outcome without touching the tally it was given', () => {
    const start = startTally();
    const sent = countOutcome(start, 'order', { kind: 'sent', events: 2 });
    const skipped = countOutcome(sent, 'order', { kind: 'skipped', reason: 'no-identity' });
    const failed = countOutcome(skipped, 'customer', {
      kind: 'failed',
      reason: 'commercetools customer read failed',
      id: 'c-1',
    });

    expect(start.counts.order).toEqual({ processed: 0, sent: 0, events: 0, skipped: {}, failed: {} });
    expect(failed.counts.order).toEqual({
      processed: 2,
      sent: 1,
      events: 2,
      skipped: { 'no-identity': 1 },
      failed: {},
    });
    expect(failed.counts.customer).toEqual({
      processed: 1,
      sent: 0,
      events: 0,
      skipped: {},
      failed: { 'commercetools customer read failed': 1 },
    });
    expect(failed.failures).toEqual([
      { resourceType: 'customer', id: 'c-1', reason: 'commercetools customer read failed' },
    ]);
    expect(failed.run).toEqual({ resources: 3, events: 2, pages: 0, retries: 0 });
  });

  it('lists every failure, so a resumed run can retry each', () => {
    let tally = startTally();
    for (let n = 0; n < 1_000; n += 1)
      tally = countOutcome(tally, 'order', { kind: 'failed', reason: 'x', id: `o-${n}` });
    expect(tally.failures).toHaveLength(1_000);
    expect(tally.counts.order.failed).toEqual({ x: 1_000 });
  });

  it('moves a retried failure to what became of it, without counting the resource twice', () => {
    let tally = countOutcome(
      countOutcome(startTally(), 'order', { kind: 'failed', reason: 'refused', id: 'o-1' }),
      'order',
      {
        kind: 'failed',
        reason: 'refused',
        id: 'o-2',
      },
    );
    tally = countRetried(tally, tally.failures[0]!, { kind: 'sent', events: 2 });
    expect(tally.counts.order).toEqual({ processed: 2, sent: 1, events: 2, skipped: {}, failed: { refused: 1 } });
    expect(tally.failures).toEqual([{ resourceType: 'order', id: 'o-2', reason: 'refused' }]);
    tally = countRetried(tally, tally.failures[0]!, { kind: 'failed', reason: 'refused again', id: 'ignored' });
    expect(tally.counts.order.failed).toEqual({ 'refused again': 1 });
    expect(tally.failures).toEqual([{ resourceType: 'order', id: 'o-2', reason: 'refused again' }]);
  });

  it('reports progress over the requested types, with totals when known', () => {
    const tally = countOutcome(countOutcome(startTally(), 'customer', { kind: 'sent', events: 2 }), 'order', {
      kind: 'skipped',
      reason: 'disabled',
    });
    expect(
      progressOf(tally, {
        resourceTypes: ['customer', 'order'],
        phase: 'order',
        totals: { order: 10 },
        elapsedSeconds: 2,
      }),
    ).toEqual({
      type: 'progress',
      phase: 'order',
      customers: { processed: 1 },
      businessUnits: { processed: 0 },
      orders: { processed: 1, total: 10 },
      sent: 1,
      events: 2,
      skipped: 1,
      failed: 0,
      eventsPerSecond: 1,
      elapsedSeconds: 2,
    });
  });
});
