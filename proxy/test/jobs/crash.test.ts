/**
 * Crash safety: a worker process is killed with SIGKILL at random moments while it drains 2,000
 * jobs (with newer versions of some keys arriving meanwhile), then restarted. At the end every
 * key was written exactly once in effect — one record per key, holding its newest version — and
 * no job was lost or left behind. SQLite and PostgreSQL.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/jobs/store.js';
import type { EnqueueInput, Store } from '../../src/jobs/types.js';
import { dropSchema, pgUrl, tempDir, uniqueSchema } from './helpers.js';
import { startRecordServer, type RecordServer } from './record-server.js';
import { killHard, spawnWorker } from './workers.js';

const KEYS = 1500;
const NEWER = 500; // keys 0..499 get a v2 → 2,000 jobs in all

const version = (n: number) => String(n).padStart(4, '0');
const input = (k: number, v: number): EnqueueInput => ({
  flow: 'record',
  key: `K${k}`,
  version: version(v),
  payload: { value: `K${k}@${v}` },
});

async function enqueueInBatches(store: Store, inputs: EnqueueInput[]) {
  for (let i = 0; i < inputs.length; i += 200) await store.enqueueMany(inputs.slice(i, i + 200), Date.now());
}

async function pending(store: Store): Promise<number> {
  const s = await store.stats();
  return s.counts
    .filter((c) => c.flow === 'record' && (c.state === 'queued' || c.state === 'running'))
    .reduce((n, c) => n + c.count, 0);
}

async function crashScenario(storeUrl: string) {
  const server: RecordServer = await startRecordServer();
  const store = await openStore(storeUrl);
  const env = { STORE_URL: storeUrl, TARGET_URL: server.url, LEASE_MS: '1000', CONCURRENCY: '8' };
  let child: ChildProcess | null = null;
  try {
    // v1 of every key, and v2 of the first 100 keys straight away (supersedes the queued v1)
    await enqueueInBatches(store, [
      ...Array.from({ length: KEYS }, (_, k) => input(k, 1)),
      ...Array.from({ length: 100 }, (_, k) => input(k, 2)),
    ]);
    const later = Array.from({ length: NEWER - 100 }, (_, i) => input(100 + i, 2));
    // Each round: the next worker starts (as in a rolling restart, so its ~1-2 s start-up is not
    // dead time), newer versions arrive, and at a random moment the running worker is SIGKILLed.
    let kills = 0;
    child = await spawnWorker(env);
    for (let round = 0; round < 4; round++) {
      const next = spawnWorker(env);
      await enqueueInBatches(store, later.splice(0, 80));
      await new Promise((r) => setTimeout(r, 200 + Math.floor(Math.random() * 800)));
      await killHard(child);
      kills++;
      child = await next;
    }
    expect(kills).toBe(4);
    await enqueueInBatches(store, later.splice(0));
    const deadline = Date.now() + 30_000;
    while ((await pending(store)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await pending(store)).toBe(0);

    // exactly once in effect: one record per key, the newest version, no duplicate create
    expect(server.records.size).toBe(KEYS);
    expect(server.duplicateCreates).toBe(0);
    expect(server.overlaps).toEqual([]);
    for (let k = 0; k < KEYS; k++) {
      expect(server.records.get(`K${k}`)?.version, `K${k}`).toBe(version(k < NEWER ? 2 : 1));
    }
    const stats = await store.stats();
    const states = Object.fromEntries(
      stats.counts.filter((c) => c.flow === 'record').map((c) => [c.state, c.count]),
    );
    expect(states.dead ?? 0).toBe(0);
    // every enqueued job ended done or superseded; the newest version of each key is done
    expect((states.done ?? 0) + (states.superseded ?? 0)).toBe(KEYS + NEWER);
    expect(states.done).toBeGreaterThanOrEqual(KEYS);
  } finally {
    if (child) await killHard(child);
    await store.close();
    await server.close();
  }
}

describe('crash safety (kill -9 while draining)', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('sqlite: nothing lost, nothing written twice', { timeout: 60_000 }, async () => {
    await crashScenario(`sqlite:${join(tmp.dir, 'crash.db')}`);
  });

  const schema = uniqueSchema('jobs_crash');
  afterAll(() => dropSchema(schema));
  it('postgres: nothing lost, nothing written twice', { timeout: 60_000 }, async () => {
    await crashScenario(pgUrl(schema));
  });
});
