/** The governor's shared pause on PostgreSQL. */
import type { PostgresConnection } from '../postgres/connection.js';
import { PAUSE_CHANNEL } from './notifications.js';
import type { PauseState } from './pause-state.js';

export function postgresPause(c: PostgresConnection): PauseState {
  return {
    async getPausedUntil(scope: string): Promise<number> {
      const rows = await c.q<{ until_ms: number }>('SELECT until_ms FROM pauses WHERE scope = $1', [scope]);
      return rows[0] ? Number(rows[0].until_ms) : 0;
    },

    async extendPause(scope: string, untilMs: number): Promise<number> {
      c.pauseListener.announce(scope, untilMs);
      // The row's own notification (notifications.ts) is delivered with the commit, carrying the end now stored.
      const rows = await c.q<{ until_ms: number }>(
        `WITH up AS (
           INSERT INTO pauses (scope, until_ms) VALUES ($1, $2)
           ON CONFLICT (scope) DO UPDATE SET until_ms = GREATEST(pauses.until_ms, excluded.until_ms)
           RETURNING until_ms)
         SELECT until_ms, pg_notify($3, json_build_array($4::text, $1::text, until_ms)::text) FROM up`,
        [scope, Math.floor(untilMs), PAUSE_CHANNEL, c.schema],
      );
      return Number(rows[0]!.until_ms);
    },

    /** Every replica's new pause end for `scope`, as soon as it is committed (a LISTEN connection of its own). */
    subscribePause(scope: string, onExtended: (untilMs: number) => void): () => void {
      return c.pauseListener.subscribe(scope, onExtended);
    },
  };
}
