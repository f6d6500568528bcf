import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createJobQueue } from '../../src/jobs/queue.js';
import { createScheduler, latestSlot } from '../../src/jobs/scheduler.js';
import { openStore } from '../../src/jobs/store.js';
import { tempDir, QUEUE_SETTINGS } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.remove());
const at = (iso: string) => Date.parse(iso);

describe('latestSlot', () => {
  it('is the latest cron time at or before now', () => {
    expect(latestSlot('0 * * * *', at('2025-01-01T10:00:00.000Z'))).toBe(at('2025-01-01T10:00:00.000Z'));
    expect(latestSlot('0 * * * *', at('2025-01-01T10:59:59.999Z'))).toBe(at('2025-01-01T10:00:00.000Z'));
    expect(latestSlot('*/5 * * * * *', at('2025-01-01T10:00:07.300Z'))).toBe(at('2025-01-01T10:00:05.000Z'));
  });
});

describe('scheduler', () => {
  it('fires once per slot across two replicas and restarts, and once after downtime', async () => {
    const path = join(tmp.dir, 'sched.db');
    let now = at('2025-01-01T10:30:00Z');
    const clock = () => now;
    const schedules = [{ name: 'payments', cron: '0 * * * *', flow: 'payments' }];
    const storeA = await openStore(`sqlite:${path}`);
    const storeB = await openStore(`sqlite:${path}`);
    const a = createScheduler({
      queue: createJobQueue({ ...QUEUE_SETTINGS, store: storeA, clock }),
      schedules,
      clock,
    });
    const b = createScheduler({
      queue: createJobQueue({ ...QUEUE_SETTINGS, store: storeB, clock }),
      schedules,
      clock,
    });

    // first sight: records 10:00 as the baseline, runs nothing
    expect([...(await a.tick()), ...(await b.tick())]).toEqual([]);
    now = at('2025-01-01T11:00:00.500Z');
    const fired = [...(await a.tick()), ...(await b.tick()), ...(await a.tick())];
    expect(fired).toEqual(['payments']);
    // restart: a new scheduler on the same store does not fire 11:00 again
    const a2 = createScheduler({
      queue: createJobQueue({ ...QUEUE_SETTINGS, store: storeA, clock }),
      schedules,
      clock,
    });
    expect(await a2.tick()).toEqual([]);
    // 5 hours of downtime: only the latest missed slot runs, once
    now = at('2025-01-01T16:20:00Z');
    expect([...(await a2.tick()), ...(await b.tick())]).toEqual(['payments']);

    const jobs = await storeA.stats();
    // the 11:00 run had not started yet: the 16:00 one replaced it (same key, newer version)
    expect(Object.fromEntries(jobs.counts.map((c) => [c.state, c.count]))).toEqual({
      queued: 1,
      superseded: 1,
    });
    const claimed = await storeA.claim({ now, limit: 10, leaseMs: 1000, flows: ['payments'] });
    expect(claimed.map((j) => j.payload)).toEqual([
      { schedule: 'payments', slot: '2025-01-01T16:00:00.000Z' },
    ]);
    expect(claimed[0]!.key).toBe('schedule:payments');
    await storeA.close();
    await storeB.close();
  });

  it('refuses an invalid cron expression at start', async () => {
    const store = await openStore(`sqlite:${join(tmp.dir, 'bad.db')}`);
    expect(() =>
      createScheduler({
        queue: createJobQueue({ ...QUEUE_SETTINGS, store }),
        schedules: [{ name: 'x', cron: 'every hour', flow: 'x' }],
      }),
    ).toThrow(/Invalid cron expression for schedule "x"/);
    await store.close();
  });
});
