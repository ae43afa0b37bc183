/**
 * The benchmarks' child processes: started with only the environment given, awaited until they
 * answer /health, sampled for memory and CPU from /proc, and never left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { connectorNodeOptions } from './node-options';

export const EVENT_DIR = join(__dirname, '..');
export const RSS_SAMPLE_MS = 250;
/** Linux reports process CPU time in clock ticks of 1/100 s (CLK_TCK) on every common platform. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Every child still running, so a failing bench (or Ctrl-C) never leaves one behind. */
const liveChildren = new Set<ChildProcess>();

export interface Service {
  url: string;
  pid: number;
  /** Log lines the child wrote (the connector logs at warn and above only). */
  logs: { count: number; first: string[] };
  memory(): { peakRssMb: number; highWaterMarkMb: number };
  cpuSeconds(): number;
  /** SIGTERM, then the exit code (null when it had to be killed). */
  stop(): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function readProcStatusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined; // the process is gone
  }
}

export function readCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": state is the first, utime the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Keeps the first few lines a child writes; the rest are only counted (a failing connector writes thousands). */
function collectLogs(child: ChildProcess): Service['logs'] {
  const logs = { count: 0, first: [] as string[] };
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      logs.count += 1;
      if (logs.first.length < 3) logs.first.push(line.length > 600 ? `${line.slice(0, 600)}…` : line);
    });
  }
  return logs;
}

export async function waitForHealth(url: string, child: ChildProcess, logs: Service['logs']): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `the child exited with code ${child.exitCode} before answering /health:\n${logs.first.join('\n')}`,
      );
    }
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url}/health did not answer within 15 s`);
}

export function stopChild(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    // The connector drains for up to 8 s on SIGTERM; past that something is wrong.
    const killer = setTimeout(() => child.kill('SIGKILL'), 12_000);
    child.once('exit', (code) => {
      clearTimeout(killer);
      liveChildren.delete(child);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

/** Spawns `node <args>` with only the given environment, waits for /health, samples its memory. */
export async function startService(args: string[], env: Record<string, string>, port: number): Promise<Service> {
  const child = spawn(process.execPath, args, {
    cwd: EVENT_DIR,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_OPTIONS: connectorNodeOptions(),
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveChildren.add(child);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start node ${args.join(' ')}`);
  const logs = collectLogs(child);
  let peakRssMb = 0;
  const sampleRss = () => {
    peakRssMb = Math.max(peakRssMb, readProcStatusMb(pid, 'VmRSS') ?? 0);
  };
  const sampler = setInterval(sampleRss, RSS_SAMPLE_MS);
  let highWaterMarkMb = 0;
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, child, logs);
  } catch (error) {
    clearInterval(sampler);
    await stopChild(child);
    throw error;
  }
  return {
    url,
    pid,
    logs,
    memory: () => {
      sampleRss();
      // The kernel's own peak: what 250 ms sampling could miss between two samples.
      highWaterMarkMb = Math.max(highWaterMarkMb, readProcStatusMb(pid, 'VmHWM') ?? 0);
      return { peakRssMb, highWaterMarkMb };
    },
    cpuSeconds: () => readCpuSeconds(pid),
    stop: async () => {
      clearInterval(sampler);
      return stopChild(child);
    },
  };
}

export function killLiveChildren(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
}
