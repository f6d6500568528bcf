/** Retention and queue counts on PostgreSQL. */
import type { Job, PurgeOptions, QueueStats } from '../../types.js';
import type { PostgresConnection } from '../postgres/connection.js';
import type { Housekeeping } from './housekeeping.js';

export function postgresHousekeeping(c: PostgresConnection): Housekeeping {
  return {
    async purge(opts: PurgeOptions): Promise<number> {
      const cutoff = opts.now - opts.retentionMs;
      let total = 0;
      for (;;) {
        const n = await c.tx(async (db) => {
          const del = await db.query<{ id: string }>(
            `DELETE FROM jobs WHERE id IN (
               SELECT id FROM jobs WHERE state IN ('done', 'superseded', 'discarded') AND finished_at < $1
               LIMIT 2000 FOR UPDATE SKIP LOCKED)
             RETURNING id`,
            [cutoff],
          );
          if (del.rows.length > 0) {
            await db.query('DELETE FROM job_audit WHERE job_id = ANY($1::text[])', [
              del.rows.map((r) => r.id),
            ]);
          }
          return del.rows.length;
        });
        total += n;
        if (n < 2000) return total;
      }
    },

    async stats(): Promise<QueueStats> {
      const counts = await c.q<{ flow: string; state: Job['state']; count: string }>(
        'SELECT flow, state, COUNT(*) AS count FROM jobs GROUP BY flow, state',
      );
      const oldest = await c.q<{ flow: string; created_at: number }>(
        "SELECT flow, MIN(created_at) AS created_at FROM jobs WHERE state = 'queued' GROUP BY flow",
      );
      return {
        counts: counts.map((r) => ({ flow: r.flow, state: r.state, count: Number(r.count) })),
        oldestQueued: oldest.map((r) => ({ flow: r.flow, createdAt: Number(r.created_at) })),
      };
    },
  };
}
