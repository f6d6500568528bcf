/** Jobs on both stores: enqueue's per-key rules, claiming, leases, fencing, backoff, release. */
import { describe, expect, it } from 'vitest';
import { claimer, err, freshFlow, job, LEASE, storeContract, T0 } from './contract.js';

storeContract('jobs', (store) => {
  const claimAll = claimer(store);

  describe('enqueue', () => {
    it('is idempotent: the same key and version again returns the existing job', async () => {
      const flow = freshFlow();
      const a = await store.enqueue(job(flow, '001A', 'v1'), T0);
      const b = await store.enqueue(job(flow, '001A', 'v1', { other: true }), T0 + 5);
      expect(a.outcome).toBe('enqueued');
      expect(b.outcome).toBe('duplicate');
      expect(b.job.id).toBe(a.job.id);
      expect(b.job.payload).toEqual({ v: 'v1' });
      expect(await claimAll(flow, T0 + 10)).toHaveLength(1);
    });

    it('a newer version replaces a queued older one (one write for many quick edits)', async () => {
      const flow = freshFlow();
      const results = [];
      for (const v of ['v1', 'v2', 'v3', 'v4', 'v5'])
        results.push(await store.enqueue(job(flow, 'K', v), T0));
      expect(results.map((r) => r.outcome)).toEqual([
        'enqueued',
        'superseded-older',
        'superseded-older',
        'superseded-older',
        'superseded-older',
      ]);
      const first = await store.getJob(results[0]!.job.id);
      expect(first?.state).toBe('superseded');
      expect(first?.note).toMatch(/superseded by version v2/);
      const claimed = await claimAll(flow, T0);
      expect(claimed.map((j) => j.version)).toEqual(['v5']);
    });

    it('a newer version of a running key waits behind it, then runs', async () => {
      const flow = freshFlow();
      await store.enqueue(job(flow, 'K', 'v1'), T0);
      const [running] = await claimAll(flow, T0);
      const r = await store.enqueue(job(flow, 'K', 'v2'), T0 + 1);
      expect(r.outcome).toBe('queued-behind');
      expect(await claimAll(flow, T0 + 2)).toHaveLength(0); // one at a time per key
      expect(await store.complete(running!.id, running!.attempts, T0 + 3)).toBe(true);
      const next = await claimAll(flow, T0 + 4);
      expect(next.map((j) => j.version)).toEqual(['v2']);
    });

    it('drops a version older than the last completed one and says so', async () => {
      const flow = freshFlow();
      await store.enqueue(job(flow, 'K', '2025-01-01T00:00:02.000Z'), T0);
      const [j] = await claimAll(flow, T0);
      await store.complete(j!.id, j!.attempts, T0 + 1);
      const r = await store.enqueue(job(flow, 'K', '2025-01-01T00:00:01.000Z'), T0 + 2);
      expect(r.outcome).toBe('stale');
      expect(r.job.state).toBe('superseded');
      expect(r.job.note).toMatch(/stale/);
      expect(await claimAll(flow, T0 + 3)).toHaveLength(0);
    });

    it('drops a version older than a queued or running one', async () => {
      const flow = freshFlow();
      await store.enqueue(job(flow, 'Q', 'v5'), T0);
      expect((await store.enqueue(job(flow, 'Q', 'v3'), T0)).outcome).toBe('stale');
      await store.enqueue(job(flow, 'R', 'v5'), T0);
      const claimed = await claimAll(flow, T0);
      expect(claimed.map((j) => j.key).sort()).toEqual(['Q', 'R']);
      expect((await store.enqueue(job(flow, 'R', 'v4'), T0)).outcome).toBe('stale');
    });

    it('remembers the last completed version after retention deleted the job', async () => {
      const flow = freshFlow();
      await store.enqueue(job(flow, 'K', 'v2'), T0);
      const [j] = await claimAll(flow, T0);
      await store.complete(j!.id, j!.attempts, T0);
      expect(await store.purge({ now: T0 + 10_000, retentionMs: 1000 })).toBeGreaterThanOrEqual(1);
      expect(await store.getJob(j!.id)).toBeNull();
      expect((await store.enqueue(job(flow, 'K', 'v1'), T0 + 20_000)).outcome).toBe('stale');
      expect((await store.enqueue(job(flow, 'K', 'v3'), T0 + 20_000)).outcome).toBe('enqueued');
    });

    it('enqueueMany writes all records in one transaction and answers in input order', async () => {
      const flow = freshFlow();
      const inputs = Array.from({ length: 200 }, (_, i) => job(flow, `K${199 - i}`, 'v1'));
      inputs.push(job(flow, 'K5', 'v2'));
      const res = await store.enqueueMany(inputs, T0);
      expect(res).toHaveLength(201);
      expect(res.slice(0, 200).every((r) => r.outcome === 'enqueued')).toBe(true);
      expect(res[3]!.job.key).toBe('K196');
      expect(res[200]!.outcome).toBe('superseded-older');
      const stats = await store.stats();
      expect(stats.counts.find((c) => c.flow === flow && c.state === 'queued')?.count).toBe(200);
    });

    it('enqueueMany with several versions of one key decides them as one at a time would', async () => {
      const flow = freshFlow();
      const res = await store.enqueueMany(
        [job(flow, 'K', 'v2'), job(flow, 'K', 'v1'), job(flow, 'K', 'v3'), job(flow, 'K', 'v3')],
        T0,
      );
      expect(res.map((r) => r.outcome)).toEqual(['enqueued', 'stale', 'superseded-older', 'duplicate']);
      expect(res[0]!.job.state).toBe('queued'); // as it was when queued
      expect((await store.getJob(res[0]!.job.id))?.state).toBe('superseded');
      expect((await store.getJob(res[1]!.job.id))?.state).toBe('superseded');
      expect(res[3]!.job.id).toBe(res[2]!.job.id);
      const stats = await store.stats();
      expect(stats.counts.find((c) => c.flow === flow && c.state === 'queued')?.count).toBe(1);
    });
  });

  describe('claiming', () => {
    it('runs each key one at a time, in version order, across many keys', async () => {
      const flow = freshFlow();
      let now = T0;
      for (let k = 0; k < 20; k++) await store.enqueue(job(flow, `K${k}`, 'v1'), now);
      const done: string[] = [];
      for (let round = 0; round < 10; round++) {
        const claimed = await claimAll(flow, ++now, 7);
        const keys = claimed.map((j) => j.key);
        expect(new Set(keys).size).toBe(keys.length); // never two of one key at once
        // while these run, newer versions arrive for some keys
        for (const j of claimed.slice(0, 2)) {
          if (j.version === 'v1') await store.enqueue(job(flow, j.key, 'v2'), now);
        }
        for (const j of claimed) {
          await store.complete(j.id, j.attempts, now);
          done.push(`${j.key}@${j.version}`);
        }
      }
      for (const k of ['K0', 'K1']) {
        const mine = done.filter((d) => d.startsWith(`${k}@`));
        expect(mine).toEqual([`${k}@v1`, `${k}@v2`]);
      }
      expect(done.filter((d) => d.endsWith('@v1'))).toHaveLength(20);
    });

    it('re-runs a job whose lease expired, and fences off the old worker', async () => {
      const flow = freshFlow();
      await store.enqueue(job(flow, 'K', 'v1'), T0);
      const [first] = await store.claim({ now: T0, limit: 5, leaseMs: 1000, flows: [flow] });
      expect(first!.attempts).toBe(1);
      expect(await store.claim({ now: T0 + 999, limit: 5, leaseMs: 1000, flows: [flow] })).toHaveLength(0);
      const [again] = await store.claim({ now: T0 + 1001, limit: 5, leaseMs: 1000, flows: [flow] });
      expect(again!.id).toBe(first!.id);
      expect(again!.attempts).toBe(2);
      // the crashed-and-revived first worker can neither finish nor fail it now
      expect(await store.complete(first!.id, first!.attempts, T0 + 1002)).toBe(false);
      expect(await store.fail({ id: first!.id, attempt: 1, now: T0 + 1002, error: err('X', true) })).toBe(
        false,
      );
      expect(await store.heartbeat(first!.id, 1, T0 + 5000, T0 + 1002)).toBe(false);
      expect(await store.heartbeat(again!.id, 2, T0 + 5000, T0 + 1002)).toBe(true);
      expect(await store.claim({ now: T0 + 4000, limit: 5, leaseMs: 1000, flows: [flow] })).toHaveLength(0);
      expect(await store.complete(again!.id, again!.attempts, T0 + 4001)).toBe(true);
    });

    it('only claims flows the worker handles', async () => {
      const flow = freshFlow();
      await store.enqueue(job(flow, 'K', 'v1'), T0);
      expect(await store.claim({ now: T0, limit: 5, leaseMs: LEASE, flows: ['nobody'] })).toHaveLength(0);
      expect(await claimAll(flow, T0)).toHaveLength(1);
    });

    it('respects backoff: a retried job is not claimed before its runAt', async () => {
      const flow = freshFlow();
      await store.enqueue(job(flow, 'K', 'v1'), T0);
      const [j] = await claimAll(flow, T0);
      expect(
        await store.fail({
          id: j!.id,
          attempt: 1,
          now: T0,
          error: err('HTTP_503', true),
          retryAt: T0 + 30_000,
        }),
      ).toBe(true);
      expect(await claimAll(flow, T0 + 29_999)).toHaveLength(0);
      const [again] = await claimAll(flow, T0 + 30_000);
      expect(again!.attempts).toBe(2);
      expect(again!.lastError?.code).toBe('HTTP_503');
    });

    it('release gives a job back without counting the attempt', async () => {
      const flow = freshFlow();
      await store.enqueue(job(flow, 'K', 'v1'), T0);
      const [j] = await claimAll(flow, T0);
      expect(await store.release(j!.id, j!.attempts, T0 + 1)).toBe(true);
      const [again] = await claimAll(flow, T0 + 2);
      expect(again!.attempts).toBe(1);
    });
  });
});
