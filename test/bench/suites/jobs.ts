/**
 * Durable queue throughput and footprint, SQLite and PostgreSQL (PostgreSQL skipped, and its
 * metrics absent, when DATABASE_URL is unset).
 *
 *   <db>.enqueuePerSec     records/s through queue.enqueueMany in batches of 200 (what the HTTP
 *                          sync routes do: one durable commit per request)
 *   <db>.enqueueSinglePerSec, <db>.enqueueP99Ms   one record per call (one durable commit each)
 *   <db>.completePerSec    jobs/s claimed, run (no-op handler) and completed, default concurrency (64)
 *   sqlite.bytesPer100k    live bytes the store holds per 100,000 completed jobs (distinct keys)
 *                          after retention deleted them: the per-key "last completed version"
 *                          rows that stay; measured on 20,000 and scaled ×5
 *   sqlite.bytesPer100kRetained   the same before retention (jobs still kept, JOB_RETENTION_H)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { loadConfig } from '../../../proxy/src/config.js';
import { createJobQueue } from '../../../proxy/src/jobs/queue.js';
import { jobQueueSettings } from '../../../proxy/src/jobs/setup.js';
import { openStore } from '../../../proxy/src/jobs/store.js';
import type { EnqueueInput, Store } from '../../../proxy/src/jobs/types.js';

const payload = {
  Name: 'Contoso Ltd',
  BillingCity: 'Seattle',
  AccountNumber: 'CUST-000123',
  Phone: '+1 555 0100',
};

function inputs(prefix: string, n: number): EnqueueInput[] {
  return Array.from({ length: n }, (_, i) => ({
    flow: 'account',
    key: `${prefix}${String(i).padStart(7, '0')}`,
    version: '2025-01-01T00:00:00.000Z',
    payload,
  }));
}

function p99(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]!;
}

async function measure(
  store: Store,
  prefix: string,
  n: number,
  singles: number,
): Promise<Record<string, number>> {
  const queue = createJobQueue({ ...jobQueueSettings(loadConfig({ NODE_ENV: 'test' })), store, pollMs: 5 }); // default JOB_CONCURRENCY (64)
  let done = 0;
  queue.registerHandler('account', async () => {
    done++;
  });
  const batch = inputs(`${prefix}b`, n);
  let t = performance.now();
  for (let i = 0; i < batch.length; i += 200) await queue.enqueueMany(batch.slice(i, i + 200));
  const enqueuePerSec = n / ((performance.now() - t) / 1000);

  const lat: number[] = [];
  t = performance.now();
  for (const input of inputs(`${prefix}s`, singles)) {
    const s = performance.now();
    await queue.enqueue(input);
    lat.push(performance.now() - s);
  }
  const enqueueSinglePerSec = singles / ((performance.now() - t) / 1000);

  const total = n + singles;
  t = performance.now();
  queue.start();
  while (done < total) await new Promise((r) => setTimeout(r, 5));
  const completePerSec = total / ((performance.now() - t) / 1000);
  await queue.stop();
  return { enqueuePerSec, enqueueSinglePerSec, enqueueP99Ms: p99(lat), completePerSec };
}

function liveBytes(path: string): number {
  const db = new Database(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  db.close();
  return (pages - free) * pageSize;
}

export default async function run(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const dir = mkdtempSync(join(tmpdir(), 'fobridge-bench-jobs-'));
  try {
    // ── SQLite ──
    const path = join(dir, 'bench.db');
    const sqlite = await openStore(`sqlite:${path}`);
    const empty = liveBytes(path);
    const m = await measure(sqlite, 'k', 20_000, 300);
    for (const [k, v] of Object.entries(m)) out[`sqlite.${k}`] = Math.round(v * 100) / 100;
    const completed = 20_300;
    out['sqlite.bytesPer100kRetained'] = Math.round(((liveBytes(path) - empty) / completed) * 100_000);
    await sqlite.purge({ now: Date.now() + 1000, retentionMs: 0 });
    out['sqlite.bytesPer100k'] = Math.round(((liveBytes(path) - empty) / completed) * 100_000);
    await sqlite.close();

    // ── PostgreSQL ──
    const url = process.env.DATABASE_URL;
    if (url) {
      const schema = `jobs_bench_${randomBytes(4).toString('hex')}`;
      const u = new URL(url);
      u.searchParams.set('schema', schema);
      const store = await openStore(u.toString());
      try {
        const pm = await measure(store, 'k', 5_000, 200);
        for (const [k, v] of Object.entries(pm)) out[`postgres.${k}`] = Math.round(v * 100) / 100;
      } finally {
        await store.close();
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      }
    } else {
      console.warn('DATABASE_URL is not set: PostgreSQL metrics skipped');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
