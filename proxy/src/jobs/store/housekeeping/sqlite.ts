/** Retention and queue counts on SQLite. */
import type { Job } from '../../types.js';
import type { SqliteConnection } from '../sqlite/connection.js';
import type { Housekeeping } from './housekeeping.js';

export function sqliteHousekeeping(c: SqliteConnection): Housekeeping {
  return {
    async purge(opts) {
      const cutoff = opts.now - opts.retentionMs;
      let total = 0;
      // Small batches: other writers (enqueue from HTTP) never wait long behind housekeeping.
      for (;;) {
        const n = await c.tx(() => {
          const ids = c
            .st(
              `SELECT id FROM jobs WHERE state IN ('done', 'superseded', 'discarded') AND finished_at < ? LIMIT 2000`,
            )
            .all(cutoff) as Array<{ id: string }>;
          const delAudit = c.st('DELETE FROM job_audit WHERE job_id = ?');
          const delJob = c.st('DELETE FROM jobs WHERE id = ?');
          for (const { id } of ids) {
            delAudit.run(id);
            delJob.run(id);
          }
          return ids.length;
        });
        total += n;
        if (n < 2000) return total;
      }
    },

    stats() {
      return c.read(() => ({
        counts: (
          c.st('SELECT flow, state, COUNT(*) AS count FROM jobs GROUP BY flow, state').all() as Array<{
            flow: string;
            state: Job['state'];
            count: number;
          }>
        ).map((r) => ({ flow: r.flow, state: r.state, count: Number(r.count) })),
        oldestQueued: (
          c
            .st("SELECT flow, MIN(created_at) AS created_at FROM jobs WHERE state = 'queued' GROUP BY flow")
            .all() as Array<{ flow: string; created_at: number }>
        ).map((r) => ({ flow: r.flow, createdAt: Number(r.created_at) })),
      }));
    },
  };
}
