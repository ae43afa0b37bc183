import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdmissionGate, receivedAtOf } from '../../src/inbound/admission';

/**
 * The gate in front of an Express route whose requests finish only when the test says so, so
 * what waits, what runs and what is turned away is visible exactly.
 */
async function startGated(limits: { maxConcurrent: number; maxWaiting: number }) {
  const running: string[] = [];
  const finishers = new Map<string, () => void>();
  const waitedMs = new Map<string, number>();
  const gate = createAdmissionGate(limits);
  const app = express();
  app.post(
    '/:name',
    (req, res, next) =>
      gate.admit(req, res, { proceed: next, turnAway: () => res.status(503).json({ error: 'overloaded' }) }),
    (req, res) => {
      const name = String(req.params.name);
      running.push(name);
      waitedMs.set(name, performance.now() - (receivedAtOf(req) ?? Number.NaN));
      finishers.set(name, () => {
        if (!res.headersSent && !res.destroyed) res.status(200).json({ name });
      });
    },
  );
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (name: string, signal?: AbortSignal) =>
    fetch(`${url}/${name}`, { method: 'POST', ...(signal ? { signal } : {}) });
  const until = async (condition: () => boolean) => {
    for (let i = 0; i < 200 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(condition()).toBe(true);
  };
  return {
    gate,
    running,
    finishers,
    waitedMs,
    post,
    until,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      }),
  };
}

describe('admission gate', () => {
  it('works on at most maxConcurrent requests, starts the waiting ones first in first out, and turns away past the waiting line', async () => {
    const gated = await startGated({ maxConcurrent: 2, maxWaiting: 2 });
    try {
      const answers = ['a', 'b', 'c', 'd'].map((name) => gated.post(name));
      await gated.until(() => gated.running.length === 2);
      // Two run, two wait: a fifth finds the line full and is answered at once.
      const turnedAway = await gated.post('e');
      expect(turnedAway.status).toBe(503);
      expect(await turnedAway.json()).toEqual({ error: 'overloaded' });
      expect([...gated.running].sort()).toEqual(['a', 'b']);

      gated.finishers.get('b')?.();
      await gated.until(() => gated.running.length === 3);
      expect(gated.running[2]).toBe('c');
      gated.finishers.get('a')?.();
      await gated.until(() => gated.running.length === 4);
      expect(gated.running[3]).toBe('d');
      gated.finishers.get('c')?.();
      gated.finishers.get('d')?.();
      expect((await Promise.all(answers)).map((response) => response.status)).toEqual([200, 200, 200, 200]);
      // The wait is measured from arrival: c and d waited for a turn, so their deadline is shorter.
      expect(gated.waitedMs.get('c')).toBeGreaterThan(gated.waitedMs.get('a') as number);
    } finally {
      for (const finish of gated.finishers.values()) finish();
      await gated.close();
    }
  });

  it('frees the turn of a sender that gave up, and skips a waiting sender that gave up', async () => {
    const gated = await startGated({ maxConcurrent: 1, maxWaiting: 5 });
    try {
      const gaveUpRunning = new AbortController();
      const first = gated.post('first', gaveUpRunning.signal).catch(() => 'aborted');
      await gated.until(() => gated.running.length === 1);
      const gaveUpWaiting = new AbortController();
      const waiting = gated.post('waiting', gaveUpWaiting.signal).catch(() => 'aborted');
      await gated.until(() => gated.gate.state().waiting === 1);
      const last = gated.post('last');
      await gated.until(() => gated.gate.state().waiting === 2);
      gaveUpWaiting.abort();
      expect(await waiting).toBe('aborted');
      // It leaves the line as soon as its connection closes, not when its turn would have come.
      await gated.until(() => gated.gate.state().waiting === 1);
      expect(gated.gate.state()).toEqual({ active: 1, waiting: 1 });
      // The running request's sender leaves: its slot goes to the next one still there.
      gaveUpRunning.abort();
      expect(await first).toBe('aborted');
      await gated.until(() => gated.running.includes('last'));
      expect(gated.running).toEqual(['first', 'last']);
      gated.finishers.get('last')?.();
      expect((await last).status).toBe(200);
      await gated.until(() => gated.gate.state().active === 0);
      expect(gated.gate.state()).toEqual({ active: 0, waiting: 0 });
    } finally {
      await gated.close();
    }
  });
});
