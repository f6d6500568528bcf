/**
 * 5,000 Accounts through the proxy while F&O throttles (resource-based 429 + Retry-After, time
 * compressed 20×): every Account ends up as exactly one customer with its number written back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { account, startHarness, type Harness, type Row } from './sync-harness.js';

const N = 5000;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    d365: {
      timeScale: 0.05,
      latency: { readMs: 20, writeMs: 60, batchBaseMs: 20, batchPerOperationMs: 40, jitter: 0.25 },
      throttling: { mode: 'resource', concurrency: 8, utilisationThreshold: 0.75, retryAfterS: 10 },
    },
  });
  await h.start({ JOB_CONCURRENCY: '64', SYNC_WRITEBACK_FLUSH_MS: '20', JOB_POLL_MS: '50' });
}, 20_000);
afterAll(async () => h?.close());

describe('throttled bulk load', () => {
  it('5,000 new Accounts: all synced, no duplicates, numbers written back', async () => {
    const ids = Array.from({ length: N }, (_, i) => `001Hs${String(i).padStart(10, '0')}AAA`);
    const records = ids.map((id, i) => account(id, { Name: `Load ${String(i).padStart(5, '0')}` }));
    const stored = h.sf.control.putRecords(
      'Account',
      records.map(({ attributes: _a, ...r }) => r),
    );
    const sfIds = stored.map((r) => String(r.Id));
    const before = h.d365.control.counters();
    for (let i = 0; i < N; i += 200) {
      const res = await h.post('/v1/sync/accounts', {
        records: records.slice(i, i + 200).map((r, j) => ({ ...r, Id: sfIds[i + j] })),
      });
      expect(res.status).toBe(202);
    }
    // (Polled slowly: reading 5,000 records from the emulator is not free on a shared 2-core machine.)
    const until = Date.now() + 80_000; // generous: CI runs other suites beside this one
    while (h.sf.control.records('Account').filter((a) => a.D365_Sync_Status__c === 'Synced').length < N) {
      if (Date.now() > until) throw new Error('timed out waiting for every Account to be synced');
      await new Promise((r) => setTimeout(r, 500));
    }
    const after = h.d365.control.counters();
    const loaded = h.d365.control
      .rows('CustomersV3', { company: 'usmf' })
      .filter((c) => String(c.OrganizationName).startsWith('Load '));
    expect(loaded).toHaveLength(N);
    expect(new Set(loaded.map((c) => c.OrganizationName)).size).toBe(N);
    const numbers = h.sf.control.records('Account').map((a: Row) => a.D365_Customer_Number__c);
    expect(new Set(numbers).size).toBe(N);
    expect(after.throttled429 - before.throttled429).toBeGreaterThan(0); // F&O did throttle
  }, 90_000);
});
