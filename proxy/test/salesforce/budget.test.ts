import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SalesforceLimitError } from '../../src/salesforce/index.js';
import { startOrg } from './helpers.js';

describe('Salesforce client: API budget', () => {
  let org: Awaited<ReturnType<typeof startOrg>>;
  beforeAll(async () => {
    org = await startOrg({ dailyApiLimit: 100 });
  });
  beforeEach(() => {
    org.emu.control.resetCounters();
    org.emu.control.clearFaults();
  });
  afterAll(async () => org.close());

  it('tracks Sforce-Limit-Info and exposes it as prom-client gauges', async () => {
    const registry = new Registry();
    const client = org.client({ registry });
    expect(client.budget.snapshot()).toBeUndefined();
    await client.limits();
    await client.create('Account', { Name: 'Counted' });
    expect(client.budget.snapshot()).toMatchObject({ used: 2, max: 100, remaining: 98, remainingPct: 98 });
    const text = await registry.metrics();
    expect(text).toContain('fobridge_salesforce_api_used 2');
    expect(text).toContain('fobridge_salesforce_api_max 100');
    // A second client on the same registry shares the gauges instead of failing to register.
    expect(() => org.client({ registry })).not.toThrow();
  });

  it('waitForBackground pauses under the floor and resumes when the budget frees up', async () => {
    const client = org.client({ apiFloorPct: 10, budgetRecheckMs: 40 });
    await client.limits();
    await expect(client.budget.waitForBackground()).resolves.toBeUndefined();

    org.emu.control.setLimits({ apiUsed: 91 });
    await client.limits(); // 92/100 used → 8 % left, under the 10 % floor
    expect(client.budget.belowFloor()).toBe(true);
    let resumed = false;
    const waiting = client.budget.waitForBackground().then(() => (resumed = true));
    await new Promise((r) => setTimeout(r, 150));
    expect(resumed).toBe(false);
    // Interactive calls still go through while background work waits.
    expect((await client.create('Account', { Name: 'Interactive' })).id).toMatch(/^001/);

    org.emu.control.setLimits({ apiUsed: 10 }); // the rolling 24 h window moved on
    await waiting;
    expect(resumed).toBe(true);
    expect(client.budget.belowFloor()).toBe(false);

    const ac = new AbortController();
    org.emu.control.setLimits({ apiUsed: 95 });
    await client.limits();
    const aborted = client.budget.waitForBackground({ signal: ac.signal });
    ac.abort();
    await expect(aborted).rejects.toThrow();
    org.emu.control.setLimits({ apiUsed: 0 });
  });

  it('backs off on REQUEST_LIMIT_EXCEEDED instead of hammering', async () => {
    const client = org.client({ dailyLimitBackoffMs: 300, budgetRecheckMs: 20 });
    await client.limits();
    org.emu.control.setLimits({ apiUsed: 100 });
    const first = await client.create('Account', { Name: 'Refused' }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(SalesforceLimitError);
    expect(first).toMatchObject({
      status: 403,
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      limit: 'daily',
      transient: true,
      retryAfterMs: 300,
    });
    const before = org.emu.control.counters();
    // Further calls fail fast without reaching Salesforce.
    for (let i = 0; i < 5; i++) {
      const e = await client.limits().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SalesforceLimitError);
      expect((e as SalesforceLimitError).retryAfterMs).toBeLessThanOrEqual(300);
    }
    expect(org.emu.control.counters()).toEqual(before);
    org.emu.control.setLimits({ apiUsed: 0 });
    await client.budget.waitForBackground();
    expect((await client.create('Account', { Name: 'Later' })).id).toMatch(/^001/);
  });

  it('treats the concurrent long-running cap as a short back-off', async () => {
    const client = org.client({ concurrentLimitBackoffMs: 50 });
    await client.limits();
    org.emu.control.setLimits({ maxConcurrentLongRunning: 1, longRunningMs: 20 });
    org.emu.control.injectFault({ type: 'latency', ms: 200, path: '/sobjects' });
    const slow = client.describe('Account');
    await new Promise((r) => setTimeout(r, 80));
    const err = await client.limits().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'SalesforceLimitError', limit: 'concurrent', retryAfterMs: 50 });
    await slow;
    org.emu.control.setLimits({ maxConcurrentLongRunning: 25, longRunningMs: 20_000 });
    await new Promise((r) => setTimeout(r, 60));
    expect((await client.limits()).DailyApiRequests).toBeDefined();
  });
});
