/**
 * `npm run bench -- [--only fast|latency] [--duration S] [--warmup S] [--connections N]
 *                   [--ct-latency MS] [--segment-latency MS] [--soak-minutes M] [--telemetry]`
 *
 * Measures the built connector (dist/index.js, its own process, as deployed) under load from
 * autocannon, against loopback stand-ins for commercetools and Segment (bench/standins.ts), and
 * prints the figures with their targets. A report, not a test: it exits 0 when a target is
 * missed, and non-zero only when the bench itself could not run.
 *
 * - fast: the stand-ins answer at once, 256 connections: the CPU the connector's process spends
 *   per message (user + system, every thread, from /proc), its answer latency at saturation and
 *   its peak memory.
 * - latency: commercetools answers in 20 ms, Segment in 40 ms, 64 connections: answer latency,
 *   requests made per message upstream, connections opened, peak memory.
 *
 * Each scenario runs the floor too (bench/floor.ts): the least any connector must do for the
 * same notification (Express, the order read and the email look-up over keep-alive undici pools,
 * identify + track in one Segment request, the answer on acceptance). Its CPU per message is
 * printed beside the connector's, so the ratio is visible in one run.
 *
 * Every request carries a distinct guest-order ResourceCreated notification, so nothing the
 * connector might cache or deduplicate flatters the figures.
 *
 * The connector and the floor run with the V8 flags `npm start` uses (package.json
 * config.nodeOptions); NODE_OPTIONS replaces them, to try others
 * (`NODE_OPTIONS=--max-semi-space-size=8 npm run bench`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import {
  EVENT_DIR,
  freePort,
  killLiveChildren,
  readProcStatusMb,
  RSS_SAMPLE_MS,
  startService,
  type Service,
} from './processes';
import {
  startCommercetoolsStandIn,
  startSegmentStandIn,
  type CommercetoolsCounts,
  type SegmentCounts,
} from './standins';

const PROJECT_KEY = 'bench-project';

// ───────────────────────────── settings ─────────────────────────────

interface LoadShape {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

interface Settings {
  only?: 'fast' | 'latency';
  telemetry: boolean;
  fast: LoadShape;
  latency: LoadShape & { commercetoolsLatencyMs: number; segmentLatencyMs: number };
}

const USAGE =
  'usage: npm run bench -- [--only fast|latency] [--duration S] [--warmup S] [--connections N] ' +
  '[--ct-latency MS] [--segment-latency MS] [--soak-minutes M] [--telemetry]';

function readSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      only: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'ct-latency': { type: 'string' },
      'segment-latency': { type: 'string' },
      // A long latency run, to watch memory and latency over minutes rather than seconds.
      'soak-minutes': { type: 'string' },
      // Metrics (OTLP every 5 s) and traces (every notification) on, to a loopback collector.
      telemetry: { type: 'boolean' },
    },
  });
  if (values.only !== undefined && values.only !== 'fast' && values.only !== 'latency') {
    throw new Error(`--only must be fast or latency\n${USAGE}`);
  }
  const number = (name: string, value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative number\n${USAGE}`);
    return parsed;
  };
  const duration = (fallback: number) => number('duration', values.duration, fallback);
  const warmupSeconds = number('warmup', values.warmup, 2);
  const connections = (fallback: number) =>
    Math.max(1, Math.round(number('connections', values.connections, fallback)));
  const soakSeconds =
    values['soak-minutes'] === undefined ? undefined : number('soak-minutes', values['soak-minutes'], 0) * 60;
  return {
    ...(values.only ? { only: values.only } : {}),
    telemetry: values.telemetry === true,
    fast: { connections: connections(256), durationSeconds: duration(10), warmupSeconds },
    latency: {
      connections: connections(64),
      durationSeconds: soakSeconds ?? duration(15),
      warmupSeconds,
      commercetoolsLatencyMs: number('ct-latency', values['ct-latency'], 20),
      segmentLatencyMs: number('segment-latency', values['segment-latency'], 40),
    },
  };
}

// ───────────────────────────── load ─────────────────────────────

/** Shared by every run of the bench, so no two requests ever name the same order. */
let sequence = 0;
const MODIFIED_AT = new Date().toISOString();

/** Deterministic and UUID-shaped: commercetools ids are UUIDs, and the connector checks their characters. */
function orderIdOf(n: number): string {
  return `b0000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** A Pub/Sub push request as Connect delivers it: the Platform-format notification, base64 in message.data. */
function nextPubSubBody(): string {
  sequence += 1;
  const notification = {
    notificationType: 'ResourceCreated',
    projectKey: PROJECT_KEY,
    resource: { typeId: 'order', id: orderIdOf(sequence) },
    version: 1,
    modifiedAt: MODIFIED_AT,
  };
  const messageId = String(sequence);
  return JSON.stringify({
    message: {
      data: Buffer.from(JSON.stringify(notification)).toString('base64'),
      messageId,
      message_id: messageId,
      publishTime: MODIFIED_AT,
    },
    subscription: 'projects/bench/subscriptions/commercetools-segment',
  });
}

function runLoad(url: string, connections: number, durationSeconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        duration: durationSeconds,
        requests: [
          {
            method: 'POST',
            path: '/',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request) => ({ ...request, body: nextPubSubBody() }),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/**
 * Settings the bench passes on to the connector from its own environment, to measure them:
 * `MAX_CONCURRENT_NOTIFICATIONS=32 npm run bench`, `METRICS_PROMETHEUS=true npm run bench`.
 */
const FORWARDED = /^(MAX_CONCURRENT_NOTIFICATIONS|METRICS_PROMETHEUS|OTEL_[A-Z_]+)$/;

function forwardedSettings(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => FORWARDED.test(entry[0]) && !!entry[1]),
  );
}

/** With --telemetry: metrics and traces exported to a loopback collector (set in main). */
let telemetrySettings: Record<string, string> = {};

/** An OTLP/HTTP collector that accepts and counts every export, so exporting costs what it would. */
async function startCollector(): Promise<{ url: string; requests(): number; close(): Promise<void> }> {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function startConnector(commercetoolsUrl: string, segmentUrl: string, port: number): Promise<Service> {
  return startService(
    [join(EVENT_DIR, 'dist', 'index.js')],
    {
      CTP_PROJECT_KEY: PROJECT_KEY,
      CTP_CLIENT_ID: 'bench-client',
      CTP_CLIENT_SECRET: 'bench-secret',
      CTP_API_URL: commercetoolsUrl,
      CTP_AUTH_URL: commercetoolsUrl,
      SEGMENT_WRITE_KEY: 'bench-write-key',
      SEGMENT_HOST: segmentUrl,
      LOG_LEVEL: 'warn',
      ...forwardedSettings(),
      ...telemetrySettings,
    },
    port,
  );
}

/** The floor (bench/floor.ts, run through tsx): the same notifications, the same stand-ins. */
function startFloor(commercetoolsUrl: string, segmentUrl: string, port: number): Promise<Service> {
  return startService(
    ['--import', 'tsx', join(EVENT_DIR, 'bench', 'floor.ts')],
    {
      CTP_PROJECT_KEY: PROJECT_KEY,
      CTP_API_URL: commercetoolsUrl,
      CTP_AUTH_URL: commercetoolsUrl,
      SEGMENT_WRITE_KEY: 'bench-write-key',
      SEGMENT_HOST: segmentUrl,
    },
    port,
  );
}

type Subject = 'connector' | 'floor';
const START: Record<Subject, typeof startConnector> = { connector: startConnector, floor: startFloor };

// ───────────────────────────── measuring ─────────────────────────────

interface Measured {
  load: autocannon.Result;
  messagesPerSecond: number;
  /** CPU used during the measured run, as a share of one core. */
  serviceCpu: number;
  /** CPU seconds the service spent from the run's start until its leftovers were handled. */
  serviceCpuSeconds: number;
  benchCpu: number;
}

/**
 * A warm-up that is not counted, then the measured run, with the CPU each side used. autocannon
 * stops with requests still in flight, which the service goes on handling: `settle` waits for
 * them after each phase, so the warm-up's leftovers are not counted in the run and the run's
 * own leftovers are.
 */
async function measure(
  service: Service,
  shape: LoadShape,
  phases: { settle(): Promise<void>; startCounting(): void },
): Promise<Measured> {
  if (shape.warmupSeconds > 0) await runLoad(service.url, shape.connections, shape.warmupSeconds);
  await phases.settle();
  phases.startCounting();
  const serviceCpuBefore = service.cpuSeconds();
  const benchCpuBefore = process.cpuUsage();
  const load = await runLoad(service.url, shape.connections, shape.durationSeconds);
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const serviceCpu = (service.cpuSeconds() - serviceCpuBefore) / load.duration;
  await phases.settle();
  return {
    load,
    messagesPerSecond: load['2xx'] / load.duration,
    serviceCpu,
    serviceCpuSeconds: service.cpuSeconds() - serviceCpuBefore,
    benchCpu: (benchCpu.user + benchCpu.system) / 1e6 / load.duration,
  };
}

/**
 * Resolves once `activity` stopped changing for `quietMs`; false when it never did within
 * `maxMs` (the connector still calling upstream long after the load stopped is worth a report).
 */
async function waitUntilQuiet(activity: () => number, quietMs: number, maxMs = 30_000): Promise<boolean> {
  const started = Date.now();
  let last = activity();
  let lastChange = Date.now();
  while (Date.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = activity();
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    } else if (Date.now() - lastChange >= quietMs) {
      return true;
    }
  }
  return false;
}

interface ConnectorRun extends Measured {
  /** Notifications handled during the run (one distinct order read each), leftovers included. */
  notificationsHandled: number;
  /** The service's CPU time per notification handled, µs (user + system, all threads). */
  cpuPerMessageUs: number;
  /** false when the connector was still calling upstream 30 s after a phase's load stopped. */
  settled: boolean;
  commercetools: { run: CommercetoolsCounts; lifetime: CommercetoolsCounts };
  segment: { run: SegmentCounts; lifetime: SegmentCounts };
  memory: { peakRssMb: number; highWaterMarkMb: number };
  logs: Service['logs'];
  exitCode: number | null;
}

/** Stand-ins, the connector (or the floor), a warm-up, the measured run, and everything stopped again. */
async function measureConnector(
  subject: Subject,
  shape: LoadShape,
  latencies: { commercetoolsMs: number; segmentMs: number },
): Promise<ConnectorRun> {
  const commercetools = await startCommercetoolsStandIn({
    projectKey: PROJECT_KEY,
    latencyMs: latencies.commercetoolsMs,
  });
  const segment = await startSegmentStandIn({ latencyMs: latencies.segmentMs });
  try {
    const connector = await START[subject](commercetools.url, segment.url, await freePort());
    const progress = shape.durationSeconds > 60 ? reportProgress(connector, segment) : undefined;
    let measured: Omit<ConnectorRun, 'exitCode'>;
    let exitCode: number | null;
    // Longer than any pause between two upstream calls of one notification.
    const quietMs = 300 + 2 * (latencies.commercetoolsMs + latencies.segmentMs);
    const upstreamActivity = () => total(commercetools.lifetimeCounts()) + segment.lifetimeCounts().requests;
    let settled = true;
    try {
      const load = await measure(connector, shape, {
        settle: async () => {
          settled = (await waitUntilQuiet(upstreamActivity, quietMs)) && settled;
        },
        startCounting: () => {
          commercetools.resetCounts();
          segment.resetCounts();
        },
      });
      const notificationsHandled = commercetools.distinctOrdersRead();
      measured = {
        ...load,
        notificationsHandled,
        cpuPerMessageUs: ratio(load.serviceCpuSeconds * 1e6, notificationsHandled),
        settled,
        commercetools: { run: commercetools.counts(), lifetime: commercetools.lifetimeCounts() },
        segment: { run: segment.counts(), lifetime: segment.lifetimeCounts() },
        memory: connector.memory(),
        logs: connector.logs,
      };
    } finally {
      if (progress) clearInterval(progress);
      exitCode = await connector.stop();
    }
    return { ...measured, exitCode };
  } finally {
    await Promise.all([commercetools.close(), segment.close()]);
  }
}

/** For soak-length runs: a line every 30 s, so memory growth is visible while it happens. */
function reportProgress(connector: Service, segment: { lifetimeCounts(): SegmentCounts }): NodeJS.Timeout {
  const started = Date.now();
  return setInterval(() => {
    const { peakRssMb } = connector.memory();
    const rss = readProcStatusMb(connector.pid, 'VmRSS') ?? 0;
    const elapsed = Math.round((Date.now() - started) / 1000);
    console.log(
      `  … ${elapsed} s: RSS ${rss.toFixed(1)} MB (peak ${peakRssMb.toFixed(1)} MB), Segment events so far ${segment.lifetimeCounts().events}`,
    );
  }, 30_000);
}

// ───────────────────────────── reporting ─────────────────────────────

interface Figure {
  scenario: string;
  name: string;
  value: number;
  text: string;
  target?: { compare: '<=' | '>=' | '='; limit: number; text: string };
}

function isMet(figure: Figure): boolean | undefined {
  const { target, value } = figure;
  if (!target) return undefined;
  if (target.compare === '<=') return value <= target.limit;
  if (target.compare === '>=') return value >= target.limit;
  return value === target.limit;
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const percent = (share: number) => `${fixed(share * 100, 0)} %`;
const ratio = (count: number, per: number) => (per > 0 ? count / per : Number.NaN);

function describeLoad(label: string, measured: Measured, cpuLabel: string): string[] {
  const { load } = measured;
  const lines = [
    `${label.padEnd(10)} ${fixed(measured.messagesPerSecond, 0).padStart(7)} messages/s   ` +
      `(2xx ${load['2xx']} in ${fixed(load.duration, 2)} s; latency p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, max ${load.latency.max} ms)`,
    `${''.padEnd(10)} CPU: ${cpuLabel} ${percent(measured.serviceCpu)} of a core, bench process (autocannon + stand-ins) ${percent(measured.benchCpu)}`,
  ];
  const failures = load.non2xx + load.errors + load.timeouts;
  if (failures > 0) {
    const byStatus = Object.entries(load.statusCodeStats ?? {})
      .filter(([status]) => !status.startsWith('2'))
      .map(([status, stats]) => `${status}×${stats.count ?? 0}`)
      .join(', ');
    lines.push(
      `${''.padEnd(10)} !! non-2xx ${load.non2xx}${byStatus ? ` (${byStatus})` : ''}, connection errors ${load.errors}, timeouts ${load.timeouts}`,
    );
  } else {
    lines.push(`${''.padEnd(10)} non-2xx 0, connection errors 0, timeouts 0`);
  }
  return lines;
}

/** Every request commercetools received. */
function total(counts: CommercetoolsCounts): number {
  return counts.token + counts.orderReads + counts.customerLookups + counts.other;
}

function describeUpstreams(run: ConnectorRun): string[] {
  const messages = run.notificationsHandled;
  const ct = run.commercetools.run;
  const ctTotal = total(ct);
  const sg = run.segment.run;
  const lines = [
    `messages:      ${messages} notifications handled in the run (answered 2xx before the run ended: ${run.load['2xx']}); ` +
      `per-message figures below divide by the former` +
      (run.settled ? '' : ' — !! the connector was still calling upstream 30 s after the load stopped'),
    `commercetools: ${fixed(ratio(ctTotal, messages), 3)} requests/message ` +
      `(order reads ${fixed(ratio(ct.orderReads, messages), 3)}, customer look-ups ${fixed(ratio(ct.customerLookups, messages), 3)}, ` +
      `token ${ct.token}, other ${ct.other}); token requests since start ${run.commercetools.lifetime.token}`,
    `               connections opened: ${ct.connections} in the run, ${run.commercetools.lifetime.connections} since start`,
    `Segment:       ${sg.requests} batch requests, ${fixed(ratio(sg.requests, messages), 3)} requests/message, ` +
      `${fixed(ratio(sg.events, sg.requests), 1)} events/request, ${fixed(ratio(sg.events, messages), 2)} events/message` +
      (sg.rejected > 0 ? `, !! ${sg.rejected} unreadable` : ''),
    `               connections opened: ${sg.connections} in the run, ${run.segment.lifetime.connections} since start`,
    `memory:        peak RSS ${fixed(run.memory.peakRssMb)} MB (sampled every ${RSS_SAMPLE_MS} ms; kernel high-water mark ${fixed(run.memory.highWaterMarkMb)} MB)`,
    `shutdown:      exit code ${run.exitCode ?? 'none (killed)'}${run.exitCode === 0 ? '' : ' !! did not drain in time'}`,
  ];
  if (run.logs.count > 0) {
    lines.push(
      `!! connector log lines (warn and above): ${run.logs.count}; first:`,
      ...run.logs.first.map((line) => `     ${line}`),
    );
  }
  return lines;
}

function printBlock(title: string, lines: string[]): void {
  console.log(`\n── ${title} ${'─'.repeat(Math.max(3, 96 - title.length))}`);
  for (const line of lines) console.log(`  ${line}`);
}

function printMachine(): void {
  const processors = cpus();
  const models = [...new Set(processors.map((cpu) => cpu.model))].join(' / ');
  console.log(
    `machine: ${processors.length} × ${models}; ${fixed(totalmem() / 1024 ** 3)} GB RAM; Node ${process.version} (${process.platform} ${process.arch})`,
  );
}

function printTable(figures: Figure[]): void {
  const rows = [
    ['scenario', 'figure', 'value', 'target', 'met?'],
    ...figures.map((figure) => {
      const met = isMet(figure);
      return [
        figure.scenario,
        figure.name,
        figure.text,
        figure.target?.text ?? '—',
        met === undefined ? '—' : met ? 'yes' : 'NO',
      ];
    }),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ');
  console.log(`\n${line(rows[0]!)}`);
  console.log(widths.map((width) => '-'.repeat(width)).join('-|-'));
  for (const row of rows.slice(1)) console.log(line(row));
}

// ───────────────────────────── scenarios ─────────────────────────────

function shapeText(shape: LoadShape): string {
  return `${shape.connections} connections, ${shape.durationSeconds} s (after ${shape.warmupSeconds} s warm-up)`;
}

/** The connector's figures beside the floor's, in one block. */
function describeBoth(connector: ConnectorRun, floor: ConnectorRun): string[] {
  const share = connector.cpuPerMessageUs / floor.cpuPerMessageUs;
  return [
    ...describeLoad('connector', connector, 'connector'),
    `${''.padEnd(10)} CPU per message: ${fixed(connector.cpuPerMessageUs, 0)} µs`,
    ...describeLoad('floor', floor, 'floor'),
    `${''.padEnd(10)} CPU per message: ${fixed(floor.cpuPerMessageUs, 0)} µs; peak RSS ${fixed(floor.memory.peakRssMb)} MB`,
    `ratio      the connector spends ${fixed(share, 1)}× the floor's CPU per message`,
    '',
    ...describeUpstreams(connector),
  ];
}

function cpuFigures(
  scenario: string,
  connector: ConnectorRun,
  floor: ConnectorRun,
  target?: Figure['target'],
): Figure[] {
  return [
    {
      scenario,
      name: 'CPU per message',
      value: connector.cpuPerMessageUs,
      text: `${fixed(connector.cpuPerMessageUs, 0)} µs`,
      ...(target ? { target } : {}),
    },
    {
      scenario,
      name: 'floor CPU per message',
      value: floor.cpuPerMessageUs,
      text: `${fixed(floor.cpuPerMessageUs, 0)} µs`,
    },
  ];
}

function memoryFigure(scenario: string, run: ConnectorRun): Figure {
  return {
    scenario,
    name: 'peak RSS',
    value: run.memory.peakRssMb,
    text: `${fixed(run.memory.peakRssMb)} MB`,
    target: { compare: '<=', limit: 150, text: '≤ 150 MB' },
  };
}

async function runFastScenario(shape: LoadShape): Promise<Figure[]> {
  const instant = { commercetoolsMs: 0, segmentMs: 0 };
  const connector = await measureConnector('connector', shape, instant);
  const floor = await measureConnector('floor', shape, instant);
  printBlock(`fast: stand-ins answer at once; ${shapeText(shape)}`, describeBoth(connector, floor));
  const scenario = 'fast';
  return [
    { scenario, name: 'messages/s', value: connector.messagesPerSecond, text: fixed(connector.messagesPerSecond, 0) },
    ...cpuFigures(scenario, connector, floor, { compare: '<=', limit: 500, text: '≤ 500 µs' }),
    {
      scenario,
      name: 'p99 latency',
      value: connector.load.latency.p99,
      text: `${connector.load.latency.p99} ms`,
      target: { compare: '<=', limit: 1_000, text: '≤ 1,000 ms' },
    },
    memoryFigure(scenario, connector),
    nonSuccessFigure(scenario, connector),
  ];
}

async function runLatencyScenario(settings: Settings['latency']): Promise<Figure[]> {
  const latencies = { commercetoolsMs: settings.commercetoolsLatencyMs, segmentMs: settings.segmentLatencyMs };
  const run = await measureConnector('connector', settings, latencies);
  // A soak is about the connector's memory over minutes; the floor's figures need only seconds.
  const floor = await measureConnector(
    'floor',
    { ...settings, durationSeconds: Math.min(settings.durationSeconds, 15) },
    latencies,
  );
  printBlock(
    `latency: commercetools ${settings.commercetoolsLatencyMs} ms, Segment ${settings.segmentLatencyMs} ms; ${shapeText(settings)}`,
    describeBoth(run, floor),
  );
  const messages = run.notificationsHandled;
  const ctPerMessage = ratio(total(run.commercetools.run), messages);
  const segmentPerMessage = ratio(run.segment.run.requests, messages);
  const scenario = 'latency';
  return [
    { scenario, name: 'messages/s', value: run.messagesPerSecond, text: fixed(run.messagesPerSecond, 0) },
    ...cpuFigures(scenario, run, floor),
    {
      scenario,
      name: 'p50 latency',
      value: run.load.latency.p50,
      text: `${run.load.latency.p50} ms (floor ${floor.load.latency.p50} ms)`,
      target: { compare: '<=', limit: 110, text: '≤ 110 ms' },
    },
    {
      scenario,
      name: 'p99 latency',
      value: run.load.latency.p99,
      text: `${run.load.latency.p99} ms (floor ${floor.load.latency.p99} ms)`,
      target: { compare: '<=', limit: 200, text: '≤ 200 ms' },
    },
    {
      scenario,
      name: 'Segment requests/message',
      value: segmentPerMessage,
      text: fixed(segmentPerMessage, 3),
      target: { compare: '<=', limit: 0.1, text: '≤ 0.1' },
    },
    {
      scenario,
      name: 'commercetools requests/message',
      value: ctPerMessage,
      text: fixed(ctPerMessage, 3),
      target: { compare: '<=', limit: 2, text: '≤ 2' },
    },
    // Since the connector started: the one token is fetched during the warm-up.
    {
      scenario,
      name: 'token requests',
      value: run.commercetools.lifetime.token,
      text: String(run.commercetools.lifetime.token),
      target: { compare: '=', limit: 1, text: '1' },
    },
    memoryFigure(scenario, run),
    nonSuccessFigure(scenario, run),
  ];
}

/** Any non-2xx answer is a notification the connector failed to deliver: it never passes quietly. */
function nonSuccessFigure(scenario: string, measured: Measured): Figure {
  const failed = measured.load.non2xx + measured.load.errors;
  return {
    scenario,
    name: 'non-2xx + connection errors',
    value: failed,
    text: String(failed),
    target: { compare: '=', limit: 0, text: '0' },
  };
}

// ───────────────────────────── main ─────────────────────────────

async function main(): Promise<void> {
  const settings = readSettings(process.argv.slice(2));
  printMachine();
  const collector = settings.telemetry ? await startCollector() : undefined;
  if (collector) {
    telemetrySettings = {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
      OTEL_TRACES_EXPORTER: 'otlp',
    };
  }
  const forwarded = { ...forwardedSettings(), ...telemetrySettings };
  if (Object.keys(forwarded).length > 0) {
    console.log(
      `connector settings: ${Object.entries(forwarded)
        .map(([key, value]) => `${key}=${value}`)
        .join(' ')}`,
    );
  }
  try {
    const figures: Figure[] = [];
    if (settings.only !== 'latency') figures.push(...(await runFastScenario(settings.fast)));
    if (settings.only !== 'fast') figures.push(...(await runLatencyScenario(settings.latency)));
    printTable(figures);
    if (collector) console.log(`\ntelemetry: the collector received ${collector.requests()} OTLP exports`);
  } finally {
    await collector?.close();
  }
}

process.once('SIGINT', () => {
  killLiveChildren();
  process.exit(130);
});

main().then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    console.error('bench failed:', error instanceof Error ? error.message : error);
    killLiveChildren();
    process.exitCode = 1;
  },
);
