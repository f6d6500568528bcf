/**
 * Flows benchmark: Accounts synced per minute through the whole proxy (HTTP intake → durable
 * queue → F&O customer create-once → batched Salesforce write-back) against a throttled F&O
 * emulator, compared with what the emulator can take, plus the API calls each synced Account
 * costs on both sides. Bounded (~1–2 minutes on 2 cores).
 *
 * Each emulator runs in a process of its own (emulator-process.ts): sharing the proxy's event
 * loop, the emulated F&O was slowed by the proxy's own CPU and served less than its nominal
 * capacity, which the ratio divides by. The proxy runs in this process, built from config as
 * `main.ts` builds it, on the defaults a user gets: no concurrency setting.
 *
 * F&O emulator: resource-based throttling, 8 web-server slots refusing at 6 in flight, 60 ms
 * writes, Retry-After 10 s, time × 0.75 ⇒ ~133 writes/s (the same model as the d365 suite's
 * throttledSync). Beside the proxy's figures: the same run's naive client (4 workers — the old
 * JOB_CONCURRENCY default — POSTing the customers straight to F&O with a fixed retry, bounded
 * to NAIVE_LIMIT_S) against the same emulator, and the emulator's capacity.
 *
 * Then the whole run again (`queueing.*`) against an F&O that queues QUEUE_DEPTH requests beyond
 * its threshold before it refuses, so its latency rises first (emulator `queueDepth`: an
 * assumption, F&O documents only the thresholds; see the d365 suite's queueingSync).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { buildApp } from '../../../proxy/src/app.js';
import { loadConfig } from '../../../proxy/src/config.js';
import { createMetrics } from '../../../proxy/src/metrics.js';
import { createRuntime } from '../../../proxy/src/runtime.js';
import { account, DEMO_BRIDGE, KEY } from '../../../proxy/test/flows/sync-harness.js';
import { spawnEmulatorProcess } from '../emulator-process.js';
// Requests the queueing F&O holds beyond its threshold before it refuses: the d365 suite's.
import { QUEUE_DEPTH } from './d365.js';
import { naiveCreates } from '../naive.js';

const N = Number(process.env.FLOWS_BENCH_N ?? 6000);
const TIME_SCALE = 0.75;
const NAIVE_LIMIT_S = 20;
const THROTTLING = { mode: 'resource', concurrency: 8, utilisationThreshold: 0.75, retryAfterS: 10 };
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

export default async function run(): Promise<Record<string, number>> {
  const metrics: Record<string, number> = { 'machine.loadAvg1m': round(loadavg()[0] ?? 0, 2) };
  Object.assign(metrics, await flowsAgainst(THROTTLING));
  // The same F&O, queueing QUEUE_DEPTH requests before it refuses (the d365 suite's queueingSync).
  for (const [k, v] of Object.entries(await flowsAgainst({ ...THROTTLING, queueDepth: QUEUE_DEPTH })))
    metrics[`queueing.${k}`] = v;
  return metrics;
}

async function flowsAgainst(
  throttling: typeof THROTTLING & { queueDepth?: number },
): Promise<Record<string, number>> {
  const metrics: Record<string, number> = {};
  const d365 = await spawnEmulatorProcess('d365', {
    httpsPort: false,
    timeScale: TIME_SCALE,
    latency: { readMs: 20, writeMs: 60, batchBaseMs: 20, batchPerOperationMs: 40, jitter: 0.25 },
    throttling,
  });
  const sf = await spawnEmulatorProcess('salesforce', { seed: 'empty', latencyMs: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'fobridge-bench-flows-'));
  const d = d365.info;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    INVOICE_SWEEP_CRON: 'off',
    SYNC_SWEEP_CRON: 'off',
    INBOUND_API_KEYS: KEY,
    STORE_URL: `sqlite:${join(dir, 'bridge.db')}`,
    D365_URL: d.url,
    D365_TENANT_ID: d.tenantId!,
    D365_CLIENT_ID: d.clientId!,
    D365_CLIENT_SECRET: d.clientSecret!,
    SF_LOGIN_URL: sf.info.loginUrl!,
    SF_CLIENT_ID: sf.info.consumerKey!,
    SF_USERNAME: sf.info.username!,
    SF_PRIVATE_KEY: sf.info.privateKeyPem!,
    BRIDGE_CONFIG: DEMO_BRIDGE,
    // The defaults a user gets: no concurrency setting (the F&O governor decides).
    SYNC_WRITEBACK_FLUSH_MS: process.env.FLOWS_BENCH_FLUSH_MS ?? '250',
    JOB_POLL_MS: '50',
  });
  const logger = pino({ level: process.env.FLOWS_LOG ?? 'silent' });
  const registry = createMetrics({ defaultMetrics: false });
  const runtime = await createRuntime(config, {
    logger,
    registry,
    d365Overrides: {
      authorityMetadataOverride: { tokenEndpoint: `${d.url}/${d.tenantId}/oauth2/v2.0/token` },
    },
  });
  const app = await buildApp({ config, logger, registry, parts: runtime.parts });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const capacity = await d365.control<number>('capacity', 'write');
    const readCapacity = await d365.control<number>('capacity', 'read');
    const records = Array.from({ length: N }, (_, i) =>
      account(`001Hs${String(i).padStart(10, '0')}AAA`, { Name: `Bench ${String(i).padStart(5, '0')}` }),
    );
    const stored = await sf.control<Array<{ Id: string }>>(
      'putRecords',
      'Account',
      records.map(({ attributes: _a, ...r }) => r),
    );
    const sent = records.map((r, i) => ({ ...r, Id: String(stored[i]!.Id) }));
    // Warm the token caches so the measurement is the steady state.
    await runtime.d365!.token.getToken();
    await runtime.salesforce!.identity();
    await d365.control('resetCounters');
    await sf.control('resetCounters');
    const cpuBefore = await d365.cpuMs();

    const t0 = performance.now();
    for (let i = 0; i < N; i += 200) {
      const res = await fetch(`${url}/v1/sync/accounts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ records: sent.slice(i, i + 200) }),
      });
      await res.arrayBuffer();
      if (res.status !== 202) throw new Error(`intake answered ${res.status}`);
    }
    const deadline = Date.now() + 150_000;
    let synced = 0;
    const limits: number[] = [];
    const inFlight: number[] = [];
    // Limit cuts seen while F&O had not paused us: latency-based (a 429 also pauses).
    let latencyCuts = 0;
    let firstPauseEnd = 0;
    let syncedAtPauseEnd = 0;
    while (Date.now() < deadline) {
      const g = runtime.d365!.governor.status();
      if (limits.length && g.limit < limits[limits.length - 1]! && !g.paused) latencyCuts += 1;
      limits.push(g.limit);
      inFlight.push(g.inFlight);
      synced = await sf.countRecords('Account', 'D365_Sync_Status__c', 'Synced');
      if (g.throttled > 0 && !firstPauseEnd) firstPauseEnd = g.pausedUntil;
      if (firstPauseEnd && !syncedAtPauseEnd && Date.now() >= firstPauseEnd) syncedAtPauseEnd = synced;
      if (synced >= N) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const end = performance.now();
    const wallS = (end - t0) / 1000;
    const dc = await d365.control<{
      requests: { total: number; byMethod: Record<string, number> };
      throttled429: number;
    }>('counters');
    const sc = await sf.control<{ apiUsed: number }>('counters');
    const emulatorCpuS = ((await d365.cpuMs()) - cpuBefore) / 1000;
    const rows = await d365.countRows('CustomersV3', 'usmf', 'OrganizationName', 'Bench ');
    const perS = synced / wallS;
    // What F&O can serve of this flow: each Account costs one create and (create-once) one
    // look-up by its correlation field first, and both hold one of the same web-server slots.
    // Accounts/s = 1 / (writes per Account / write capacity + reads per Account / read capacity).
    const per = (m: string) => (dc.requests.byMethod[m] ?? 0) / Math.max(1, synced);
    const flowCapacity = 1 / ((per('POST') + per('PATCH')) / capacity + per('GET') / readCapacity);
    metrics['accounts.synced'] = synced;
    metrics['accounts.perMinute'] = Math.round(perS * 60);
    metrics['accounts.capacityPerMinute'] = Math.round(flowCapacity * 60);
    metrics['accounts.capacityRatio'] = round(perS / flowCapacity);
    // The figure this suite printed before: against F&O's capacity for creates alone.
    metrics['accounts.writeCapacityPerMinute'] = Math.round(capacity * 60);
    metrics['accounts.writeCapacityRatio'] = round(perS / capacity);
    if (syncedAtPauseEnd) {
      // After the first 429's pause: the steady state once the limit is learned.
      const steadyS = (end - (firstPauseEnd - performance.timeOrigin)) / 1000;
      metrics['accounts.steadyCapacityRatio'] = round((synced - syncedAtPauseEnd) / steadyS / flowCapacity);
    }
    metrics['accounts.duplicates'] = rows.rows - rows.unique;
    metrics['accounts.lost'] = N - rows.unique;
    metrics['accounts.d365CallsPerAccount'] = round(dc.requests.total / Math.max(1, synced));
    metrics['accounts.d365Throttled429'] = dc.throttled429;
    metrics['accounts.sfCallsPerAccount'] = round(sc.apiUsed / Math.max(1, synced));
    metrics['accounts.wallSeconds'] = round(wallS, 1);
    metrics['d365Emulator.cpuShare'] = round(emulatorCpuS / wallS, 2);
    metrics['governor.meanLimit'] = round(limits.reduce((a, b) => a + b, 0) / Math.max(1, limits.length), 1);
    metrics['governor.latencyCuts'] = latencyCuts;
    metrics['governor.meanInFlight'] = round(
      inFlight.reduce((a, b) => a + b, 0) / Math.max(1, inFlight.length),
      1,
    );

    // The naive client, same emulator, fresh throttling state.
    await d365.control('setThrottling', throttling);
    const naive = await naiveCreates({
      url: d.url,
      token: await runtime.d365!.token.getToken(),
      names: Array.from({ length: N }, (_, i) => `Naive ${String(i).padStart(5, '0')}`),
      workers: 4,
      timeScale: TIME_SCALE,
      limitS: NAIVE_LIMIT_S,
    });
    metrics['naive.accountsPerMinute'] = Math.round((naive.completed / naive.seconds) * 60);
    // The naive client only creates (no look-up), so its ratio is against the write capacity.
    metrics['naive.capacityRatio'] = round(naive.completed / naive.seconds / capacity);
    metrics['naive.share429'] = round(naive.share429, 4);
  } finally {
    await app.close();
    await Promise.all([d365.close(), sf.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
  return metrics;
}
