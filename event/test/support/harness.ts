import type { CommercetoolsMock } from '@labdigital/commercetools-mock';
import type { Express } from 'express';
import {
  admissionLimitsOf,
  createAdmissionGate,
  type AdmissionGate,
  type AdmissionLimits,
} from '../../src/inbound/admission';
import { createApp, type AppDependencies } from '../../src/inbound/app';
import { createByteBudget, defaultByteBudget, type ByteBudget } from '../../src/inbound/budget';
import type { PipelineDependencies } from '../../src/pipeline';
import type { CommercetoolsClientLimits } from '../../src/commercetools/client';
import { loadConfig } from '../../src/config';
import { createConnectorDependencies } from '../../src/dependencies';
import { createLogger } from '../../src/logger';
import { DEFAULT_SEGMENT_LIMITS, type SegmentSink, type SegmentSinkLimits } from '../../src/segment/sink';
import type { Decoder } from '../../src/transport/notification';
import { startSegmentCapture, type CapturedEvent, type SegmentCapture } from '../../src/dev/segment-capture';
import { startCommercetoolsStandIn, type CommercetoolsStandIn } from '../../src/dev/commercetools-stand-in';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import type { ProjectSettingsOptions } from '../../src/commercetools/project';
import { connectorEnvironment, PROJECT_KEY, STAND_IN_NOW } from './environment';

export interface Harness {
  app: Express;
  /** The commercetools stand-in: the mock, with the Messages API. */
  commercetools: CommercetoolsStandIn;
  ctMock: CommercetoolsMock;
  ctUrl: string;
  segment: SegmentCapture;
  /** Stand-in for Segment's Public API (deletion regulations). */
  publicApi: SegmentCapture;
  /** The proxy between the app and the commercetools stand-in, when started `proxied`. */
  proxy?: FaultProxy;
  sink: SegmentSink;
  /** What the app's pipeline is built from (replay and the demo process deliveries with it too). */
  pipeline: PipelineDependencies;
  /** The app's settings as environment variables: a command-line tool given them reaches the same stand-ins. */
  environment: Record<string, string>;
  /** The app's admission gate: who holds a turn, who waits. */
  gate: AdmissionGate;
  /** The app's byte budget: what requests in progress hold. */
  budget: ByteBudget;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  /** The raw log text, for greps. */
  logText(): string;
  /** Store a resource in the commercetools stand-in exactly as given. */
  seed(typeId: string, resource: object): Promise<void>;
  /**
   * commercetools creates this message (a notification in the Platform format): kept by the
   * Messages API when the project's messages are enabled. Returns the notification, to deliver.
   */
  publish<T extends object>(notification: T): Promise<T>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Point the app at this commercetools URL instead of the stand-in (e.g. a closed port). */
  commercetoolsUrl?: string;
  /**
   * Put a fault proxy between the app and the commercetools stand-in (`proxy`), to count the
   * requests that reach commercetools or to make them fail.
   */
  proxied?: boolean;
  segmentLimits?: Partial<SegmentSinkLimits>;
  commercetoolsLimits?: Partial<CommercetoolsClientLimits>;
  deadlineMs?: number;
  /** Connector settings as environment variables (EVENT_*, ANONYMOUS_ID_FALLBACK, LOCALE…). */
  env?: Record<string, string>;
  /** Checks each request's headers before its body is read (e.g. the Pub/Sub push token). */
  authenticate?: AppDependencies['authenticate'];
  /**
   * Every request counts as authenticated, as if it carried a verified push token (the verifier
   * itself is tested in pubsub-auth.integration.test.ts): resources carried by messages are used as
   * they are.
   */
  trusted?: boolean;
  /** The app's decoder (e.g. one whose SNS verifier fetches from a stand-in); every transport by default. */
  decode?: Decoder;
  /**
   * The project keeps messages (its Messages API answers), as set in its settings before the
   * connector starts. Off by default, as in the mock and in new projects.
   */
  messages?: boolean;
  /** How the connector reads the project's settings (refresh interval, clock). */
  projectSettings?: ProjectSettingsOptions;
  /**
   * Read the project's settings before the first notification, as the server does at start (and
   * so fetch the access token then). True by default, unless the app is pointed elsewhere or `proxied`.
   */
  readProjectAtStart?: boolean;
  /** The stand-in's clock, for message retention; a fixed day close to the fixtures' dates by default. */
  now?: () => number;
  /** Turns at once and waiting line; production's by default. */
  admission?: AdmissionLimits;
  /** Body size, deadline and waiting share; production's by default. */
  body?: AppDependencies['body'];
  /** Bytes all requests may hold together; production's share of this process's heap by default. */
  budgetBytes?: number;
}

/**
 * The app as it runs in production, wired with its real adapters to local stand-ins: the
 * commercetools mock served over HTTP and a capturing Segment server, both on loopback.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const commercetools = await startCommercetoolsStandIn({
    projectKey: PROJECT_KEY,
    now: options.now ?? (() => STAND_IN_NOW),
  });
  if (options.messages) await commercetools.setMessages({ enabled: true });
  const ctMock = commercetools.mock;
  const ctUrl = commercetools.url;
  const segment = await startSegmentCapture();
  const publicApi = await startSegmentCapture();
  const proxy = options.proxied ? await startFaultProxy() : undefined;
  if (proxy) proxy.target = ctUrl;
  const apiUrl = options.commercetoolsUrl ?? proxy?.url ?? ctUrl;
  // The connector's own settings go through the real configuration parser, pointed at the stand-ins.
  const environment = connectorEnvironment({
    CTP_API_URL: apiUrl,
    CTP_AUTH_URL: apiUrl,
    SEGMENT_HOST: segment.url,
    SEGMENT_PUBLIC_API_HOST: publicApi.url,
    ...options.env,
  });
  const config = loadConfig(environment);

  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  // Wired as production wires it, with bounds short enough for tests.
  const { api: _api, ...dependencies } = createConnectorDependencies(config, {
    commercetoolsLimits: { timeoutMs: 1_000, maxRetries: 1, retryDelayMs: 50, ...options.commercetoolsLimits },
    segmentLimits: {
      ...DEFAULT_SEGMENT_LIMITS,
      httpRequestTimeoutMs: 1_000,
      maxRetries: 1,
      maxTotalBackoffSeconds: 2,
      maxRateLimitSeconds: 1,
      ...options.segmentLimits,
    },
    regulationsTimeoutMs: 1_000,
    ...(options.projectSettings ? { projectSettings: options.projectSettings } : {}),
  });
  const sink = dependencies.segment;
  // As the server does at start: no notification pays for the project's settings. A test that
  // points the connector elsewhere (a proxy, a closed port) warms them itself when it wants to.
  if (options.readProjectAtStart ?? apiUrl === ctUrl) await dependencies.project.messages();
  const pipeline: PipelineDependencies = {
    ...dependencies,
    logger,
    deadlineMs: options.deadlineMs ?? 5_000,
    ...(options.decode ? { decode: options.decode } : {}),
  };
  const authenticate = options.authenticate ?? (options.trusted ? async () => undefined : undefined);
  const gate = createAdmissionGate(options.admission ?? admissionLimitsOf(config.maxConcurrentNotifications));
  const budget = createByteBudget(options.budgetBytes ?? defaultByteBudget());
  const app = createApp({
    ...pipeline,
    gate,
    budget,
    ...(options.body ? { body: options.body } : {}),
    ...(authenticate ? { authenticate } : {}),
  });

  return {
    app,
    commercetools,
    ctMock,
    ctUrl,
    segment,
    publicApi,
    ...(proxy ? { proxy } : {}),
    sink,
    pipeline,
    environment,
    gate,
    budget,
    get logs() {
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    logText: () => lines.join(''),
    seed: (typeId, resource) => commercetools.add(typeId, resource),
    async publish(notification) {
      await commercetools.publish(notification);
      return notification;
    },
    async close() {
      await sink.close(1_000).catch(() => undefined);
      await dependencies.metrics.shutdown().catch(() => undefined);
      await dependencies.tracing.shutdown().catch(() => undefined);
      await segment.close();
      await publicApi.close();
      await proxy?.close();
      await commercetools.close();
    },
  };
}

/**
 * A harness for the tests of the describe block (or file) that calls this: started before them,
 * with `prepare` seeding what they need, closed after them, and both Segment captures emptied
 * before each. Its fields can be used in tests once it started.
 */
export function useHarness(options: HarnessOptions = {}, prepare?: (harness: Harness) => Promise<unknown>): Harness {
  let current: Harness | undefined;
  beforeAll(async () => {
    current = await startHarness(options);
    await prepare?.(current);
  });
  afterAll(() => current?.close());
  beforeEach(() => {
    current?.segment.reset();
    current?.publicApi.reset();
  });
  return new Proxy({} as Harness, {
    get(_target, key) {
      if (!current) throw new Error('the harness is used before it started (in beforeAll)');
      return Reflect.get(current, key, current);
    },
  });
}

/** Runs `test` with a harness of its own, closed afterwards whatever happens. */
export async function withHarness<T>(options: HarnessOptions, test: (harness: Harness) => Promise<T>): Promise<T> {
  const harness = await startHarness(options);
  try {
    return await test(harness);
  } finally {
    await harness.close();
  }
}

/** The one event Segment accepted since the last reset; fails the test when there are none or several. */
export function onlyEvent(harness: Pick<Harness, 'segment'>): CapturedEvent {
  const events = harness.segment.events();
  expect(events).toHaveLength(1);
  return events[0] as CapturedEvent;
}

/** Stores the orders, and the discount codes they carry expanded, as commercetools holds both. */
export async function seedOrders(harness: Pick<Harness, 'seed'>, ...orders: object[]): Promise<void> {
  for (const order of orders) {
    await harness.seed('order', order);
    const { discountCodes = [] } = order as { discountCodes?: { discountCode: { obj?: object } }[] };
    for (const { discountCode } of discountCodes)
      if (discountCode.obj) await harness.seed('discount-code', discountCode.obj);
  }
}
