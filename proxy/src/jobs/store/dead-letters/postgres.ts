/** Dead letters on PostgreSQL: each replay locks its key first, as enqueue does. */
import { decideReplay, decodeCursor, encodeCursor } from '../../decisions.js';
import { JobNotFoundError, JobStateConflictError } from '../../errors.js';
import type { DeadLetterFilter, Job, Page, ReplayResult } from '../../types.js';
import { lockKey, writeAudit } from '../jobs/postgres.js';
import { rowToJob, type JobRow } from '../jobs/rows.js';
import type { Db, PostgresConnection } from '../postgres/connection.js';
import type { DeadLetterStore } from './dead-letter-store.js';

function deadWhere(filter: DeadLetterFilter, args: unknown[]): string {
  const parts = ["state = 'dead'"];
  const p = (v: unknown) => (args.push(v), `$${args.length}`);
  if (filter.flow !== undefined) parts.push(`flow = ${p(filter.flow)}`);
  if (filter.code !== undefined) parts.push(`error_code = ${p(filter.code)}`);
  if (filter.since !== undefined) parts.push(`finished_at >= ${p(filter.since)}`);
  if (filter.until !== undefined) parts.push(`finished_at < ${p(filter.until)}`);
  return parts.join(' AND ');
}

export function postgresDeadLetters(c: PostgresConnection): DeadLetterStore {
  async function replayOne(db: Db, id: string, now: number, actor: string | null): Promise<ReplayResult> {
    const found = await db.query<{ flow: string; key: string }>('SELECT flow, key FROM jobs WHERE id = $1', [
      id,
    ]);
    const k = found.rows[0];
    if (!k) throw new JobNotFoundError(id);
    const lastDoneVersion = await lockKey(db, k.flow, k.key);
    const rows = (
      await db.query<JobRow>(
        "SELECT * FROM jobs WHERE flow = $1 AND key = $2 AND (id = $3 OR state IN ('queued', 'running'))",
        [k.flow, k.key, id],
      )
    ).rows.map((r) => rowToJob(r));
    // Lock the dead letter itself (after the key: the same order as everywhere else).
    const locked = await db.query<JobRow>('SELECT * FROM jobs WHERE id = $1 FOR UPDATE', [id]);
    const dead = locked.rows[0] ? rowToJob(locked.rows[0]) : rows.find((j) => j.id === id)!;
    if (dead.state !== 'dead') throw new JobStateConflictError(id, dead.state, 'replayed');
    const queued = rows.find((j) => j.state === 'queued') ?? null;
    const d = decideReplay(dead, {
      queued,
      running: rows.find((j) => j.state === 'running') ?? null,
      lastDoneVersion,
    });
    if (!d.requeue) {
      const r = await db.query<JobRow>(
        "UPDATE jobs SET state = 'superseded', note = $1, finished_at = $2, updated_at = $2 WHERE id = $3 RETURNING *",
        [d.note, now, id],
      );
      await writeAudit(db, id, now, 'superseded', actor, d.note);
      return { job: rowToJob(r.rows[0]!), outcome: 'superseded' };
    }
    if (queued) {
      await db.query(
        "UPDATE jobs SET state = 'superseded', note = $1, finished_at = $2, updated_at = $2 WHERE id = $3",
        [`superseded by replayed version ${dead.version}`, now, queued.id],
      );
    }
    const r = await db.query<JobRow>(
      `UPDATE jobs SET state = 'queued', attempts = 0, run_at = clock_ms(), lease_until = NULL,
         finished_at = NULL, updated_at = $1, note = $2 WHERE id = $3 RETURNING *`,
      [now, `replayed${actor ? ` by ${actor}` : ''}`, id],
    );
    await writeAudit(
      db,
      id,
      now,
      'replayed',
      actor,
      `after ${dead.attempts} attempts; last error ${dead.lastError?.code ?? '-'}`,
    );
    return { job: rowToJob(r.rows[0]!), outcome: 'requeued' };
  }

  return {
    async listDeadLetters(
      filter: DeadLetterFilter,
      page: { limit: number; cursor?: string | null },
    ): Promise<Page<Job>> {
      const args: unknown[] = [];
      let sql = `SELECT * FROM jobs WHERE ${deadWhere(filter, args)}`;
      const cur = page.cursor ? decodeCursor(page.cursor) : null;
      if (cur) {
        args.push(cur.finishedAt, cur.id);
        sql += ` AND (finished_at < $${args.length - 1} OR (finished_at = $${args.length - 1} AND id < $${args.length}))`;
      }
      args.push(page.limit + 1);
      sql += ` ORDER BY finished_at DESC, id DESC LIMIT $${args.length}`;
      const rows = (await c.q<JobRow>(sql, args)).map((r) => rowToJob(r));
      const items = rows.slice(0, page.limit);
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > page.limit && last ? encodeCursor(last.finishedAt ?? 0, last.id) : null,
      };
    },

    replay(id: string, opts: { now: number; actor?: string | null }): Promise<ReplayResult> {
      return c.tx((db) => replayOne(db, id, opts.now, opts.actor ?? null));
    },

    async replayMany(
      filter: DeadLetterFilter,
      opts: { now: number; actor?: string | null; limit: number },
    ): Promise<ReplayResult[]> {
      const args: unknown[] = [];
      const where = deadWhere(filter, args);
      args.push(opts.limit);
      const ids = await c.q<{ id: string }>(
        `SELECT id FROM jobs WHERE ${where} ORDER BY finished_at, id LIMIT $${args.length}`,
        args,
      );
      const out: ReplayResult[] = [];
      // One transaction per dead letter: a bulk replay never holds many key locks at once.
      for (const { id } of ids) {
        try {
          out.push(await c.tx((db) => replayOne(db, id, opts.now, opts.actor ?? null)));
        } catch (err) {
          // Replayed or discarded by someone else meanwhile: not ours to report.
          if (err instanceof JobStateConflictError || err instanceof JobNotFoundError) continue;
          throw err;
        }
      }
      return out;
    },

    discard(id: string, opts: { now: number; reason: string; actor?: string | null }): Promise<Job> {
      return c.tx(async (db) => {
        const cur = await db.query<{ state: string }>('SELECT state FROM jobs WHERE id = $1 FOR UPDATE', [
          id,
        ]);
        const state = cur.rows[0]?.state;
        if (state === undefined) throw new JobNotFoundError(id);
        if (state !== 'dead') throw new JobStateConflictError(id, state, 'discarded');
        const r = await db.query<JobRow>(
          "UPDATE jobs SET state = 'discarded', note = $1, finished_at = $2, updated_at = $2 WHERE id = $3 RETURNING *",
          [`discarded: ${opts.reason}`, opts.now, id],
        );
        await writeAudit(db, id, opts.now, 'discarded', opts.actor ?? null, opts.reason);
        return rowToJob(r.rows[0]!);
      });
    },
  };
}
