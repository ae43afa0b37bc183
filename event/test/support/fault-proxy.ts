import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does to a request instead of forwarding it unchanged. */
export type Fault =
  /** Answer with this status (e.g. 500, 502, 503, or 429 with a Retry-After header). */
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Hold the request this long, then forward it if the client is still waiting. */
  | { kind: 'delay'; ms: number }
  /** Hold the request until `release()`, then forward it if the client is still waiting. */
  | { kind: 'hold' }
  /** Destroy the connection without answering. */
  | { kind: 'reset' }
  /** Answer 200 with a body that is not JSON. */
  | { kind: 'invalid-json' };

export interface FaultOptions {
  /** Only requests whose path (with query) matches: a RegExp, or a substring such as '/orders/'. */
  path?: RegExp | string;
  /** Only the next `times` matching requests; until `clear()` when absent. */
  times?: number;
}

/** A request the proxy saw, and the fault it applied (none when it was forwarded as is). */
export interface SeenRequest {
  method: string;
  path: string;
  fault?: Fault['kind'];
}

export interface FaultProxy {
  /** Point the app here (API and auth URL). */
  url: string;
  /** Where healthy requests go, e.g. the commercetools stand-in's URL. Settable at any time. */
  target: string;
  /** Adds a fault; the first matching fault (in the order added) applies to a request. */
  inject(fault: Fault, options?: FaultOptions): void;
  /** Removes every fault: the upstream has recovered. */
  clear(): void;
  /** Forwards the requests held so far (`hold`); later ones are held until the fault is cleared. */
  release(): void;
  /** Every request, in arrival order. */
  seen: SeenRequest[];
  /** How many requests matched `path` (all when absent); `faulted` narrows to faulted or healthy ones. */
  count(path?: RegExp | string, faulted?: boolean): number;
  /** Forgets the requests seen so far. */
  forget(): void;
  /** Resolves once every delayed request has been forwarded or dropped. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

interface Rule {
  fault: Fault;
  path?: RegExp | string;
  remaining?: number;
}

const matches = (pattern: RegExp | string | undefined, path: string) =>
  pattern === undefined || (typeof pattern === 'string' ? path.includes(pattern) : pattern.test(path));

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A controllable HTTP proxy on loopback, placed between the app and an upstream stand-in. It
 * forwards every request to `target` unless a fault matches, and records what it saw, so tests
 * can make commercetools fail in the ways real networks do.
 */
export async function startFaultProxy(target = ''): Promise<FaultProxy> {
  let rules: Rule[] = [];
  const seen: SeenRequest[] = [];
  const pending = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  let held: (() => void)[] = [];
  let closing = false;

  function takeFault(path: string): Fault | undefined {
    const rule = rules.find((candidate) => matches(candidate.path, path));
    if (!rule) return undefined;
    if (rule.remaining !== undefined) {
      rule.remaining -= 1;
      if (rule.remaining <= 0) rules = rules.filter((candidate) => candidate !== rule);
    }
    return rule.fault;
  }

  function pass(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    return new Promise((resolve) => {
      const upstream = new URL(req.url ?? '/', proxy.target);
      const outgoing = forward(
        upstream,
        { method: req.method, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', resolve);
          answer.on('error', () => resolve());
        },
      );
      outgoing.on('error', () => {
        // The upstream itself failed: the client sees a broken connection, as it would in production.
        req.socket.destroy();
        resolve();
      });
      outgoing.end(body);
    });
  }

  function hold(ms: number, req: IncomingMessage): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve(!closing && !req.socket.destroyed);
      }, ms);
      timers.add(timer);
      req.socket.once('close', () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false);
      });
    });
  }

  function holdUntilReleased(req: IncomingMessage): Promise<boolean> {
    return new Promise((resolve) => {
      held.push(() => resolve(!closing && !req.socket.destroyed));
      req.socket.once('close', () => resolve(false));
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = req.url ?? '/';
    const fault = takeFault(path);
    seen.push({ method: req.method ?? 'GET', path, ...(fault ? { fault: fault.kind } : {}) });
    switch (fault?.kind) {
      case undefined:
        return pass(req, res, body);
      case 'status':
        res
          .writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers })
          .end(fault.body ?? JSON.stringify({ statusCode: fault.status, message: 'injected fault', errors: [] }));
        return;
      case 'invalid-json':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"truncated", "version": ');
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'delay':
        if (await hold(fault.ms, req)) return pass(req, res, body);
        res.destroy();
        return;
      case 'hold':
        if (await holdUntilReleased(req)) return pass(req, res, body);
        res.destroy();
        return;
    }
  }

  const server = createServer((req, res) => {
    const work = handle(req, res).catch(() => {
      res.destroy();
    });
    pending.add(work);
    void work.finally(() => pending.delete(work));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const proxy: FaultProxy = {
    url: `http://127.0.0.1:${port}`,
    target,
    inject(fault, options = {}) {
      rules.push({
        fault,
        ...(options.path !== undefined ? { path: options.path } : {}),
        ...(options.times !== undefined ? { remaining: options.times } : {}),
      });
    },
    clear() {
      rules = [];
    },
    release() {
      const releasing = held;
      held = [];
      for (const forward of releasing) forward();
    },
    seen,
    count(path, faulted) {
      return seen.filter(
        (entry) => matches(path, entry.path) && (faulted === undefined || (entry.fault !== undefined) === faulted),
      ).length;
    },
    forget() {
      seen.length = 0;
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async close() {
      closing = true;
      rules = [];
      for (const timer of timers) clearTimeout(timer);
      proxy.release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
