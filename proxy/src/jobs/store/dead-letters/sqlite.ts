/** Dead letters on SQLite. */
import { decideReplay, decodeCursor, encodeCursor } from '../../decisions.js';
import { JobNotFoundError, JobStateConflictError } from '../../errors.js';
import type { DeadLetterFilter, ReplayResult } from '../../types.js';
import { keyFacts, writeAudit } from '../jobs/sqlite.js';
import { rowToJob, type JobRow } from '../jobs/rows.js';
import type { SqliteConnection } from '../sqlite/connection.js';
import type { DeadLetterStore } from './dead-letter-store.js';

function deadWhere(filter: DeadLetterFilter): { sql: string; args: unknown[] } {
  const parts = ["state = 'dead'"];
  const args: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    parts.push(sql);
    args.push(value);
  };
  if (filter.flow !== undefined) add('flow = ?', filter.flow);
  if (filter.code !== undefined) add('error_code = ?', filter.code);
  if (filter.since !== undefined) add('finished_at >= ?', filter.since);
  if (filter.until !== undefined) add('finished_at < ?', filter.until);
  return { sql: parts.join(' AND '), args };
}

export function sqliteDeadLetters(c: SqliteConnection): DeadLetterStore {
  const replayOne = (id: string, now: number, actor: string | null): ReplayResult => {
    const r = c.st('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    if (!r) throw new JobNotFoundError(id);
    const dead = rowToJob(r);
    if (dead.state !== 'dead') throw new JobStateConflictError(id, dead.state, 'replayed');
    const active = (
      c
        .st("SELECT * FROM jobs WHERE flow = ? AND key = ? AND state IN ('queued', 'running')")
        .all(dead.flow, dead.key) as JobRow[]
    ).map((x) => rowToJob(x));
    const queued = active.find((j) => j.state === 'queued') ?? null;
    const d = decideReplay(dead, {
      queued,
      running: active.find((j) => j.state === 'running') ?? null,
      lastDoneVersion: keyFacts(c, dead.flow, dead.key).lastDoneVersion,
    });
    if (!d.requeue) {
      c.st(
        "UPDATE jobs SET state = 'superseded', note = ?, finished_at = ?, updated_at = ? WHERE id = ?",
      ).run(d.note, now, now, id);
      writeAudit(c, id, now, 'superseded', actor, d.note);
      return {
        job: rowToJob(c.st('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow),
        outcome: 'superseded',
      };
    }
    if (queued) {
      // An older version waits: the replayed one carries newer data and takes its place.
      const note = `superseded by replayed version ${dead.version}`;
      c.st(
        "UPDATE jobs SET state = 'superseded', note = ?, finished_at = ?, updated_at = ? WHERE id = ?",
      ).run(note, now, now, queued.id);
    }
    c.st(
      `UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, lease_until = NULL, finished_at = NULL,
         updated_at = ?, note = ? WHERE id = ?`,
    ).run(now, now, `replayed${actor ? ` by ${actor}` : ''}`, id);
    writeAudit(
      c,
      id,
      now,
      'replayed',
      actor,
      `after ${dead.attempts} attempts; last error ${dead.lastError?.code ?? '-'}`,
    );
    return {
      job: rowToJob(c.st('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow),
      outcome: 'requeued',
    };
  };

  return {
    listDeadLetters(filter, page) {
      return c.read(() => {
        const w = deadWhere(filter);
        const cur = page.cursor ? decodeCursor(page.cursor) : null;
        let sql = `SELECT * FROM jobs WHERE ${w.sql}`;
        const args = [...w.args];
        if (cur) {
          sql += ' AND (finished_at < ? OR (finished_at = ? AND id < ?))';
          args.push(cur.finishedAt, cur.finishedAt, cur.id);
        }
        sql += ' ORDER BY finished_at DESC, id DESC LIMIT ?';
        args.push(page.limit + 1);
        const rows = (c.db.prepare(sql).all(...args) as JobRow[]).map((r) => rowToJob(r));
        const items = rows.slice(0, page.limit);
        const last = items.at(-1);
        return {
          items,
          nextCursor: rows.length > page.limit && last ? encodeCursor(last.finishedAt ?? 0, last.id) : null,
        };
      });
    },

    replay(id, opts) {
      return c.tx(() => replayOne(id, opts.now, opts.actor ?? null));
    },

    replayMany(filter, opts) {
      return c.tx(() => {
        const w = deadWhere(filter);
        const ids = c.db
          .prepare(`SELECT id FROM jobs WHERE ${w.sql} ORDER BY finished_at, id LIMIT ?`)
          .all(...w.args, opts.limit) as Array<{ id: string }>;
        // Oldest first, so that of two dead versions of one key the newer one is replayed last and wins.
        const sorted = ids.map((x) => x.id);
        return sorted.map((id) => replayOne(id, opts.now, opts.actor ?? null));
      });
    },

    discard(id, opts) {
      return c.tx(() => {
        const r = c.st('SELECT state FROM jobs WHERE id = ?').get(id) as { state: string } | undefined;
        if (!r) throw new JobNotFoundError(id);
        if (r.state !== 'dead') throw new JobStateConflictError(id, r.state, 'discarded');
        c.st(
          "UPDATE jobs SET state = 'discarded', note = ?, finished_at = ?, updated_at = ? WHERE id = ?",
        ).run(`discarded: ${opts.reason}`, opts.now, opts.now, id);
        writeAudit(c, id, opts.now, 'discarded', opts.actor ?? null, opts.reason);
        return rowToJob(c.st('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow);
      });
    },
  };
}
