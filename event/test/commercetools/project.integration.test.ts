import { createCommercetoolsApi } from '../../src/commercetools/client';
import { createProjectSettings } from '../../src/commercetools/project';
import { startCommercetoolsStandIn, type CommercetoolsStandIn } from '../../src/dev/commercetools-stand-in';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';

const PROJECT_KEY = 'settings-project';
let standIn: CommercetoolsStandIn;
let proxy: FaultProxy;

beforeAll(async () => {
  standIn = await startCommercetoolsStandIn({ projectKey: PROJECT_KEY });
  proxy = await startFaultProxy(standIn.url);
});
afterAll(async () => {
  await proxy.close();
  await standIn.close();
});

function settingsWith(clock: { now: number }) {
  const api = createCommercetoolsApi(
    { projectKey: PROJECT_KEY, clientId: 'c', clientSecret: 's', apiUrl: proxy.url, authUrl: proxy.url },
    { limits: { timeoutMs: 1_000, maxRetries: 0, retryDelayMs: 10 } },
  );
  return createProjectSettings(api, { refreshMs: 60_000, retryMs: 5_000, now: () => clock.now });
}

const projectReads = () => proxy.count(new RegExp(`^/${PROJECT_KEY}(\\?|$)`));

describe('project settings', () => {
  it('reads the messages setting once, answers from it within the interval, and refreshes it in the background after', async () => {
    await standIn.setMessages({ enabled: false });
    const clock = { now: 1_000_000 };
    const settings = settingsWith(clock);
    const before = projectReads();
    expect(await settings.messages()).toEqual({ enabled: false, deleteDaysAfterCreation: 15 });
    await standIn.setMessages({ enabled: true, deleteDaysAfterCreation: 3 });
    clock.now += 59_000;
    expect(await settings.messages()).toEqual({ enabled: false, deleteDaysAfterCreation: 15 });
    expect(projectReads() - before).toBe(1);

    clock.now += 2_000;
    // Stale: answered at once from what it had, while a read starts.
    expect(await settings.messages()).toEqual({ enabled: false, deleteDaysAfterCreation: 15 });
    // The read in flight is the one refresh() waits for: no second request.
    expect(await settings.refresh()).toEqual({ enabled: true, deleteDaysAfterCreation: 3 });
    expect(projectReads() - before).toBe(2);
    expect(await settings.messages()).toEqual({ enabled: true, deleteDaysAfterCreation: 3 });
  });

  it('keeps the last setting when a refresh fails, and fails upstream-unavailable only when none was ever read', async () => {
    await standIn.setMessages({ enabled: true });
    const clock = { now: 1_000_000 };
    const never = settingsWith(clock);
    proxy.inject({ kind: 'status', status: 503 }, { path: new RegExp(`^/${PROJECT_KEY}$`) });
    try {
      await expect(never.messages()).rejects.toMatchObject({ kind: 'upstream-unavailable' });
    } finally {
      proxy.clear();
    }

    const known = settingsWith(clock);
    expect((await known.messages()).enabled).toBe(true);
    clock.now += 61_000;
    proxy.inject({ kind: 'status', status: 503 }, { path: new RegExp(`^/${PROJECT_KEY}$`) });
    try {
      await expect(known.refresh()).rejects.toMatchObject({ kind: 'upstream-unavailable' });
      expect((await known.messages()).enabled).toBe(true);
    } finally {
      proxy.clear();
    }
  });
});
