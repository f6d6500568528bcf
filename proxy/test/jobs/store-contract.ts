/**
 * The one contract every store adapter passes (run by sqlite.test.ts and postgres.test.ts).
 * Time is passed explicitly (`now`), so leases, backoff and retention are tested without sleeping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NumberRangeExhaustedError, JobNotFoundError, JobStateConflictError } from '../../src/jobs/errors.js';
import type { EnqueueInput, JobErrorInfo, Store } from '../../src/jobs/types.js';

export interface ContractTarget {
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const LEASE = 60_000;
let seq = 0;
/** Every test uses its own flow name so tests never see each other's jobs. */
const freshFlow = () => `f${++seq}`;
const job = (
  flow: string,
  key: string,
  version: string,
  payload: unknown = { v: version },
): EnqueueInput => ({
  flow,
  key,
  version,
  payload,
});
const err = (code: string, transient: boolean, attempt = 1): JobErrorInfo => ({
  code,
  message: `${code} happened`,
  details: { field: 'Name' },
  transient,
  attempt,
  at: T0,
});

export function runStoreContract(name: string, target: ContractTarget): void {
  describe(`${name} store contract`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await target.open();
    });
    afterAll(async () => {
      await store?.close();
      await target.cleanup();
    });

    const claimAll = (flow: string, now: number, limit = 100) =>
      store.claim({ now, limit, leaseMs: LEASE, flows: [flow] });

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

    describe('dead letters', () => {
      async function makeDead(flow: string, key: string, version: string, code: string, now: number) {
        await store.enqueue(job(flow, key, version), now);
        const claimed = await claimAll(flow, now);
        const j = claimed.find((c) => c.key === key)!;
        await store.fail({ id: j.id, attempt: j.attempts, now, error: err(code, false, j.attempts) });
        return j.id;
      }

      it('lists with filters and pages, shows the full reason, replays and discards with audit', async () => {
        const flow = freshFlow();
        const ids: string[] = [];
        for (let i = 0; i < 5; i++)
          ids.push(await makeDead(flow, `K${i}`, 'v1', i < 3 ? 'INVALID_FIELD' : 'HTTP_400', T0 + i));
        const all = await store.listDeadLetters({ flow }, { limit: 2 });
        expect(all.items.map((j) => j.id)).toEqual([ids[4], ids[3]]); // newest first
        const p2 = await store.listDeadLetters({ flow }, { limit: 2, cursor: all.nextCursor });
        const p3 = await store.listDeadLetters({ flow }, { limit: 2, cursor: p2.nextCursor });
        expect([...p2.items, ...p3.items].map((j) => j.id)).toEqual([ids[2], ids[1], ids[0]]);
        expect(p3.nextCursor).toBeNull();
        expect(
          (await store.listDeadLetters({ flow, code: 'INVALID_FIELD' }, { limit: 50 })).items,
        ).toHaveLength(3);
        expect((await store.listDeadLetters({ flow, since: T0 + 3 }, { limit: 50 })).items).toHaveLength(2);
        expect((await store.listDeadLetters({ flow, until: T0 + 1 }, { limit: 50 })).items).toHaveLength(1);

        const dead = await store.getJob(ids[0]!);
        expect(dead?.state).toBe('dead');
        expect(dead?.lastError).toMatchObject({
          code: 'INVALID_FIELD',
          details: { field: 'Name' },
          transient: false,
        });

        const replayed = await store.replay(ids[0]!, { now: T0 + 100, actor: 'admin:ops' });
        expect(replayed.outcome).toBe('requeued');
        expect(replayed.job).toMatchObject({ state: 'queued', attempts: 0 });
        await expect(store.replay(ids[0]!, { now: T0 + 100 })).rejects.toBeInstanceOf(JobStateConflictError);
        await expect(store.replay('no-such-id', { now: T0 })).rejects.toBeInstanceOf(JobNotFoundError);
        expect((await claimAll(flow, T0 + 101)).map((j) => j.id)).toEqual([ids[0]]);

        const discarded = await store.discard(ids[1]!, {
          now: T0 + 200,
          reason: 'test record',
          actor: 'admin:ops',
        });
        expect(discarded.state).toBe('discarded');
        const audit = await store.getAudit(ids[1]!);
        expect(audit.map((a) => a.action)).toEqual(['dead', 'discarded']);
        expect(audit[1]).toMatchObject({ actor: 'admin:ops', detail: 'test record' });
        expect((await store.getAudit(ids[0]!)).map((a) => a.action)).toEqual(['dead', 'replayed']);

        // retention: the discarded one goes after the retention time, dead letters stay
        await store.purge({ now: T0 + 200 + 5000, retentionMs: 1000 });
        expect(await store.getJob(ids[1]!)).toBeNull();
        expect((await store.getJob(ids[2]!))?.state).toBe('dead');
      });

      it('replays in bulk by filter', async () => {
        const flow = freshFlow();
        for (let i = 0; i < 4; i++) await makeDead(flow, `K${i}`, 'v1', i % 2 ? 'A' : 'B', T0 + i);
        const res = await store.replayMany({ flow, code: 'A' }, { now: T0 + 10, limit: 100 });
        expect(res.map((r) => r.outcome)).toEqual(['requeued', 'requeued']);
        expect(
          (await store.listDeadLetters({ flow }, { limit: 10 })).items.map((j) => j.lastError?.code),
        ).toEqual(['B', 'B']);
      });

      it('a replay does not overwrite a newer completed version; a newer completion resolves older dead letters', async () => {
        const flow = freshFlow();
        const d1 = await makeDead(flow, 'K', 'v1', 'HTTP_400', T0);
        await store.enqueue(job(flow, 'K', 'v2'), T0 + 1);
        const [v2] = await claimAll(flow, T0 + 1);
        const d2 = await makeDead(flow, 'L', 'v1', 'HTTP_400', T0 + 1);
        // while v2 of K runs, the older dead v1 cannot be replayed
        const r = await store.replay(d1, { now: T0 + 2 });
        expect(r.outcome).toBe('superseded');
        expect(r.job.note).toMatch(/newer version v2/);
        // a newer version of L completes: L's older dead letter is resolved automatically
        await store.enqueue(job(flow, 'L', 'v2'), T0 + 3);
        const [l2] = await claimAll(flow, T0 + 3);
        await store.complete(l2!.id, l2!.attempts, T0 + 4);
        expect((await store.getJob(d2))?.state).toBe('superseded');
        expect((await store.getAudit(d2)).at(-1)?.action).toBe('superseded');
        await store.complete(v2!.id, v2!.attempts, T0 + 5);
      });

      it('discard needs a dead letter', async () => {
        const flow = freshFlow();
        const { job: q } = await store.enqueue(job(flow, 'K', 'v1'), T0);
        await expect(store.discard(q.id, { now: T0, reason: 'x' })).rejects.toBeInstanceOf(
          JobStateConflictError,
        );
      });
    });

    describe('shared state', () => {
      it('scheduler: one caller per slot, never an older slot, across restarts', async () => {
        const s = `sched-${freshFlow()}`;
        expect(await store.getScheduleSlot(s)).toBeNull();
        const both = await Promise.all([
          store.claimScheduleSlot(s, T0, T0),
          store.claimScheduleSlot(s, T0, T0),
        ]);
        expect(both.filter(Boolean)).toHaveLength(1);
        expect(await store.claimScheduleSlot(s, T0 - 60_000, T0)).toBe(false);
        expect(await store.claimScheduleSlot(s, T0 + 60_000, T0)).toBe(true);
        expect(await store.getScheduleSlot(s)).toBe(T0 + 60_000);
      });

      it('leases: one holder until it expires or is released', async () => {
        const n = `lease-${freshFlow()}`;
        expect(await store.acquireLease(n, 'a', 1000, T0)).toBe(true);
        expect(await store.acquireLease(n, 'b', 1000, T0 + 500)).toBe(false);
        expect(await store.acquireLease(n, 'a', 1000, T0 + 500)).toBe(true); // renew
        expect(await store.acquireLease(n, 'b', 1000, T0 + 1600)).toBe(true);
        await store.releaseLease(n, 'b');
        expect(await store.acquireLease(n, 'a', 1000, T0 + 1700)).toBe(true);
      });

      it('pause state is raised and never shortened', async () => {
        const scope = `d365-${freshFlow()}`;
        expect(await store.getPausedUntil(scope)).toBe(0);
        expect(await store.extendPause(scope, T0 + 30_000)).toBe(T0 + 30_000);
        expect(await store.extendPause(scope, T0 + 10_000)).toBe(T0 + 30_000);
        expect(await store.getPausedUntil(scope)).toBe(T0 + 30_000);
        expect(await store.extendPause(scope, T0 + 60_000)).toBe(T0 + 60_000);
      });

      it('number allocation is atomic and says clearly when the range is exhausted', async () => {
        const seqName = `cust-${freshFlow()}`;
        const got = await Promise.all(
          Array.from({ length: 10 }, () => store.allocateNumber(seqName, 1000, 1009)),
        );
        expect([...got].sort((a, b) => a - b)).toEqual([
          1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009,
        ]);
        const e = await store.allocateNumber(seqName, 1000, 1009).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(NumberRangeExhaustedError);
        expect((e as Error).message).toMatch(/exhausted/);
        // a new range configured later continues from its start
        expect(await store.allocateNumber(seqName, 5000, 5999)).toBe(5000);
      });

      it('ledger: first writer wins unless overwriting', async () => {
        const ns = `ledger-${freshFlow()}`;
        expect(await store.ledgerGet(ns, 'opp-1')).toBeUndefined();
        expect(await store.ledgerPut(ns, 'opp-1', { number: 'SO-1' })).toEqual({ number: 'SO-1' });
        expect(await store.ledgerPut(ns, 'opp-1', { number: 'SO-2' })).toEqual({ number: 'SO-1' });
        expect(await store.ledgerPut(ns, 'opp-1', { number: 'SO-3' }, { overwrite: true })).toEqual({
          number: 'SO-3',
        });
        expect(await store.ledgerGet(ns, 'opp-1')).toEqual({ number: 'SO-3' });
      });

      it('ping answers and stats count by flow and state', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
        const flow = freshFlow();
        await store.enqueue(job(flow, 'A', 'v1'), T0);
        await store.enqueue(job(flow, 'B', 'v1'), T0 + 5);
        const s = await store.stats();
        expect(s.counts.find((c) => c.flow === flow && c.state === 'queued')?.count).toBe(2);
        expect(s.oldestQueued.find((o) => o.flow === flow)?.createdAt).toBe(T0);
      });
    });
  });
}
