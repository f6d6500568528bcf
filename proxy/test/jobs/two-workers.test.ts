/**
 * Two worker processes on one PostgreSQL database drain one queue together: every job runs
 * exactly once (no crash here, so no re-runs), never two at once for one key, and a schedule
 * that both run fires once per slot.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/jobs/store.js';
import { killHard, spawnWorker } from './workers.js';
import { dropSchema, pgUrl, uniqueSchema } from './helpers.js';
import { startRecordServer } from './record-server.js';

const schema = uniqueSchema('jobs_two');

describe('two workers on one PostgreSQL', () => {
  afterAll(() => dropSchema(schema));

  it(
    'share the queue without running a job twice, and fire a schedule once per slot',
    { timeout: 45_000 },
    async () => {
      const server = await startRecordServer();
      server.delayMs = 2;
      const url = pgUrl(schema);
      const store = await openStore(url);
      const env = {
        STORE_URL: url,
        TARGET_URL: server.url,
        LEASE_MS: '10000',
        CONCURRENCY: '6',
        SCHEDULE_CRON: '* * * * * *',
      };
      const workers = await Promise.all([
        spawnWorker({ ...env, WORKER_ID: 'w1' }),
        spawnWorker({ ...env, WORKER_ID: 'w2' }),
      ]);
      try {
        const inputs = Array.from({ length: 600 }, (_, i) => ({
          flow: 'record',
          key: `K${i % 300}`,
          version: String(Math.floor(i / 300) + 1).padStart(4, '0'),
          payload: {},
        }));
        // in slices, so v2 of a key often arrives while v1 runs on the other worker
        for (let i = 0; i < inputs.length; i += 50) {
          await store.enqueueMany(inputs.slice(i, i + 50), Date.now());
          await new Promise((r) => setTimeout(r, 30));
        }
        const deadline = Date.now() + 30_000;
        const pending = async () =>
          (await store.stats()).counts
            .filter((c) => c.flow === 'record' && (c.state === 'queued' || c.state === 'running'))
            .reduce((n, c) => n + c.count, 0);
        while ((await pending()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(await pending()).toBe(0);
        // let the per-second schedule run a few more slots on both workers
        await new Promise((r) => setTimeout(r, 2500));

        expect(server.overlaps).toEqual([]);
        expect([...server.begins.values()].every((n) => n === 1)).toBe(true);
        expect(server.duplicateCreates).toBe(0);
        expect(server.records.size).toBe(300);
        expect([...server.records.values()].every((r) => r.version === '0002')).toBe(true);
        expect(server.byWorker.get('w1')).toBeGreaterThan(0);
        expect(server.byWorker.get('w2')).toBeGreaterThan(0);

        const slots = server.ticks.map((t) => t.slot);
        expect(slots.length).toBeGreaterThanOrEqual(3);
        expect(new Set(slots).size).toBe(slots.length); // once per slot
      } finally {
        await Promise.all(workers.map(killHard));
        await store.close();
        await server.close();
      }
    },
  );
});
