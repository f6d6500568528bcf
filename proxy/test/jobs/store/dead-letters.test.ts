/** Dead letters on both stores: list with filters and pages, replay (one, many), discard, audit. */
import { describe, expect, it } from 'vitest';
import { JobNotFoundError, JobStateConflictError } from '../../../src/jobs/errors.js';
import { claimer, err, freshFlow, job, storeContract, T0 } from './contract.js';

storeContract('dead-letters', (store) => {
  const claimAll = claimer(store);

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
});
