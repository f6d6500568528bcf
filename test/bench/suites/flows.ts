/**
 * Flows benchmark: Accounts synced per minute through the whole proxy (HTTP intake → durable
 * queue → F&O customer create-once → batched Salesforce write-back) against a throttled F&O
 * emulator, compared with what the emulator can take, plus the API calls each synced Account
 * costs on both sides. Bounded (~1–2 minutes on 2 cores).
 *
 * F&O emulator: resource-based throttling, 8 web-server slots refusing at 6 in flight, 60 ms
 * writes, Retry-After 10 s, time × 0.75 ⇒ ~133 writes/s (the same model as the d365 suite's
 * throttledSync, whose client alone reaches ~0.9 of it). Beside the proxy's figures: the same
 * run's naive client (4 workers — the old JOB_CONCURRENCY default — POSTing the customers
 * straight to F&O with a fixed retry, bounded to NAIVE_LIMIT_S) against the same emulator.
 * The proxy runs on the defaults a user gets: no concurrency setting.
 */
import { account, startHarness } from '../../../proxy/test/flows/sync-harness.js';
import { naiveCreates } from '../naive.js';

const N = Number(process.env.FLOWS_BENCH_N ?? 6000);
const TIME_SCALE = 0.75;
const NAIVE_LIMIT_S = 20;
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

export default async function run(): Promise<Record<string, number>> {
  const h = await startHarness({
    d365: {
      timeScale: TIME_SCALE,
      latency: { readMs: 20, writeMs: 60, batchBaseMs: 20, batchPerOperationMs: 40, jitter: 0.25 },
      throttling: { mode: 'resource', concurrency: 8, utilisationThreshold: 0.75, retryAfterS: 10 },
    },
  });
  const metrics: Record<string, number> = {};
  try {
    // The defaults a user gets: no concurrency setting (the F&O governor decides).
    await h.start({
      SYNC_WRITEBACK_FLUSH_MS: process.env.FLOWS_BENCH_FLUSH_MS ?? '250',
      JOB_POLL_MS: '50',
    });
    const capacity = h.d365.control.capacity('write');
    const records = Array.from({ length: N }, (_, i) =>
      account(`001Hs${String(i).padStart(10, '0')}AAA`, { Name: `Bench ${String(i).padStart(5, '0')}` }),
    );
    const stored = h.sf.control.putRecords(
      'Account',
      records.map(({ attributes: _a, ...r }) => r),
    );
    const sent = records.map((r, i) => ({ ...r, Id: String(stored[i]!.Id) }));
    // Warm the token caches so the measurement is the steady state.
    await h.proxy.runtime.d365!.token.getToken();
    await h.proxy.runtime.salesforce!.identity();
    h.d365.control.resetCounters();
    h.sf.control.resetCounters();

    const t0 = performance.now();
    for (let i = 0; i < N; i += 200) {
      const res = await h.post('/v1/sync/accounts', { records: sent.slice(i, i + 200) });
      if (res.status !== 202) throw new Error(`intake answered ${res.status}`);
    }
    const deadline = Date.now() + 150_000;
    let synced = 0;
    const limits: number[] = [];
    const inFlight: number[] = [];
    while (Date.now() < deadline) {
      const g = h.proxy.runtime.d365!.governor.status();
      limits.push(g.limit);
      inFlight.push(g.inFlight);
      synced = h.sf.control.records('Account').filter((a) => a.D365_Sync_Status__c === 'Synced').length;
      if (synced >= N) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const wallS = (performance.now() - t0) / 1000;
    const d = h.d365.control.counters();
    const s = h.sf.control.counters();
    const rows = h.d365.control
      .rows('CustomersV3', { company: 'usmf' })
      .filter((c) => String(c.OrganizationName).startsWith('Bench '));
    const unique = new Set(rows.map((c) => c.OrganizationName));
    const perS = synced / wallS;
    metrics['accounts.synced'] = synced;
    metrics['accounts.perMinute'] = Math.round(perS * 60);
    metrics['accounts.capacityPerMinute'] = Math.round(capacity * 60);
    metrics['accounts.capacityRatio'] = round(perS / capacity);
    metrics['accounts.duplicates'] = rows.length - unique.size;
    metrics['accounts.lost'] = N - unique.size;
    metrics['accounts.d365CallsPerAccount'] = round(d.requests.total / Math.max(1, synced));
    metrics['accounts.d365Throttled429PerAccount'] = round(d.throttled429 / Math.max(1, synced));
    metrics['accounts.sfCallsPerAccount'] = round(s.apiUsed / Math.max(1, synced));
    metrics['accounts.wallSeconds'] = round(wallS, 1);
    metrics['governor.meanLimit'] = round(limits.reduce((a, b) => a + b, 0) / Math.max(1, limits.length), 1);
    metrics['governor.meanInFlight'] = round(
      inFlight.reduce((a, b) => a + b, 0) / Math.max(1, inFlight.length),
      1,
    );

    // The naive client, same emulator, fresh throttling state.
    h.d365.control.setThrottling(h.d365.control.info().throttling);
    const naive = await naiveCreates({
      url: h.d365.url,
      token: await h.proxy.runtime.d365!.token.getToken(),
      names: Array.from({ length: N }, (_, i) => `Naive ${String(i).padStart(5, '0')}`),
      workers: 4,
      timeScale: TIME_SCALE,
      limitS: NAIVE_LIMIT_S,
    });
    metrics['naive.accountsPerMinute'] = Math.round((naive.completed / naive.seconds) * 60);
    metrics['naive.capacityRatio'] = round(naive.completed / naive.seconds / capacity);
    metrics['naive.share429'] = round(naive.share429, 4);
  } finally {
    await h.close();
  }
  return metrics;
}
